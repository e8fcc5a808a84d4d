package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// An invoice resting on an event later declared in error (here the
// antimony lot's bill of lading, "incorrect_data") is served with the
// retraction named: which event, when, why; the exposure names it too.
// Before, it was served with no warning.
func TestInvoiceFlagsRetractedEvent(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	id := commercial.InvoiceID("FWO-USSM-SB-2025", commercial.DemoAntimonyLot, commercial.Provisional)
	inv, err := s.Invoice(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Retracted) != 0 || inv.Warning() != "" {
		t.Fatalf("before any retraction: %+v", inv.Retracted)
	}
	v, _, err := s.Value(ctx, "FWO-USSM-SB-2025", commercial.DemoAntimonyLot)
	if err != nil {
		t.Fatal(err)
	}
	bl := v.Facts.BLEvent
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{bl}, Limit: 1})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("B/L event %s: %v", bl, err)
	}
	body, err := epcis.EventWithContext(page.Events[0])
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	ev["errorDeclaration"] = map[string]any{"declarationTime": "2025-12-01T09:00:00Z", "reason": "incorrect_data"}
	ctxt := ev["@context"]
	delete(ev, "@context")
	body, _ = json.Marshal(map[string]any{"@context": ctxt, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T09:00:00Z",
		"epcisBody": map[string]any{"eventList": []any{ev}}})
	if _, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatal(err)
	}
	inv, err = s.Invoice(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Retracted) != 1 || inv.Retracted[0].EventID != bl || inv.Retracted[0].Reason == "" || inv.Retracted[0].DeclaredAt.Format("2006-01-02") != "2025-12-01" {
		t.Fatalf("retracted = %+v; want the B/L event %s declared in error on 2025-12-01 (incorrect_data)", inv.Retracted, bl)
	}
	if w := inv.Warning(); !strings.Contains(w, bl) || !strings.Contains(w, "declared in error") {
		t.Errorf("warning %q", w)
	}
	ex, err := s.Exposure(ctx, time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	flagged := false
	for _, l := range ex.Lots {
		if l.Contract == "FWO-USSM-SB-2025" {
			flagged = len(l.Retracted) == 1 && l.Retracted[0].EventID == bl
		}
	}
	if !flagged {
		t.Errorf("exposure does not name the retracted B/L of the antimony lot: %+v", ex.Lots)
	}
	b, _ := json.Marshal(inv)
	if !strings.Contains(string(b), `"retracted_events"`) {
		t.Errorf("invoice JSON lacks retracted_events: %s", b)
	}
}
