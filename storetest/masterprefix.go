package storetest

import (
	"context"
	"reflect"
	"testing"
)

// testMasterDataPrefixes checks that a prefix declared only in the
// @context of a master-data-only document (no events) resolves in
// HASATTR_ and EQ_ATTR_ (EPCIS 2.0 §8.2.7.1; a CURIE names an IRI through
// the context it was captured with), although no event's document
// declares it: mdx:bay is https://md.example.org/attr/bay. Before, such a
// query was refused "unknown prefix".
func testMasterDataPrefixes(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"mdx": "https://md.example.org/attr/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-20T00:00:00Z",
	"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
		{"id": "urn:epc:id:sgln:4012345.00002.0", "attributes": [{"id": "cbvmda:name", "attribute": "Dock 7"}, {"id": "mdx:bay", "attribute": "B12"}]}
	]}]}},
	"epcisBody": {"eventList": []}}`)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-21T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:uuid:7c000000-0000-4000-8000-000000000001", "eventTime": "2025-09-21T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizLocation": {"id": "urn:epc:id:sgln:4012345.00002.0"}}]}}`)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"HASATTR_bizLocation=mdx:bay", []string{"1"}},
		{"EQ_ATTR_bizLocation_mdx:bay=B12", []string{"1"}},
		{"EQ_ATTR_bizLocation_mdx:bay=B13", []string{}},
		{"EQ_ATTR_bizLocation_https://md.example.org/attr/bay=B12", []string{"1"}},
	} {
		if got := findIDs(t, s, c.query); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: events %v, want %v", c.query, got, c.want)
		}
	}
}

// testUnusedDeclaredPrefixes checks that every prefix a captured
// document's @context declares is known to queries whether or not an
// event or an attribute uses it (EPCIS 2.0 §8.2.7.1: a CURIE names an IRI
// through the contexts captured): a master-data-only document declares
// "mdu" and "mdv" (a term with @id), used by no attribute;
// EQ_ATTR_, HASATTR_, EQ_ILMD_ and EQ_ with those CURIEs are answered
// (no event matches: an empty result), not refused "unknown prefix"; a
// prefix no document declares is still refused. Before, "mdu" and "mdv"
// were unknown: only prefixes an attribute name used were recorded.
func testUnusedDeclaredPrefixes(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"mdu": "https://md.example.org/unused/", "mdv": {"@id": "https://md.example.org/term/"}}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-20T00:00:00Z",
	"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
		{"id": "urn:epc:id:sgln:4012345.00002.0", "attributes": [{"id": "cbvmda:name", "attribute": "Dock 7"}]}
	]}]}},
	"epcisBody": {"eventList": []}}`)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-21T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:uuid:7c000000-0000-4000-8000-000000000002", "eventTime": "2025-09-21T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizLocation": {"id": "urn:epc:id:sgln:4012345.00002.0"}}]}}`)
	for _, q := range []string{"EQ_ATTR_bizLocation_mdu:bay=B12", "HASATTR_bizLocation=mdu:bay", "EQ_ILMD_mdu:grade=A", "EQ_mdu:grade=A",
		"HASATTR_bizLocation=mdv:bay", "EQ_ILMD_mdv:grade=A"} {
		if got := findIDs(t, s, q); len(got) != 0 {
			t.Errorf("%s: events %v, want none", q, got)
		}
	}
	if got := findIDs(t, s, "HASATTR_bizLocation=cbvmda:name"); !reflect.DeepEqual(got, []string{"2"}) {
		t.Errorf("HASATTR_bizLocation=cbvmda:name: events %v, want [2]", got)
	}
	prefixes, err := s.DeclaredPrefixes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := prefixes["mdu"]; !reflect.DeepEqual(got, []string{"https://md.example.org/unused/"}) {
		t.Errorf("mdu bound to %v", got)
	}
	if _, known := prefixes["mdx"]; known {
		t.Errorf("mdx known though no document declares it: %v", prefixes)
	}
}
