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
