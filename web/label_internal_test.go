package web

import "testing"

// TestHumanTerm: raw camelCase, snake_case and CURIE keys read as words.
func TestHumanTerm(t *testing.T) {
	for in, want := range map[string]string{
		"assayCertificate":                         "Assay certificate",
		"btt:assayCertificate":                     "Assay certificate",
		"urn:epcglobal:cbv:btt:bol":                "Bill of lading",
		"https://ref.gs1.org/cbv/BTT-bol":          "Bill of lading",
		"https://ref.gs1.org/cbv/BizStep-shipping": "Shipping",
		"sensor_reporting":                         "Sensor reporting",
		"in_transit":                               "In transit",
		"MassConcentration":                        "Mass concentration",
		"ObjectEvent":                              "Object event",
		"possessing_party":                         "Possessing party",
		"OBSERVE":                                  "OBSERVE",
		"KGM":                                      "KGM",
		"ILMDValue":                                "ILMD value",
		"location":                                 "Location",
		"":                                         "",
	} {
		if got := humanTerm(in); got != want {
			t.Errorf("humanTerm(%q) = %q; want %q", in, got, want)
		}
	}
}
