package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestBillOfLadingPlainNumber (nu39c item 4): a port operator types the
// B/L as printed. "KHI 2025 0901" was refused with the hint
// "urn:critmin:bol:KHI 2025 0901", spaces and all; a plain number is now
// recorded as urn:critmin:bol: and the number, spaces as dashes, and one
// with other marks is refused with a value that would be accepted.
func TestBillOfLadingPlainNumber(t *testing.T) {
	for in, want := range map[string]string{
		"KHI 2025 0901":                  "urn:critmin:bol:KHI-2025-0901",
		" KHI-2025-0901 ":                "urn:critmin:bol:KHI-2025-0901",
		"MAEU/123.45":                    "urn:critmin:bol:MAEU/123.45",
		"urn:critmin:demo:bol:KHI-HOU-1": "urn:critmin:demo:bol:KHI-HOU-1",
	} {
		if got, ok := bolURI(in); !ok || got != want {
			t.Errorf("bolURI(%q) = %q %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := bolURI("KHI#2025 0901"); ok {
		t.Errorf("KHI#2025 0901 read")
	}
	var ship *recordForm
	for _, f := range recordForms {
		if f.ID == "ship" {
			ship = f
		}
	}
	if ship == nil {
		t.Fatal("no ship form")
	}
	errs := ship.valueErrors(url.Values{"bol": {"KHI 2025 0901"}})
	for _, e := range errs {
		if e.Pointer == "bol" {
			t.Errorf("plain B/L with spaces refused: %s", e.Reason)
		}
	}
	errs = ship.valueErrors(url.Values{"bol": {"KHI#2025 0901"}})
	found := false
	for _, e := range errs {
		if e.Pointer == "bol" {
			found = true
			if !strings.Contains(e.Reason, "(KHI2025-0901)") {
				t.Errorf("hint: %s", e.Reason)
			}
		}
	}
	if !found {
		t.Errorf("KHI#2025 0901 not refused")
	}
}
