package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestReceiveFormConflictsAre409 (issue 15, fix15v item 1): a receipt
// that contradicts its shipment on the record is a conflict (409) on the
// Receive form, as on the API, and the page says so. The demo shipped
// REE-2025-003 at 30 t to Houston under BQM-HOU-2025-1112 (2025-11-12):
//   - 31,000 kg at Houston: 31 t > 30 × 1.005 = 30.15 t, heavier than
//     shipped (Lots);
//   - 30,000 kg at Karachi: not the shipment's destination (Site).
//
// Nothing is stored.
func TestReceiveFormConflictsAre409(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	for _, c := range []struct{ name, kg, site, field string }{
		{"heavier than shipped", "31000", "houston", "lots"},
		{"away from the destination", "30000", "karachi", "site"},
	} {
		for _, step := range []string{"preview", "capture"} {
			v := url.Values{"step": {step}, "lots": {"urn:critmin:demo:lot:REE-2025-003 " + c.kg + " KGM"}, "bol": {"urn:critmin:demo:bol:BQM-HOU-2025-1112"},
				"time": {"2025-12-10T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:" + c.site}}
			resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
			if resp.StatusCode != http.StatusConflict || fieldBlock(string(b), c.field) == "" || !strings.Contains(string(b), "conflicts with the record") {
				t.Errorf("%s, %s: %d, want 409 with %s marked and the conflict named; errors %q", c.name, step, resp.StatusCode, c.field, errorSpans(string(b)))
			}
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused receipts", after-before)
	}
}
