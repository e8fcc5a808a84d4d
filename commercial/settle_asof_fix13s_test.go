package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// TestSettlementAsOf (fix13s item 3): a settlement as of a day is the
// lot as the records stood then. The demo copper lot's provisional
// invoice is issued 2025-09-03 (113 938.96 USD) and its final 2025-11-05:
// as of 2025-09-05 the settlement lists the provisional invoice only and
// its provisional amount is that invoice's 113 938.96; today it lists
// both. A day after today is refused naming as_of, and so is a day
// before the lot's first weighing: "no settlement as of …".
func TestSettlementAsOf(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	now, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	if len(now.Invoices) != 2 || now.AsOf != "" {
		t.Fatalf("today: %d invoices, as_of %q; want 2 and no as_of", len(now.Invoices), now.AsOf)
	}
	v, _, err := s.ValueAsOf(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot, asOfDay(t, "2025-09-05"))
	if err != nil {
		t.Fatal(err)
	}
	if v.AsOf != "2025-09-05" || len(v.Invoices) != 1 || v.Invoices[0].Kind != commercial.Provisional {
		t.Fatalf("as of 2025-09-05: as_of %q, %d invoices; want the provisional only", v.AsOf, len(v.Invoices))
	}
	eq(t, "provisional amount as of 2025-09-05", v.ProvAmount, "113938.96")
	if v.Figures == now.Figures {
		t.Errorf("as of 2025-09-05 the figures are %q, as today's; want not the issued final invoice", v.Figures)
	}
	_, _, err = s.ValueAsOf(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot, s.Now().AddDate(0, 0, 3))
	if !hasField(err, "/as_of") {
		t.Errorf("as of a day after today: %v; want refused naming as_of", err)
	}
	_, _, err = s.ValueAsOf(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot, asOfDay(t, "2020-01-01"))
	if !hasField(err, "/as_of") || !strings.Contains(err.Error(), "no settlement as of 2020-01-01") || !strings.Contains(err.Error(), "loading weighing is dated 2025-") {
		t.Errorf("as of 2020-01-01: %v; want 'no settlement as of 2020-01-01' naming the first weighing, on as_of", err)
	}
}
