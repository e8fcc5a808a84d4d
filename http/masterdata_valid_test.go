package http_test

import (
	"strings"
	"testing"
)

// TestMasterDataValidated: master data whose CBV attributes have wrong
// values (CBV 2.0 §10: latitude in [-90, 90] and longitude in [-180, 180]
// decimal degrees, countryCode ISO 3166-1 alpha-2), whose attribute id has
// an undeclared prefix (EPCIS 2.0 §7.1.2), or whose children make a cycle
// (a site its own child; a → b → a) is refused with every error at once,
// each with its JSON pointer (JSON) or element path (XML), and nothing is
// stored: /api/v1/sites does not list the sites.
func TestMasterDataValidated(t *testing.T) {
	srv := MustServe(t, false, nil)
	const mda = "urn:epcglobal:cbv:mda#"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/nu11/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:nu11:site:bad", "children": ["urn:nu11:site:bad"], "attributes": [{"id": "` + mda + `latitude", "attribute": 999}, {"id": "` + mda + `longitude", "attribute": "east"},
   {"id": "cbvmda:countryCode", "attribute": "XX"}, {"id": "zz:undeclared", "attribute": "x"}, {"id": "ex:ok", "attribute": "y"}]},
  {"id": "urn:nu11:site:a", "children": ["urn:nu11:site:b"], "attributes": [{"id": "` + mda + `latitude", "attribute": "-90"}, {"id": "` + mda + `longitude", "attribute": 180.0}, {"id": "` + mda + `countryCode", "attribute": "PK"}]},
  {"id": "urn:nu11:site:b", "children": ["urn:nu11:site:a"]}]}]}},
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
  "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.4001"], "bizLocation": {"id": "urn:nu11:site:bad"}}]}}`
	el := "/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/"
	resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(doc), nil)
	p := mustProblem(t, resp, body, 400)
	want := map[string]string{
		el + "0/attributes/0/attribute": "outside [-90, 90]",
		el + "0/attributes/1/attribute": "not a decimal number",
		el + "0/attributes/2/attribute": "ISO 3166-1 alpha-2",
		el + "0/attributes/3/id":        "not in a declared namespace",
		el + "0/children/0":             "its own child",
		// a → b → a: the entry that closes the cycle, b's child a.
		el + "2/children/0": "cycle",
	}
	got := map[string]string{}
	for _, e := range p.Errors {
		got[e.Pointer] = e.Reason
	}
	for ptr, frag := range want {
		if !strings.Contains(got[ptr], frag) {
			t.Errorf("%s: %q, want it to mention %q (all: %s)", ptr, got[ptr], frag, body)
		}
	}
	// The valid attributes (ex:ok, -90, 180.0, PK) draw no error.
	if len(p.Errors) != len(want) {
		t.Errorf("%d errors, want %d: %s", len(p.Errors), len(want), body)
	}
	if _, b := do(t, "GET", srv.URL+"/api/v1/sites", viewerSecret, nil, nil); strings.Contains(string(b), "urn:nu11:site") {
		t.Errorf("a refused capture left sites behind: %s", b)
	}

	// The same checks name XML element paths.
	xml := `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-10-01T00:00:00Z">
 <EPCISHeader><extension><EPCISMasterData><VocabularyList><Vocabulary type="urn:epcglobal:epcis:vtype:BusinessLocation"><VocabularyElementList>
  <VocabularyElement id="urn:nu11:site:x"><attribute id="urn:epcglobal:cbv:mda#latitude">91.5</attribute><attribute id="urn:epcglobal:cbv:mda#countryCode">pk</attribute>
   <children><id>urn:nu11:site:x</id></children></VocabularyElement>
 </VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></extension></EPCISHeader>
 <EPCISBody><EventList/></EPCISBody></epcis:EPCISDocument>`
	resp, body = do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(xml), xmlCT)
	p = mustProblem(t, resp, body, 400)
	ve := "/EPCISDocument/EPCISHeader/extension/EPCISMasterData/VocabularyList/Vocabulary/VocabularyElementList/VocabularyElement"
	for _, ptr := range []string{ve + "/attribute[1]", ve + "/attribute[2]", ve + "/children/id"} {
		found := false
		for _, e := range p.Errors {
			found = found || e.Pointer == ptr
		}
		if !found {
			t.Errorf("XML refusal does not name %s: %s", ptr, body)
		}
	}
}
