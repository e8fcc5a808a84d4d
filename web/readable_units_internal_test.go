package web

import (
	"strings"
	"testing"
)

// TestMessagesShowUnitSymbolsAndNoDoubledEvent (issue 15: a lab import
// said "46.5 P1 … this one says 47 P1" and "event event 130a6d0a…"): a
// message on a page writes UN/CEFACT Rec 20 codes after a figure as their
// symbols (P1 %, KGM kg, TNE t, GRM g) and names an event once.
func TestMessagesShowUnitSymbolsAndNoDoubledEvent(t *testing.T) {
	msg := "lot urn:critmin:demo:lot:REE-2025-003 already has a Nd2O3 concentration reading of 46.5 P1 at 2025-09-01T00:00:00Z (event urn:uuid:130a6d0a-1111-4111-8111-111111111111), and this one says 47 P1; shipped 30000 KGM, 30 TNE, 500 GRM. If the earlier reading is wrong, declare event urn:uuid:130a6d0a-1111-4111-8111-111111111111 in error"
	got := visible(string(refNames{}.readable(msg)))
	for _, bad := range []string{" P1", " KGM", " TNE", " GRM", "event event"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q left in %q", bad, got)
		}
	}
	for _, want := range []string{"46.5 %", "47 %", "30000 kg", "30 t", "500 g", "(event 130a6d0a…)", "declare event 130a6d0a… in error"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not in %q", want, got)
		}
	}
}

// visible is HTML with its tags dropped.
func visible(h string) string {
	var b strings.Builder
	in := false
	for _, r := range h {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestMessagesWordCritminTerms (issue 15: the Mine field's error said
// "cm:originMine … (cm:siteKind port)"): critmin's terms read as words.
func TestMessagesWordCritminTerms(t *testing.T) {
	got := visible(string(refNames{}.readable("cm:originMine urn:critmin:demo:site:karachi is a port in master data (cm:siteKind port), not a mine")))
	if strings.Contains(got, "cm:") || !strings.Contains(got, "origin mine karachi is a port in master data (site kind port)") {
		t.Errorf("readable: %q", got)
	}
}
