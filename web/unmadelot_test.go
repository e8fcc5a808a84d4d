package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/storetest"
)

// TestLotPageUnmade (issue 8 §2): lot urn:t:lot:U is commissioned with
// 10 t (urn:t:ev:U1), all 10 t are fed to run urn:t:ev:U2, then U1 alone
// is declared in error. The run stands (taking nothing), so the lot keeps
// a row, but nothing standing makes it: its page answers 410 naming the
// declaration, as GET /api/v1/lots/{id} does — not a page reading
// "consumed". The run's product urn:t:lot:UP still has its page (200).
func TestLotPageUnmade(t *testing.T) {
	ts := MustServe(t, true, nil)
	for _, d := range storetest.UnmadeLotDocuments {
		if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(d), nil); resp.StatusCode != 202 {
			t.Fatalf("capture: %d %s", resp.StatusCode, b)
		}
	}
	html := map[string]string{"Accept": "text/html"}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:U"), "", nil, html)
	page := string(b)
	if resp.StatusCode != 410 {
		t.Fatalf("lot page of an unmade lot: %d, want 410", resp.StatusCode)
	}
	for _, want := range []string{"not in the record", "The event that made this lot was declared in error", `href="/events/urn:t:ev:U1"`, "incorrect data"} {
		if !strings.Contains(page, want) {
			t.Errorf("unmade lot page does not show %q", want)
		}
	}
	if strings.Contains(page, "Every event that recorded this lot") {
		t.Errorf("unmade lot page reads as if every event were declared: %s", page)
	}
	if resp, _ := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:UP"), "", nil, html); resp.StatusCode != 200 {
		t.Errorf("product lot page: %d, want 200", resp.StatusCode)
	}
}
