package epcis

import "testing"

// TestHashDL converts one EPC URI of every key type of the GS1 Tag Data
// Standard 2.0 (and every pattern that names a single class) to its
// canonical Digital Link URI. The expected keys are the worked examples of
// TDS 2.0 §6.3 / §7; each check digit follows GS1 GenSpecs §7.9.1, e.g.
// GTIN 806141411234_5_: from the right, weights 3,1,3,…:
// 5·3+4+3·3+2+1·3+1+4·3+1+4·3+1+6·3+0+8·3 = 102 → check (10−2) = 8.
func TestHashDL(t *testing.T) {
	cases := map[string]string{
		"urn:epc:id:sgtin:0614141.812345.6789":                     "https://id.gs1.org/01/80614141123458/21/6789",
		"urn:epc:id:sgtin:0614141.812345.a.b":                      "https://id.gs1.org/01/80614141123458/21/a.b",
		"urn:epc:id:sgtin:0614141.812345.A(1)":                     "https://id.gs1.org/01/80614141123458/21/A%281%29",
		"urn:epc:class:lgtin:4012345.012345.998877":                "https://id.gs1.org/01/04012345123456/10/998877",
		"urn:epc:id:sscc:0614141.1234567890":                       "https://id.gs1.org/00/106141412345678908",
		"urn:epc:id:sgln:0614141.12345.400":                        "https://id.gs1.org/414/0614141123452/254/400",
		"urn:epc:id:sgln:0614141.12345.0":                          "https://id.gs1.org/414/0614141123452",
		"urn:epc:id:grai:0614141.12345.400":                        "https://id.gs1.org/8003/00614141123452400",
		"urn:epc:id:grai:123456789012..5":                          "https://id.gs1.org/8003/012345678901285",
		"urn:epc:id:giai:0614141.12345400":                         "https://id.gs1.org/8004/061414112345400",
		"urn:epc:id:gsrn:0614141.1234567890":                       "https://id.gs1.org/8018/061414112345678902",
		"urn:epc:id:gsrnp:0614141.1234567890":                      "https://id.gs1.org/8017/061414112345678902",
		"urn:epc:id:gdti:0614141.12345.400":                        "https://id.gs1.org/253/0614141123452400",
		"urn:epc:id:cpi:0614141.123ABC.123456789":                  "https://id.gs1.org/8010/0614141123ABC/8011/123456789",
		"urn:epc:id:sgcn:4012345.67890.04711":                      "https://id.gs1.org/255/401234567890104711",
		"urn:epc:id:ginc:0614141.xyz47%2F11":                       "https://id.gs1.org/401/0614141xyz47%2F11",
		"urn:epc:id:gsin:0614141.123456789":                        "https://id.gs1.org/402/06141411234567890",
		"urn:epc:id:itip:4012345.012345.01.02.987":                 "https://id.gs1.org/8006/040123451234560102/21/987",
		"urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB":   "https://id.gs1.org/01/01234567894560/235/51qIgY%29%3C%26Jp3%2Aj7'SDB",
		"urn:epc:id:pgln:1234567.89012":                            "https://id.gs1.org/417/1234567890128",
		"urn:epc:idpat:sgtin:4012345.012345.*":                     "https://id.gs1.org/01/04012345123456",
		"urn:epc:idpat:grai:0614141.12345.*":                       "https://id.gs1.org/8003/00614141123452",
		"urn:epc:idpat:gdti:0614141.12345.*":                       "https://id.gs1.org/253/0614141123452",
		"urn:epc:idpat:sgcn:4012345.67890.*":                       "https://id.gs1.org/255/4012345678901",
		"urn:epc:idpat:cpi:0614141.123ABC.*":                       "https://id.gs1.org/8010/0614141123ABC",
		"urn:epc:idpat:itip:4012345.012345.01.02.*":                "https://id.gs1.org/8006/040123451234560102",
		"urn:epc:idpat:upui:1234567.089456.*":                      "https://id.gs1.org/01/01234567894560",
		"https://example.com/01/4012345999990/10/L1/21/S1?17=2601": "https://id.gs1.org/01/04012345999990/21/S1",
	}
	for in, want := range cases {
		if got, ok := hashDL(in); !ok || got != want {
			t.Errorf("%s → %q (%v), want %s", in, got, ok, want)
		}
	}
	// Not GS1 keys, or patterns naming more than one class: unchanged.
	for _, in := range []string{"urn:epc:idpat:sgtin:4012345.*.*", "urn:epc:id:sgtin:4012345.1.2", "urn:epc:id:sscc:4012345.1",
		"urn:critmin:lot:REE-1", "urn:epc:id:cpi:0614141.123ABC.12A", "urn:epc:idpat:sgln:0614141.12345.*", "BICU1234565"} {
		if got, ok := hashDL(in); ok {
			t.Errorf("%s converted to %s", in, got)
		}
	}
}
