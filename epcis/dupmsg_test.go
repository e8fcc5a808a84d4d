package epcis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
)

// TestErrorMessagesOnceAndClear: a missing eventTime is reported once, by
// the rule's clear message (not again as the schema's "missing property");
// a CBV-namespace bizStep that is no CBV value gets a clear message with
// the nearest standard value instead of a raw pattern and enum dump; keys
// that are no CURIE in a document with a remote context are said to be
// "not a valid CURIE".
func TestErrorMessagesOnceAndClear(t *testing.T) {
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "https://gs1.de/x.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTimeZoneOffset": "+00:00", "epcList": [], "action": "MOVE", "bizStep": "urn:epcglobal:cbv:bizstep:shiping", "de:": 1, "1de:x": 2, "de:a b": 3}]}}`
	d, err := epcis.ParseDocument([]byte(doc), false)
	if err != nil {
		t.Fatal(err)
	}
	_, ferr := d.Decode(0, time.Now())
	if ferr == nil {
		t.Fatal("invalid event accepted")
	}
	got := map[string]string{}
	for _, f := range ferr.Fields {
		if prev, dup := got[f.Pointer]; dup {
			t.Errorf("%s reported twice: %q and %q", f.Pointer, prev, f.Reason)
		}
		got[f.Pointer] = f.Reason
		if strings.Contains(f.Reason, "missing property") || strings.Contains(f.Reason, "does not match pattern") {
			t.Errorf("%s: raw schema message %q", f.Pointer, f.Reason)
		}
	}
	ev := "/epcisBody/eventList/0"
	if _, ok := got[ev]; ok {
		t.Errorf("the event itself reported beside its fields: %q", got[ev])
	}
	if !strings.Contains(got[ev+"/eventTime"], "eventTime") || !strings.Contains(got[ev+"/action"], "MOVE") {
		t.Errorf("eventTime/action: %v", got)
	}
	if r := got[ev+"/bizStep"]; !strings.Contains(r, `did you mean "shipping"`) || strings.Contains(r, "sampling") {
		t.Errorf("bizStep: %q", r)
	}
	for _, k := range []string{"de:", "1de:x", "de:a b"} {
		if !strings.Contains(got[ev+"/"+k], "not a valid CURIE") {
			t.Errorf("%s: %q", k, got[ev+"/"+k])
		}
	}
}
