package epcis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
)

// TestDigitalLinkCheckDigit: GLN 401234500008 has the GS1 check digit 5
// (from the right, weights 3,1,3,…: 8·3 + 0 + 0 + 0 + 0 + 5·1 + 4·3 + 3·1 +
// 2·3 + 1·1 + 0 + 4·1 = 55; (10 − 55 mod 10) mod 10 = 5), so
// …/414/4012345000085 is a GLN and …/414/4012345000084 names none.
func TestDigitalLinkCheckDigit(t *testing.T) {
	for uri, want := range map[string]string{
		"https://id.gs1.org/414/4012345000085":        "",
		"https://id.gs1.org/414/4012345000084":        "GLN 4012345000084: check digit 4 is wrong, 401234500008 needs 5",
		"https://example.com/gln/4012345000084/254/1": "GLN 4012345000084: check digit 4 is wrong",
		"https://example.org/sites/mine-1":            "",
		"urn:epc:id:sgln:4012345.00008.0":             "",
	} {
		got := epcis.DigitalLinkCheckDigit(uri)
		if (want == "") != (got == "") || !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q", uri, got, want)
		}
	}
	// Captured as a site, the wrong GLN is refused, naming the field.
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-06-01T10:00:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"],
 "readPoint": {"id": "https://id.gs1.org/414/4012345000085"}, "bizLocation": {"id": "https://id.gs1.org/414/4012345000084"}}]}}`
	d, err := epcis.ParseDocument([]byte(doc), false)
	if err != nil {
		t.Fatal(err)
	}
	_, e := d.Decode(0, time.Now())
	if e == nil {
		t.Fatal("capture with a wrong GLN accepted")
	}
	f := e.Fields
	if len(f) != 1 || f[0].Pointer != "/epcisBody/eventList/0/bizLocation/id" || !strings.Contains(f[0].Reason, "needs 5") {
		t.Errorf("capture with a wrong GLN: %v", e)
	}
}
