package commercial_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// saveHook is a store whose SaveInvoice first runs before: the seam
// between Issue's settlement (its reads) and the invoice's write.
type saveHook struct {
	critmin.Store
	before func()
}

func (h *saveHook) SaveInvoice(ctx context.Context, inv *critmin.StoredInvoice) error {
	if h.before != nil {
		h.before()
		h.before = nil
	}
	return h.Store.SaveInvoice(ctx, inv)
}

// TestLotEventBetweenSettleAndWrite: an event captured on the lot after
// Issue settled it and before the invoice is written (here: an inspection
// of REE lot 1 on 5 Oct 2025) changes what the settlement read, so the
// write is refused with ECONFLICT naming the lot, and nothing is left: no
// invoice, no invoice event on the lot. Before, only the terms, the QP
// declarations and the price series were re-checked, and the invoice was
// stored on the lot's older events. Issued again, the invoice rests on
// the lot's events as they now stand and is stored.
func TestLotEventBetweenSettleAndWrite(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lotev.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := ledger.NewService(db)
	if _, err := demo.Load(ctx, l); err != nil {
		t.Fatal(err)
	}
	hook := &saveHook{Store: db}
	s := commercial.NewService(l)
	s.Store = hook
	s.Now = func() time.Time { return commercial.DemoNow } // the demo prices run to 31 Dec 2025
	if _, err := s.ImportPrices(ctx, mustOpen(t, "demo/prices.csv"), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveContract(ctx, []byte(mustFile(t, "demo/ree-2025.json"))); err != nil {
		t.Fatal(err)
	}
	lot := commercial.DemoREELot1
	contract := commercial.DemoContractFor[lot]
	hook.before = func() {
		capture(t, s, map[string]any{"type": "ObjectEvent", "eventTime": "2025-10-05T10:00:00Z", "eventTimeZoneOffset": "+00:00",
			"eventID": "urn:uuid:5d0c1a52-7c1e-4c55-9a3e-0b7f4f0e1a01", "action": "OBSERVE", "bizStep": "inspecting", "quantityList": qty(lot, 1000)})
	}
	_, err = s.Issue(ctx, contract, lot, commercial.Provisional)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "events of lot "+lot+" changed") || !strings.Contains(err.Error(), "5d0c1a52") {
		t.Fatalf("issue with a capture between settle and write: err = %v, want ECONFLICT naming lot %s and the new event", err, lot)
	}
	if sis, err := db.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot}); err != nil || len(sis) != 0 {
		t.Fatalf("after the refused issue: %d invoices stored (%v), want 0", len(sis), err)
	}
	if n := invoiceEvents(t, db, lot); n != 0 {
		t.Fatalf("after the refused issue: %d invoice events on the lot, want 0", n)
	}
	inv, err := s.Issue(ctx, contract, lot, commercial.Provisional)
	if err != nil {
		t.Fatalf("issue again: %v", err)
	}
	if n := invoiceEvents(t, db, lot); n != 1 {
		t.Fatalf("after issuing again: %d invoice events, want 1 (%s)", n, inv.ID)
	}
}

// invoiceEvents counts the lot's events carrying an inv bizTransaction.
func invoiceEvents(t *testing.T, st critmin.Store, lot string) int {
	t.Helper()
	page, err := st.FindEvents(context.Background(), critmin.LotEventFilter(lot))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range page.Events {
		var raw struct {
			BizTransactionList []struct{ Type string } `json:"bizTransactionList"`
		}
		_ = json.Unmarshal(ev.Raw, &raw)
		for _, bt := range raw.BizTransactionList {
			if strings.HasSuffix(bt.Type, "inv") {
				n++
			}
		}
	}
	return n
}
