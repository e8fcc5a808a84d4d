package epcis_test

import (
	"testing"

	"github.com/critmin/critmin/epcis"
)

// TestCanonicalEventID: the spellings of one eventID that RFC 8141 §3.1
// (URN scheme and NID), RFC 9562 §4 (UUID hex digits) and RFC 6920 §3 /
// CBV 2.0 §8.9 (hash IDs) make equal come out as one; what the standards
// leave case-sensitive (a URN's NSS outside urn:uuid, other schemes) is
// kept.
func TestCanonicalEventID(t *testing.T) {
	hex := "3f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192"
	cases := []struct{ in, want string }{
		{"urn:uuid:AB000000-0000-4000-8000-0000000000CD", "urn:uuid:ab000000-0000-4000-8000-0000000000cd"},
		{"URN:UUID:ab000000-0000-4000-8000-0000000000cd", "urn:uuid:ab000000-0000-4000-8000-0000000000cd"},
		{"URN:critmin:event:E-1", "urn:critmin:event:E-1"},
		{"urn:CritMin:event:E-1", "urn:critmin:event:E-1"},
		{"Urn:CRITMIN:event:e-1", "urn:critmin:event:e-1"},
		{"urn:critmin:event:E-1", "urn:critmin:event:E-1"},
		{"URN:epc-x:A", "urn:epc-x:A"},
		{"URN:a:x", "URN:a:x"},         // a one-letter NID is no URN (RFC 8141 §2): kept
		{"URN:-ab:x", "URN:-ab:x"},     // a NID does not begin with a hyphen: kept
		{"urn:critmin", "urn:critmin"}, // no NSS: kept
		{"https://Example.org/E-1", "https://Example.org/E-1"},
		{"NI:///SHA-256;" + "3F5A6B7C8D9E0F1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192" + "?VER=cbv2.0", "ni:///sha-256;" + hex + "?ver=CBV2.0"},
	}
	for _, c := range cases {
		if got := epcis.CanonicalEventID(c.in); got != c.want {
			t.Errorf("CanonicalEventID(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
