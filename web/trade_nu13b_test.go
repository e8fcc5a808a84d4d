package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// Issue 13, second check: the settlement page of a lot with an issued
// final invoice shows its figures and flags a late price imported as a
// correction (naming the day); the page of a lot whose B/L was retracted
// is served (200) with its invoice and "not computable", and the exposure
// page lists it.
func TestTradePagesIssuedAndRetracted(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	tr := ts.Trade()
	if _, err := commercial.LoadDemo(ctx, tr); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../commercial/testdata/late-sb.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tr.ImportPriceCorrections(ctx, f, commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/settlement?contract=FWO-USSM-SB-2025&lot="+url.QueryEscape(commercial.DemoAntimonyLot), viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "settle-differs") || !strings.Contains(string(b), "2025-10-31") || !strings.Contains(string(b), "-263.28") {
		t.Errorf("antimony settlement page: %d; want the issued balance -263.28 and the late day flagged", resp.StatusCode)
	}
	// Retract the NdPr lot's B/L (provisional invoice only).
	v, _, err := tr.Value(ctx, "USSM-NDPR-FLOOR-2025", commercial.DemoNdPrLot)
	if err != nil {
		t.Fatal(err)
	}
	page, err := tr.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{v.Facts.BLEvent}, Limit: 1})
	if err != nil || len(page.Events) != 1 {
		t.Fatal(err)
	}
	body, _ := epcis.EventWithContext(page.Events[0])
	var ev map[string]any
	_ = json.Unmarshal(body, &ev)
	ev["errorDeclaration"] = map[string]any{"declarationTime": "2025-11-20T09:00:00Z", "reason": "incorrect_data"}
	c := ev["@context"]
	delete(ev, "@context")
	body, _ = json.Marshal(map[string]any{"@context": c, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-20T09:00:00Z", "epcisBody": map[string]any{"eventList": []any{ev}}})
	if _, err := tr.Ledger.Capture(ctx, ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatal(err)
	}
	resp, b = do(t, "GET", ts.URL+"/trade/settlement?contract=USSM-NDPR-FLOOR-2025&lot="+url.QueryEscape(commercial.DemoNdPrLot), viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "settle-not-computable") || !strings.Contains(string(b), "settle-invoices") {
		t.Errorf("NdPr settlement page after the B/L retraction: %d", resp.StatusCode)
	}
	resp, b = do(t, "GET", ts.URL+"/trade/exposure?as_of=2025-11-25", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "not valued") {
		t.Errorf("exposure page after the B/L retraction: %d", resp.StatusCode)
	}
}
