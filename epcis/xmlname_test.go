package epcis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
)

// TestExtensionKeyNotXMLNameRefused (issue 11, fix11d item 3): an
// extension key whose local name is no XML NCName would have to be renamed
// in XML query results ("ex:1grade" → <ex:_grade>, "ex:a/b" → <ex:a_b>,
// merging "ex:1grade" with "ex:_grade"), so capture refuses it, at any
// depth, naming the key; valid names — "ex:_grade", "ex:a-b.c", "ex:é" —
// are accepted untouched.
func TestExtensionKeyNotXMLNameRefused(t *testing.T) {
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://ex.org/ns/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"], "action": "OBSERVE",
   "ex:1grade": 5, "ex:a/b": "x", "ex:_grade": 4, "ex:a-b.c": 1, "ex:é": 2, "ex:nest": {"ex:ok": 1, "ex:9": 2}},
  {"type": "ObjectEvent", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"], "action": "OBSERVE",
   "ex:_grade": 4, "ex:a-b.c": 1, "ex:nest": {"ex:ok": [{"ex:deep": 1}]}}]}}`
	d, err := epcis.ParseDocument([]byte(doc), false)
	if err != nil {
		t.Fatal(err)
	}
	_, ferr := d.Decode(0, time.Now())
	if ferr == nil {
		t.Fatal("keys that are no XML names accepted")
	}
	got := map[string]string{}
	for _, f := range ferr.Fields {
		got[f.Pointer] = f.Reason
	}
	ev := "/epcisBody/eventList/0/"
	for ptr, key := range map[string]string{ev + "ex:1grade": "ex:1grade", ev + "ex:a~1b": "ex:a/b", ev + "ex:nest/ex:9": "ex:9"} {
		r, ok := got[ptr]
		if !ok || !strings.Contains(r, `"`+key+`" is not a valid XML local name (NCName), so the event could not be given in the XML binding`) {
			t.Errorf("%s: %q, want the key named as no valid XML local name", ptr, r)
		}
	}
	if len(got) != 3 {
		t.Errorf("errors %v, want exactly the three bad keys (valid names untouched)", got)
	}
	if _, ferr := d.Decode(1, time.Now()); ferr != nil {
		t.Errorf("valid XML names refused: %v", ferr.Fields)
	}
}
