package cli

import "testing"

// TestKeyFileNameEscapes (fix1213c item 5): a database name becomes a
// file name with every byte outside [A-Za-z0-9._-] (and a leading '.')
// escaped as %XX: "a/b" → "a%2Fb", ".x y" → "%2Ex%20y", "Ün" → "%C3%9Cn"
// (Ü is UTF-8 C3 9C).
func TestKeyFileNameEscapes(t *testing.T) {
	for in, want := range map[string]string{"critmin_test_1": "critmin_test_1", "a/b": "a%2Fb", ".x y": "%2Ex%20y", "Ün": "%C3%9Cn", "..": "%2E."} {
		if got := keyFileName(in); got != want {
			t.Errorf("keyFileName(%q) = %q, want %q", in, got, want)
		}
	}
}
