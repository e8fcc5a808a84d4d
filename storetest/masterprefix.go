package storetest

import (
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
