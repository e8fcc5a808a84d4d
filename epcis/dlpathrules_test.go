package epcis_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

// TestDigitalLinkPathRules: a URI written as a GS1 Digital Link that
// breaks the standard's path rules is refused at capture (GS1KeyFault),
// naming the rule, wherever it is hosted; one that is valid is accepted,
// and a percent-encoded unreserved character (%41 for "A", RFC 3986
// §6.2.2.2) is the same key. GTIN 09521234543213: 0·3+9+5·3+2+1·3+2+3·3+4+
// 5·3+4+3·3+2+1·3 = 77 → check 3.
func TestDigitalLinkPathRules(t *testing.T) {
	const gtin = "https://id.gs1.org/01/09521234543213"
	for _, c := range []struct{ uri, want string }{
		{gtin + "/21/SER/10/LOT", "comes after AI 21"},
		{"https://brand.example.com/p/01/09521234543213/ser/S/lot/L", "comes after AI 21"},
		{gtin + "/21/S/22/V", "comes after AI 21"},
		{gtin + "/10/A/10/B", "appears twice"},
		{"https://example.com/8004/0952123ABC/21/S", "GIAI (AI 8004) takes no key qualifier"},
		{"https://id.gs1.org/00/095212340000000013/10/L", "takes no key qualifier"},
		{"https://example.com/01/09521234543213/17/261231", "AI 17 is not a key qualifier of GTIN"},
		{gtin + "/10/L&T", `holds "&", which a GS1 Digital Link writes percent-encoded as %26`},
		{gtin + "/21/O'Brien", "%27"},
		{gtin + "/21/A!1", "%21"},
		{gtin + "/10/L%2", `begins no %XX escape`},
		{"https://id.gs1.org/8004/0952123A:B", "%3A"},
	} {
		got := epcis.GS1KeyFault(c.uri)
		if !strings.Contains(got, c.want) || !strings.Contains(got, "GS1 Digital Link URI Syntax") {
			t.Errorf("%s: fault %q, want it to say %q and name the standard", c.uri, got, c.want)
		}
	}
	for _, ok := range []string{
		gtin + "/10/LOT/21/SER",
		gtin + "/22/V/10/L/21/S",
		gtin + "/10/%4COT", // %4C is "L"
		gtin + "/10/L%26T", // "&" encoded
		gtin + "/21/A%2fB", // lower-case hex
		"https://id.gs1.org/8004/0952123ABC",
		"https://example.com/docs/01/intro",        // no key: an ordinary URL
		"https://example.com/a/01/b/c/d",           // no key either
		"https://id.gs1.org/414/9521234000006?x=1", // query strings are not judged
	} {
		if got := epcis.GS1KeyFault(ok); got != "" {
			t.Errorf("%s: refused (%s), want accepted", ok, got)
		}
	}
	// One identity: both spellings canonicalise alike.
	for a, b := range map[string]string{
		gtin + "/10/%4COT":                       gtin + "/10/LOT",
		gtin + "/21/A%2fB":                       gtin + "/21/A%2FB",
		"URN:EPC:id:sgtin:9521234.054321.S":      gtin + "/21/S",
		"urn:epc:class:lgtin:9521234.054321.LOT": gtin + "/10/%4C%4F%54",
	} {
		if ca, cb := epcis.Canonical(a), epcis.Canonical(b); ca != cb {
			t.Errorf("%s → %s but %s → %s: one key, two identities", a, ca, b, cb)
		}
	}
}

// TestEPCURNCaseMessage: "urn" and "epc" are case-insensitive (RFC 8141
// §3.1), so URN:EPC:id:sgtin:… is the SGTIN; the rest of an EPC URI is
// case-sensitive (TDS 2.0 §6), and an upper-case kind or scheme is refused
// by saying so, not by a misleading word on digits.
func TestEPCURNCaseMessage(t *testing.T) {
	if got := epcis.GS1KeyFault("URN:EPC:id:sgtin:9521234.054321.S"); got != "" {
		t.Errorf("URN:EPC: prefix refused: %s", got)
	}
	for _, u := range []string{"URN:EPC:ID:SGTIN:9521234.054321.S", "urn:epc:id:SGTIN:9521234.054321.S", "urn:epc:CLASS:lgtin:9521234.054321.L", "urn:epc:idpat:SGTIN:9521234.054321.*"} {
		got := epcis.GS1KeyFault(u)
		if !strings.Contains(got, "lower case") || strings.Contains(got, "Company Prefix") {
			t.Errorf("%s: %q; want it to say the kind and scheme are lower case", u, got)
		}
	}
}
