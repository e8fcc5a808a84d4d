package country

import "testing"

// TestName: alpha-3 and alpha-2 codes (master data's countryCode is
// alpha-2) both give the name; anything else comes back as given.
func TestName(t *testing.T) {
	for code, want := range map[string]string{"PAK": "Pakistan", "PK": "Pakistan", "CD": "Congo, The Democratic Republic of the", "COD": "Congo, The Democratic Republic of the", "XX": "XX", "": ""} {
		if got := Name(code); got != want {
			t.Errorf("Name(%q) = %q, want %q", code, got, want)
		}
	}
	if len(byAlpha2) != len(table) {
		t.Errorf("%d alpha-2 codes for %d entries: a code is repeated", len(byAlpha2), len(table))
	}
}

// TestNormalize: every ISO 3166-1 form, any case, reads as alpha-3; a
// user-assigned or unknown code does not.
func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"CHN": "CHN", "chn": "CHN", "CN": "CHN", "cn": "CHN", "156": "CHN", " RU ": "RUS", "IR": "IRN", "kp": "PRK", "586": "PAK"} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "XX", "XXX", "999", "China"} {
		if got, ok := Normalize(in); ok {
			t.Errorf("Normalize(%q) = %q, want refused", in, got)
		}
	}
}
