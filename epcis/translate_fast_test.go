package epcis

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestTranslateEventSkipsUnchangedEvents: an event whose identifiers are
// already in the form asked for is returned as stored, and says the same
// as the full rewrite would; one with a GS1 key in another form is
// rewritten, wherever the key is.
func TestTranslateEventSkipsUnchangedEvents(t *testing.T) {
	plain := `{"type":"ObjectEvent","epcList":["urn:critmin:c:1"],"quantityList":[{"epcClass":"urn:critmin:lot:1","quantity":2.50,"uom":"TNE"}],"bizLocation":{"id":"urn:critmin:site:a"},"sourceList":[{"type":"location","source":"urn:critmin:site:b"}]}`
	out, err := TranslateEvent(json.RawMessage(plain), AlwaysDigitalLink, nil)
	if err != nil || string(out) != plain {
		t.Fatalf("unchanged event rewritten: %s, %v", out, err)
	}
	full, err := fullTranslate(json.RawMessage(plain), AlwaysDigitalLink)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, out, full) {
		t.Errorf("fast path %s differs from the full rewrite %s", out, full)
	}
	// The SGTIN URN of GTIN 09521234543213 serial 32a%2Fb is, as a Digital
	// Link, https://id.gs1.org/01/09521234543213/21/32a%2Fb — in any field.
	for _, ev := range []string{
		`{"epcList":["urn:epc:id:sgtin:952123.0454321.32a%2Fb"]}`,
		`{"destinationList":[{"type":"location","destination":"urn:epc:id:sgtin:952123.0454321.32a%2Fb"}]}`,
		`{"readPoint":{"id":"URN:EPC:id:sgtin:952123.0454321.32a%2Fb"}}`,
		`{"epcList":["https://example.com/gtin/01/09521234543213/21/32a%2Fb","\u0075rn:epc:id:sgtin:952123.0454321.32a%2Fb"]}`,
	} {
		got, err := TranslateEvent(json.RawMessage(ev), AlwaysDigitalLink, nil)
		if err != nil || string(got) == ev {
			t.Errorf("%s not rewritten: %s, %v", ev, got, err)
		}
		full, _ := fullTranslate(json.RawMessage(ev), AlwaysDigitalLink)
		if !sameJSON(t, got, full) {
			t.Errorf("%s: %s, full rewrite %s", ev, got, full)
		}
	}
}

// fullTranslate is TranslateEvent without its fast path.
func fullTranslate(raw json.RawMessage, f EPCFormat) (json.RawMessage, error) {
	return translateAll(raw, f, nil)
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}
