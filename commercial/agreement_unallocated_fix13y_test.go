package commercial_test

import (
	"context"
	"slices"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// TestAgreementLeavesUnallocatedLotsOut (fix13y, issue 13 r13 finding 2):
// the agreement and the exposure allocate a shipped, uninvoiced lot by
// one rule (CandidateContracts). Lot EXP-AMB (B/L 2 Sep 2025, 100 000 kg
// at 9 % = 91 dmt, Cu 24 %, Au 4 g/t, FWO's) is first invoiceable under
// the demo copper contract alone: the agreement counts it as shipped under
// it, a what-if. Once T-CU-B (the same terms between the same parties)
// is stored, the lot could be under either: the exposure lists it as
// unallocated, and the agreement must too — not credit it to the copper
// tranche (before, it was still "shipped, not invoiced … under
// FWO-USSM-CU-2025" with its value in the shipped total). So shipped
// falls back by exactly the lot's what-if value:
// shipped(after) = shipped(before) − value(EXP-AMB).
func TestAgreementLeavesUnallocatedLotsOut(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	cu := commercial.DemoContractFor[commercial.DemoCopperLot]
	lot := "urn:critmin:test:lot:EXP-AMB"
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	asOf := asOfDay(t, "2025-11-03")

	one, err := s.Progress(ctx, "USSM-FWO-MOU-2025", asOf)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(one.ShippedNotInvoiced, func(sl commercial.ShippedLot) bool { return sl.Lot == lot })
	if i < 0 {
		t.Fatalf("with one contract able to invoice it, lot %s is not shipped under %s: %+v", lot, cu, one.ShippedNotInvoiced)
	}
	value := one.ShippedNotInvoiced[i].Value

	termsFrom(t, s, "demo/cu-2025.json", "T-CU-B", func(map[string]any) {})
	two, err := s.Progress(ctx, "USSM-FWO-MOU-2025", asOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range two.ShippedNotInvoiced {
		if sl.Lot == lot {
			t.Errorf("lot %s, which %s and T-CU-B could invoice, is credited to %s: %+v", lot, cu, sl.Contract, sl)
		}
	}
	j := slices.IndexFunc(two.Unallocated, func(u commercial.UnallocatedShipped) bool { return u.Lot == lot })
	if j < 0 {
		t.Fatalf("lot %s not listed as unallocated: %+v", lot, two.Unallocated)
	}
	if u := two.Unallocated[j]; !slices.Contains(u.CouldBeUnder, cu) || !slices.Contains(u.CouldBeUnder, "T-CU-B") || u.BLDate != "2025-09-02" {
		t.Errorf("unallocated %+v; want B/L 2025-09-02 and could be under %s and T-CU-B", u, cu)
	}
	eq(t, "shipped without the unallocated lot", two.Shipped, one.Shipped.Sub(value).String())

	// The exposure says the same of the lot.
	ex, err := s.Exposure(ctx, asOf, "")
	if err != nil {
		t.Fatal(err)
	}
	k := slices.IndexFunc(ex.Lots, func(l commercial.ExposureLot) bool { return l.Lot == lot })
	if k < 0 || !ex.Lots[k].Unallocated || !slices.Equal(ex.Lots[k].CouldBeUnder, two.Unallocated[j].CouldBeUnder) {
		t.Errorf("exposure and agreement disagree on lot %s", lot)
	}
}
