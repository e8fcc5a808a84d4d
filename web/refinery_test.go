package web_test

import (
	"strings"
	"testing"
)

// The refinery page shows the demo month reconciled live (flowsheet,
// one Sankey per element, the reconciliation table); after the period is
// closed through the API it shows the signed-off period, the recovery by
// period and the audit trail.
func TestRefineryPage(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/refinery", "", nil, nil)
	page := string(b)
	if resp.StatusCode != 200 {
		t.Fatalf("refinery page: %d %s", resp.StatusCode, b)
	}
	for _, want := range []string{`class="flowsheet"`, `aria-label="deportment of Th"`, `id="refinery-table"`, "residue_storage", "global test <strong class=\"global-test\">pass</strong>", "No closed period yet"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, `class="sankey"`); n != 8 {
		t.Errorf("%d Sankey diagrams, want 8 (one per element)", n)
	}
	_, demo := do(t, "GET", ts.URL+"/api/v1/refinery/demo", "", nil, nil)
	if resp, b := do(t, "POST", ts.URL+"/api/v1/refinery/close", operatorSecret, demo, nil); resp.StatusCode != 201 {
		t.Fatalf("close: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/refinery?site=urn:critmin:demo:site:pk-refinery&period=2025-10", "", nil, nil)
	page = string(b)
	if resp.StatusCode != 200 || !strings.Contains(page, "<strong>closed</strong> by operator") || !strings.Contains(page, `id="refinery-periods"`) || !strings.Contains(page, `id="refinery-trail"`) {
		t.Errorf("closed period page: %d", resp.StatusCode)
	}
	resp, _ = do(t, "GET", ts.URL+"/refinery?site=urn:critmin:demo:site:pk-refinery&period=2025-09", "", nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("a period never closed: %d, want 404", resp.StatusCode)
	}
}
