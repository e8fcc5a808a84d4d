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

// TestGS1KeyFault: every GS1 key form is judged, and what is no GS1 key
// is not. Check digits (weights 3, 1, 3, … from the right): GLN
// 401234500008 → 55 → 5; GTIN 0950600013435 → 78 → 2; the GRAI asset type
// and GDTI document type 401234500008 → 5; ITIP's GTIN 0950600013435 → 2.
// urn:epc:id:sgtin:0614141.10734.1 has 7 + 5 = 12 digits where a GTIN's
// company prefix and indicator/item reference need 13.
func TestGS1KeyFault(t *testing.T) {
	for uri, want := range map[string]string{
		"https://id.gs1.org/01/09506000134352/21/1":     "",
		"https://id.gs1.org/01/09506000134350/21/1":     "needs 2",
		"https://example.com/gtin/09506000134350/lot/7": "needs 2",
		"https://id.gs1.org/8003/04012345000085A1":      "",
		"https://id.gs1.org/8003/04012345000084A1":      "asset type 4012345000084): check digit 4 is wrong, 401234500008 needs 5",
		"https://id.gs1.org/253/4012345000084D1":        "document type",
		"https://id.gs1.org/8006/095060001343500102":    "needs 2",
		"https://id.gs1.org/8006/095060001343520102":    "",
		"https://id.gs1.org/01/123":                     "not a valid GS1 Digital Link on id.gs1.org",
		"urn:epc:id:sgtin:0614141.107346.2017":          "",
		"urn:epc:id:sgtin:0614141.10734.1":              "not a valid EPC URN of scheme sgtin",
		"urn:epc:class:lgtin:4012345.011111.LOT-C":      "",
		"urn:epc:id:bic:CSQU3054383":                    "",
		"urn:epc:idpat:sgln:4012345.00008.*":            "",
		"urn:epcglobal:cbv:bt:9520011111116:A123":       "",
		// An ordinary URL whose path holds an AI-like segment is no key.
		"https://example.org/reports/01/2025":           "",
		"https://example.org/01/12345678/chapter/2":     "",
		"urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8": "",
	} {
		got := epcis.GS1KeyFault(uri)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", uri, got, want)
		}
	}
}
