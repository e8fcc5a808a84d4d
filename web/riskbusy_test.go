package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/risk"
)

// TestRiskPageStockpileBounded (issue 14, fix14 item 3): the risk page's
// stockpile sizing takes a slot of the same bound as the API's runs.
// With the one slot held and no queue, the page is still shown (200),
// without the sizing, saying why; with the slot free it has the sizing.
func TestRiskPageStockpileBounded(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	ts.StockpileGate = risk.NewGate(1, 0, time.Minute)
	hold, err := ts.StockpileGate.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Authorization": "Bearer " + viewerSecret, "Accept": "text/html"}
	resp, b := send(t, "GET", ts.URL+"/risk?commodity=antimony", nil, hdr)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `id="stockpile-busy"`) || strings.Contains(string(b), `id="stockpile-required"`) {
		t.Errorf("slot held: %d; want the page without the sizing, saying why", resp.StatusCode)
	}
	hold()
	resp, b = send(t, "GET", ts.URL+"/risk?commodity=antimony", nil, hdr)
	if resp.StatusCode != 200 || strings.Contains(string(b), `id="stockpile-busy"`) || !strings.Contains(string(b), `id="stockpile-required"`) {
		t.Errorf("slot free: %d; want the sizing", resp.StatusCode)
	}
}
