package http_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// TestStatementAPISaysCreditCapped (issue 9, fix9j 1): mbDoc with run E1
// consuming 100.5 t of lot A's 100 dmt (100 × 1.005, within the
// consumption tolerance). The statement JSON credits 100 × 5 % × 0.9 =
// 4.5 t Nd+Pr, not 100.5 × 5 % × 0.9 = 4.5225 t, and says why on the
// Pakistan line (notes) and the credit entry (note).
func TestStatementAPISaysCreditCapped(t *testing.T) {
	ts := MustServe(t, true, nil)
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	if resp, b := do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "0.9", 1)), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	over := strings.Replace(mbDoc, `"inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100,`, `"inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100.5,`, 1)
	if over == mbDoc {
		t.Fatal("the run's input line was not found")
	}
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(over)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", base+"/statement?period=2025-10", "", nil, nil)
	body := string(b)
	if resp.StatusCode != 200 || !strings.Contains(body, `"credits": 4.5,`) || strings.Contains(body, "4.5225") {
		t.Errorf("statement: %d %s, want credits in 4.5 t", resp.StatusCode, body)
	}
	const note = "capped at what lot urn:t:lot:A contains: the run consumed 100.5 dmt of a lot of 100 dmt"
	if !strings.Contains(body, `"notes": [`) || !strings.Contains(body, `"note": "`+note) {
		t.Errorf("statement does not say the credit is capped (%q):\n%s", note, body)
	}
}
