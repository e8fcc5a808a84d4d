package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportNothingNewDisablesButton (issue 15, fix15v item 3): a file
// whose every row is already recorded (weighbridge ticket V9 imported,
// then checked again as it was) has nothing new to store; the button
// read "Import 0 valid of 1 row" and was enabled. It is disabled and
// says there is nothing new to import.
func TestImportNothingNewDisablesButton(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	wb := func(step string) url.Values {
		return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "step": {step},
			"csv":        {"Ticket,Lot No,Weighed at,Net (kg)\nV9,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,24950\n"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	if resp, page := postImport(t, ts, wb("capture")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first import: %d\n%s", resp.StatusCode, page)
	}
	resp, page := postImport(t, ts, wb("check"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1 already recorded</strong>") {
		t.Fatalf("check again: %d\n%s", resp.StatusCode, page)
	}
	button := regexp.MustCompile(`<button [^>]*id="capture-button"[^>]*>[^<]*</button>`).FindString(page)
	if !strings.Contains(button, "disabled") || !strings.Contains(button, "nothing new to import") || strings.Contains(button, "0 valid") {
		t.Errorf("capture button with every row already recorded: %q; want it disabled, saying nothing new to import", button)
	}
}
