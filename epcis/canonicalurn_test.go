package epcis_test

import (
	"testing"

	"github.com/critmin/critmin/epcis"
)

// TestCanonicalURNSchemeAndNIDLowerCase: RFC 8141 §3.1 — the "urn"
// scheme and the NID are case-insensitive and written in lower case, the
// NSS kept as given (a UUID's hex digits, case-insensitive by RFC 9562
// §4, in lower case); GS1 keys still become their Digital Link; anything
// not a URN is unchanged.
func TestCanonicalURNSchemeAndNIDLowerCase(t *testing.T) {
	for in, want := range map[string]string{
		"URN:example:lot:1":                             "urn:example:lot:1",
		"urn:EXAMPLE:lot:1":                             "urn:example:lot:1",
		"Urn:Ex-Ample:LOT:1":                            "urn:ex-ample:LOT:1",
		"urn:example:LOT:1":                             "urn:example:LOT:1",
		"urn:critmin:site:pkkhi":                        "urn:critmin:site:pkkhi",
		"URN:UUID:0A1B2C3D-0000-4000-8000-00000000000F": "urn:uuid:0a1b2c3d-0000-4000-8000-00000000000f",
		"URN:EPC:id:bic:CSQU3054383":                    "urn:epc:id:bic:CSQU3054383",
		"URN:EPC:id:sgtin:9521234.054321.S-1":           "https://id.gs1.org/01/09521234543213/21/S-1",
		"urn:x:1":                                       "urn:x:1", // NID of one letter: no URN (RFC 8141 §2)
		"urn:-ab:1":                                     "urn:-ab:1",
		"urn:ab-:1":                                     "urn:ab-:1",
		"URN:abcdefghijklmnopqrstuvwxyzabcdefg:1":       "URN:abcdefghijklmnopqrstuvwxyzabcdefg:1", // 33 letters
		"https://example.com/Lot/1":                     "https://example.com/Lot/1",
		"LOT-1":                                         "LOT-1",
		"":                                              "",
	} {
		if got := epcis.Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q; want %q", in, got, want)
		}
	}
}
