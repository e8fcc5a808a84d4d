package web

import "testing"

// TestPlainNumbersInMessages: a message's numbers in Go's exponent form
// read in plain decimal on a page, thousands grouped, and one too small
// to write out as a power of ten (fix15zi); identifiers keep their text.
func TestPlainNumbersInMessages(t *testing.T) {
	for in, want := range map[string]string{
		"line 1: 2e+06 ppm is over 100 %":              "line 1: 2,000,000 ppm is over 100 %",
		"tare 3e+07 kg is more than gross 2.5e+07 kg":  "tare 30,000,000 kg is more than gross 25,000,000 kg",
		"share 1e-07 is below the smallest, 1e-06":     "share 0.0000001 is below the smallest, 0.000001",
		"moisture −1.5e+06 %":                          "moisture −1,500,000 %",
		"event urn:uuid:1e-4a2b-1e+05 and lot 12e-3ab": "event urn:uuid:1e-4a2b-1e+05 and lot 12e-3ab",
		"sd 1e-300 is below":                           "sd 1 × 10⁻³⁰⁰ is below",
	} {
		if got := plainNumbers(in); got != want {
			t.Errorf("plainNumbers(%q) = %q; want %q", in, got, want)
		}
	}
}
