package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// Issue 13, new-user check (fix13k, 2): the agreement's shipped column
// counted invoiced lots only, so shipped could never run ahead of
// invoiced: demo lot REE-2025-003, shipped on B/L BQM-HOU-2025-1112 of 12
// Nov 2025 and not invoiced, was left out. It now counts as shipped under
// FWO-USSM-REE-2025 at its settlement as it stands, a what-if (it has not
// arrived, so the provisional one): 27.6 dmt; basket 0.114286 × 72.16
// (Nd2O3) + 0.041758 × 75.97 (Pr6O11) = 11.4192 USD/kg of TREO; 45.5 %
// TREO × 30 % payable = 136 500 g/dmt × 11.4192 USD/kg = 1 558.725
// USD/dmt × 27.6 = 43 020.81 USD. Rare earths shipped = the invoiced
// lots' values + 43 020.81; invoiced is unchanged (invoice totals only).
func TestAgreementShippedCountsLotsNotYetInvoiced(t *testing.T) {
	s := MustDemo(t)
	s.Now = func() time.Time { return commercial.DemoNow }
	ctx := context.Background()
	p, err := s.Progress(ctx, commercial.DemoAgreement, commercial.DemoNow)
	if err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:demo:lot:REE-2025-003"
	var found *commercial.ShippedLot
	for i := range p.ShippedNotInvoiced {
		if p.ShippedNotInvoiced[i].Lot == lot {
			found = &p.ShippedNotInvoiced[i]
		}
	}
	if found == nil {
		t.Fatalf("shipped not invoiced = %+v; want %s", p.ShippedNotInvoiced, lot)
	}
	eq(t, "REE-2025-003 value", found.Value, "43020.81")
	if found.Contract != "FWO-USSM-REE-2025" || found.BLDate != "2025-11-12" || !strings.HasPrefix(found.Basis, "what-if: not invoiced") {
		t.Errorf("shipped lot = %+v", found)
	}
	for _, c := range p.Commodities {
		if c.Commodity != "rare earths" {
			continue
		}
		// Shipped runs ahead of invoiced by at least the lot not invoiced.
		if !c.Shipped.Sub(c.Invoiced).GreaterThanOrEqual(decimal.RequireFromString("43020.81").Sub(decimal.RequireFromString("0.01"))) {
			t.Errorf("rare earths shipped %s, invoiced %s: want shipped ahead by REE-2025-003's 43 020.81", c.Shipped, c.Invoiced)
		}
	}
	// As of 11 Nov 2025, the day before its B/L, it is not shipped.
	s.Now = func() time.Time { return commercial.DemoNow }
	before, err := s.Progress(ctx, commercial.DemoAgreement, mustDay(t, "2025-11-11"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range before.ShippedNotInvoiced {
		if sl.Lot == lot {
			t.Errorf("as of 2025-11-11: %s counted as shipped before its B/L", lot)
		}
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
