package epcis_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

// tdsVectors pair an EPC URN with its canonical GS1 Digital Link URI, for
// every GS1 key type of the Tag Data Standard 2.0, with the GS1 Company
// Prefix length the URN shows. Check digits (GS1 General Specifications
// §7.9.1) are worked in the comments: weights 3, 1, 3, … from the right,
// check = (10 − sum mod 10) mod 10.
var tdsVectors = []struct {
	name, urn, dl string
	gcp           int
}{
	// GTIN-14 "8"+"0614141"+"12345" = 8061414112345: from the right
	// 5·3+4+3·3+2+1·3+1+4·3+1+4·3+1+6·3+0+8·3 = 102 → check 8.
	{"SGTIN", "urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789", 7},
	// Serial "A/B!1": "/" is %2F in the URN (TDS Table 5-1), "/" and "!"
	// are %2F and %21 in the Digital Link.
	{"SGTIN escaped serial", "urn:epc:id:sgtin:4012345.011111.A%2FB!1", "https://id.gs1.org/01/04012345111118/21/A%2FB%211", 7},
	// 0401234511111: 1·3+1+1·3+1+1·3+5+4·3+3+2·3+1+0+4+0 = 42 → 8.
	{"LGTIN", "urn:epc:class:lgtin:4012345.011111.LOT-A", "https://id.gs1.org/01/04012345111118/10/LOT-A", 7},
	{"GTIN class pattern", "urn:epc:idpat:sgtin:4012345.011111.*", "https://id.gs1.org/01/04012345111118", 7},
	// SSCC "1"+"0614141"+"234567890": 0·3+9+8·3+7+6·3+5+4·3+3+2·3+1+4·3+1+4·3+1+6·3+0+1·3 = 132 → 8.
	{"SSCC", "urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908", 7},
	// GLN 061414112345: 5·3+4+3·3+2+1·3+1+4·3+1+4·3+1+6·3+0 = 78 → 2.
	{"SGLN with extension", "urn:epc:id:sgln:0614141.12345.400", "https://id.gs1.org/414/0614141123452/254/400", 7},
	// GLN 401234500001: 1·3+0+0+0+0+5+4·3+3+2·3+1+0+4 = 34 → 6; extension 0 is no AI 254.
	{"SGLN", "urn:epc:id:sgln:4012345.00001.0", "https://id.gs1.org/414/4012345000016", 7},
	{"PGLN", "urn:epc:id:pgln:4012345.00001", "https://id.gs1.org/417/4012345000016", 7},
	// GRAI: "0", the 13-digit asset type 0614141123452 (check 2 as above), serial 400.
	{"GRAI", "urn:epc:id:grai:0614141.12345.400", "https://id.gs1.org/8003/00614141123452400", 7},
	{"GIAI", "urn:epc:id:giai:0614141.12345400", "https://id.gs1.org/8004/061414112345400", 7},
	// GSRN 06141411234567890: 0·3+9+8·3+7+6·3+5+4·3+3+2·3+1+1·3+4+1·3+4+1·3+6+0 = 108 → 2.
	{"GSRN", "urn:epc:id:gsrn:0614141.1234567890", "https://id.gs1.org/8018/061414112345678902", 7},
	{"GSRNP", "urn:epc:id:gsrnp:0614141.1234567890", "https://id.gs1.org/8017/061414112345678902", 7},
	// GDTI 0614141123452 (check 2 as the GLN above) then serial 006847.
	{"GDTI", "urn:epc:id:gdti:0614141.12345.006847", "https://id.gs1.org/253/0614141123452006847", 7},
	// CPI reference "5PQ7/Z43": %2F in both forms.
	{"CPI", "urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345", "https://id.gs1.org/8010/06141415PQ7%2FZ43/8011/12345", 7},
	// GCN 401234567890: 0·3+9+8·3+7+6·3+5+4·3+3+2·3+1+0·3+4 = 89 → 1, then serial 04711.
	{"SGCN", "urn:epc:id:sgcn:4012345.67890.04711", "https://id.gs1.org/255/401234567890104711", 7},
	{"GINC", "urn:epc:id:ginc:0614141.xyz47%2F11", "https://id.gs1.org/401/0614141xyz47%2F11", 7},
	// GSIN 0614141123456789: 9·3+8+7·3+6+5·3+4+3·3+2+1·3+1+4·3+1+4·3+1+6·3+0 = 140 → 0.
	{"GSIN", "urn:epc:id:gsin:0614141.123456789", "https://id.gs1.org/402/06141411234567890", 7},
	// GTIN 0401234512345: 5·3+4+3·3+2+1·3+5+4·3+3+2·3+1+0+4+0 = 64 → 6; piece 01 of 02.
	{"ITIP", "urn:epc:id:itip:4012345.012345.01.02.987", "https://id.gs1.org/8006/040123451234560102/21/987", 7},
	// GTIN 0123456789456: 6·3+5+4·3+9+8·3+7+6·3+5+4·3+3+2·3+1+0 = 120 → 0.
	// TPX "51qIgY)<&Jp3*j7'SDB": < and & escaped in the URN; ) * ' < & in the Digital Link.
	{"UPUI", "urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB", "https://id.gs1.org/01/01234567894560/235/51qIgY%29%3C%26Jp3%2Aj7%27SDB", 7},
	// A 9-digit company prefix: GTIN "0"+"952012345"+"678" = 0952012345678:
	// 8·3+7+6·3+5+4·3+3+2·3+1+0+2+5·3+9+0 = 102 → 8.
	{"SGTIN 9-digit GCP", "urn:epc:id:sgtin:952012345.0678.S1", "https://id.gs1.org/01/09520123456788/21/S1", 9},
}

func TestURNToDigitalLink(t *testing.T) {
	for _, v := range tdsVectors {
		got, ok := epcis.NormaliseGS1(v.urn)
		if !ok || got != v.dl {
			t.Errorf("%s: %s → %q (%v), want %s", v.name, v.urn, got, ok, v.dl)
		}
	}
}

func TestDigitalLinkToURN(t *testing.T) {
	for _, v := range tdsVectors {
		k, ok := epcis.ParseKey(v.dl)
		if !ok {
			t.Errorf("%s: %s not parsed", v.name, v.dl)
			continue
		}
		if got := k.DigitalLink(); got != v.dl {
			t.Errorf("%s: canonical %s is not itself: %s", v.name, v.dl, got)
		}
		got, ok := k.ToURN(v.gcp)
		if !ok || got != v.urn {
			t.Errorf("%s: %s (GCP %d) → %q (%v), want %s", v.name, v.dl, v.gcp, got, ok, v.urn)
		}
	}
}

// TestDigitalLinkSpellings: other spellings of one key have one canonical form.
func TestDigitalLinkSpellings(t *testing.T) {
	for in, want := range map[string]string{
		// GTIN-13 padded to 14, another host, a path prefix, a query string.
		"https://brand.example.com/shop/01/4012345111118/10/LOT-A?linkType=all": "https://id.gs1.org/01/04012345111118/10/LOT-A",
		// Short names of Digital Link 1.0, CPV dropped, lot dropped beside a serial.
		"https://id.gs1.org/gtin/04012345111118/cpv/2A/lot/L1/ser/1001": "https://id.gs1.org/01/04012345111118/21/1001",
		// Over-escaped and under-escaped values decode to the same value.
		"https://id.gs1.org/01/04012345111118/21/A%2fB!1": "https://id.gs1.org/01/04012345111118/21/A%2FB%211",
		"http://id.gs1.org/414/4012345000016/":            "https://id.gs1.org/414/4012345000016",
		"https://id.gs1.org/414/4012345000016/254/0":      "https://id.gs1.org/414/4012345000016",
		"URN:EPC:id:pgln:4012345.00001":                   "https://id.gs1.org/417/4012345000016",
	} {
		if got := epcis.Canonical(in); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

// TestNotGS1Keys: other identifiers, and GS1-looking ones with a wrong
// check digit or length, stay as written.
func TestNotGS1Keys(t *testing.T) {
	for _, in := range []string{
		"urn:epc:id:bic:CSQU3054383", // container (ISO 6346), an EPC but not a GS1 key
		"urn:epc:id:imovn:9176187",   // IMO vessel number
		"urn:critmin:demo:lot:REE-2025-001",
		"https://gov.example.pk/mining-licence/ML-2021-044",
		"https://id.gs1.org/01/04012345111119/10/X", // check digit 9, should be 8
		"https://id.gs1.org/414/401234500001",       // 12 digits
		"https://id.gs1.org/01/04012345111118/99/X", // 99 is no GTIN qualifier
		"urn:epc:id:sgtin:4012345.0111.1",           // 11 digits, not 13
		"urn:epc:id:sgtin:4012345.011111",           // no serial
		"urn:epc:id:sgcn:4012345.67890.AB",          // SGCN serial must be numeric
	} {
		if got := epcis.Canonical(in); got != in {
			t.Errorf("%s changed to %s", in, got)
		}
	}
}

func TestPatternMatch(t *testing.T) {
	for in, want := range map[string][]epcis.IDMatch{
		"urn:epc:idpat:sgtin:4012345.011111.*": {{Exact: "https://id.gs1.org/01/04012345111118"}, {Like: `https://id.gs1.org/01/04012345111118/%`}},
		"urn:epc:idpat:sgtin:4012345.*.*":      {{Like: `https://id.gs1.org/01/_4012345%`}}, // "_": any indicator digit
		"urn:epc:idpat:sgtin:*.*.*":            {{Like: `https://id.gs1.org/01/%`}},
		"urn:epc:idpat:grai:0614141.12345.*":   {{Like: `https://id.gs1.org/8003/00614141123452%`}},
		"urn:epc:idpat:sgln:0614141.12345.*":   {{Exact: "https://id.gs1.org/414/0614141123452"}, {Like: `https://id.gs1.org/414/0614141123452/%`}},
		"urn:epc:idpat:sscc:0614141.*":         {{Like: `https://id.gs1.org/00/_0614141%`}}, // "_": any extension digit
		"urn:epc:idpat:sgtin:4012345.011111.1": {{Exact: "https://id.gs1.org/01/04012345111118/21/1"}},
		// A GTIN alone, in any Digital Link spelling, is the class pattern
		// urn:epc:idpat:sgtin:4012345.011111.* (GTIN-13 4012345111118 is
		// GTIN-14 04012345111118).
		"https://id.gs1.org/01/04012345111118":   {{Exact: "https://id.gs1.org/01/04012345111118"}, {Like: `https://id.gs1.org/01/04012345111118/%`}},
		"https://brand.example/01/4012345111118": {{Exact: "https://id.gs1.org/01/04012345111118"}, {Like: `https://id.gs1.org/01/04012345111118/%`}},
	} {
		got, ok := epcis.PatternMatch(in)
		if !ok || len(got) != len(want) {
			t.Errorf("%s → %v (%v), want %v", in, got, ok, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s → %v, want %v", in, got, want)
			}
		}
	}
	// Not patterns: a lot or instance under the GTIN, a GLN (an instance
	// key), other URIs.
	for _, in := range []string{"urn:epc:idpat:sgtin:4012345.*.1", "urn:critmin:lot:*", "urn:epc:idpat:bic:*",
		"https://id.gs1.org/01/04012345111118/10/LOT-A", "https://id.gs1.org/414/4012345000085", "urn:epc:id:sgln:4012345.00008.0"} {
		if _, ok := epcis.PatternMatch(in); ok {
			t.Errorf("%s translated", in)
		}
	}
}

// TestAIValueLimits: values longer than their AI allows, or outside the
// GS1 character sets, are no GS1 key and stay as written.
func TestAIValueLimits(t *testing.T) {
	serial20 := "ABCDEFGHIJ0123456789"
	if got := epcis.Canonical("urn:epc:id:sgtin:4012345.011111." + serial20); got != "https://id.gs1.org/01/04012345111118/21/"+serial20 {
		t.Errorf("20-character serial: %s", got)
	}
	for _, in := range []string{
		"urn:epc:id:sgtin:4012345.011111." + serial20 + "X",         // 21 characters
		"https://id.gs1.org/01/04012345111118/10/" + serial20 + "X", // lot of 21
		"https://id.gs1.org/01/04012345111118/21/A%20B",             // space is not in set 82
		"urn:epc:id:giai:4000001." + serial20 + serial20,            // GIAI of 47
		"urn:epc:id:cpi:0614141.abc.1",                              // lower case is not in set 39
	} {
		if got := epcis.Canonical(in); got != in {
			t.Errorf("%s → %s", in, got)
		}
	}
}

func TestGCPLengthTable(t *testing.T) {
	g, err := epcis.LoadGCPLengths(strings.NewReader(`{"GCPPrefixFormatList": {"entry": [{"prefix": "0614", "gcpLength": 7}, {"prefix": "95201", "gcpLength": 9}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	for dl, want := range map[string]string{
		"https://id.gs1.org/01/80614141123458/21/6789": "urn:epc:id:sgtin:0614141.812345.6789",
		"https://id.gs1.org/01/09520123456788/21/S1":   "urn:epc:id:sgtin:952012345.0678.S1",
		"https://id.gs1.org/00/106141412345678908":     "urn:epc:id:sscc:0614141.1234567890",
		"https://id.gs1.org/8003/00614141123452400":    "urn:epc:id:grai:0614141.12345.400",
		// No entry for 401…: stays a Digital Link.
		"https://id.gs1.org/01/04012345111118/21/1001": "https://id.gs1.org/01/04012345111118/21/1001",
		// Not a GS1 key: unchanged.
		"urn:epc:id:bic:CSQU3054383": "urn:epc:id:bic:CSQU3054383",
	} {
		if got := epcis.Translate(dl, epcis.AlwaysEPCURN, g); got != want {
			t.Errorf("%s → %s, want %s", dl, got, want)
		}
	}
	for _, bad := range []string{`{"GCPPrefixFormatList": {"entry": [{"prefix": "06x", "gcpLength": 7}]}}`, `<GCPPrefixFormatList><entry prefix="061" gcpLength="13"/></GCPPrefixFormatList>`, `{}`} {
		if _, err := epcis.LoadGCPLengths(strings.NewReader(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
