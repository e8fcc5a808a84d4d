package commercial_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// QP declarations are dated by the service's clock (record time) and
// checked when made. The demo copper lot's B/L is dated 2 Sep 2025; the
// copper contract pays Cu and Au, declared by the buyer, months 0, +1, +2.
func TestDeclareRules(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	b, err := os.ReadFile("demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	// A second contract on the same terms, with no invoice for the lot.
	if _, err := s.SaveContract(ctx, []byte(strings.Replace(string(b), `"FWO-USSM-CU-2025"`, `"T-CU-DECL"`, 1))); err != nil {
		t.Fatal(err)
	}
	lot := commercial.DemoCopperLot
	s.Now = func() time.Time { return time.Date(2025, 9, 2, 18, 0, 0, 0, time.UTC) }
	// On the B/L date: accepted, and the caller's backdated time is replaced
	// by the record time.
	d := &critmin.QPDeclaration{Contract: "T-CU-DECL", Lot: lot, Element: "Cu", Month: 2, Party: "buyer", DeclaredAt: time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)}
	if err := s.Declare(ctx, d); err != nil {
		t.Fatal(err)
	}
	if !d.DeclaredAt.Equal(s.Now()) {
		t.Errorf("declared at %s, want the record time %s", d.DeclaredAt, s.Now())
	}
	refused := []struct {
		name, field string
		now         time.Time
		d           critmin.QPDeclaration
	}{
		// 3 Sep is after the 2 Sep B/L date, whatever DeclaredAt says.
		{"late", "lot", time.Date(2025, 9, 3, 0, 0, 1, 0, time.UTC),
			critmin.QPDeclaration{Contract: "T-CU-DECL", Lot: lot, Element: "Cu", Month: 1, Party: "buyer", DeclaredAt: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}},
		// The contract pays Cu and Au only.
		{"unpaid element", "element", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
			critmin.QPDeclaration{Contract: "T-CU-DECL", Lot: lot, Element: "Zn", Month: 1, Party: "buyer"}},
		// The demo issued this lot's final invoice under the demo contract.
		{"after the final invoice", "lot", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
			critmin.QPDeclaration{Contract: "FWO-USSM-CU-2025", Lot: lot, Element: "Cu", Month: 2, Party: "buyer"}},
		{"month not an option", "month", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
			critmin.QPDeclaration{Contract: "T-CU-DECL", Lot: lot, Element: "Cu", Month: 3, Party: "buyer"}},
		{"unknown lot", "lot", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
			critmin.QPDeclaration{Contract: "T-CU-DECL", Lot: "urn:nope", Element: "Cu", Month: 1, Party: "buyer"}},
	}
	for _, r := range refused {
		s.Now = func() time.Time { return r.now }
		d := r.d
		err := s.Declare(ctx, &d)
		if critmin.ErrorCode(err) != critmin.EINVALID || fieldOf(err) != jsonPointer(r.field) {
			t.Errorf("%s: err = %v (field %q), want EINVALID on %s", r.name, err, fieldOf(err), r.field)
		}
	}
	ds, err := s.Store.ListDeclarations(ctx, "FWO-USSM-CU-2025", lot)
	if err != nil || len(ds) != 0 {
		t.Errorf("declarations under the invoiced contract: %v, %v", ds, err)
	}
}

// A lot invoiced under one contract is not invoiced again under another
// between the same parties: the demo copper lot has its provisional
// invoice under FWO-USSM-CU-2025, so issuing one under a copy of that
// contract is ECONFLICT naming the first contract, and nothing is stored.
func TestNoDoubleBilling(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	b, err := os.ReadFile("demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveContract(ctx, []byte(strings.Replace(string(b), `"FWO-USSM-CU-2025"`, `"T-CU-TWICE"`, 1))); err != nil {
		t.Fatal(err)
	}
	_, err = s.IssueAt(ctx, "T-CU-TWICE", commercial.DemoCopperLot, commercial.Provisional, time.Date(2025, 9, 4, 0, 0, 0, 0, time.UTC))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "FWO-USSM-CU-2025") {
		t.Fatalf("second contract's invoice: %v, want ECONFLICT naming FWO-USSM-CU-2025", err)
	}
	if invs, _ := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Contract: "T-CU-TWICE"}); len(invs) != 0 {
		t.Errorf("stored %d invoices under the second contract", len(invs))
	}
}

// The demo's NdPr oxide lot ships on an illustrative B/L of 27 Oct 2025 and
// is invoiced under USSM-NDPR-FLOOR-2025: 1 150 kg, Nd2O3 74.5 % + Pr6O11
// 24.8 % = 99.3 % ≥ 99 %, the agency's last price on or before 27 Oct
// below the 110 USD/kg floor, so 1.150 dmt × 1 000 kg × 110 = 126 500.00
// USD at the 100 % provisional share.
func TestDemoNdPrFloorInvoice(t *testing.T) {
	s := MustDemo(t)
	inv, err := s.Invoice(context.Background(), commercial.InvoiceID("USSM-NDPR-FLOOR-2025", commercial.DemoNdPrLot, commercial.Provisional))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "NdPr invoice", inv.Total, "126500.00")
	if f := lineFormula(t, inv.Lines, "payable:NdPr oxide"); !strings.Contains(f, "floor 110) = 110 USD/kg (the floor applies)") {
		t.Errorf("formula %s", f)
	}
}
