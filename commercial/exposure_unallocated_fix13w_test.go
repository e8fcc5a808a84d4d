package commercial_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// fix13w item 2: a lot shipped and not invoiced that several contracts
// could invoice was left out of the exposure without a word. Lot
// EXP-AMB (B/L 2 Sep 2025, 100 000 kg at 9 % = 91 dmt, Cu 24 %, Au 4 g/t)
// can be invoiced under the demo copper contract and under T-CU-B, the
// same terms between the same parties. It is now listed as unallocated —
// could be invoiced under either — with its contained metal, every
// payable at 100 % with no deduction, as no contract's terms apply yet:
//
//	Cu 24 % × 91 t = 21.84 t = 21 840 kg
//	Au 4 g/t × 91 t = 364 g = 0.364 kg
//
// and the totals say how much is unallocated (UnallocatedKg, the sum of
// the unallocated lots' contained metal; UnallocatedLots their number),
// while the long, short, priced and unpriced totals leave it out (its
// side and fixing days wait on the contract that invoices it).
func TestExposureListsUnallocatedLots(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	cu := commercial.DemoContractFor[commercial.DemoCopperLot]
	before, err := s.Exposure(ctx, asOfDay(t, "2025-11-03"), "")
	if err != nil {
		t.Fatal(err)
	}
	termsFrom(t, s, "demo/cu-2025.json", "T-CU-B", func(map[string]any) {})
	lot := "urn:critmin:test:lot:EXP-AMB"
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	ex, err := s.Exposure(ctx, asOfDay(t, "2025-11-03"), "")
	if err != nil {
		t.Fatal(err)
	}
	var got *commercial.ExposureLot
	n, sumCu := 0, decimal.Zero
	for i := range ex.Lots {
		l := &ex.Lots[i]
		if l.Lot == lot {
			got = l
		}
		if l.Unallocated && l.NotValued == "" {
			n++
			sumCu = sumCu.Add(l.ContainedKg["Cu"])
		}
	}
	if got == nil {
		t.Fatalf("lot %s, shipped and not invoiced, which %s and T-CU-B could invoice, is not in the exposure", lot, cu)
	}
	if !got.Unallocated || got.Contract != "" || !slices.Contains(got.CouldBeUnder, cu) || !slices.Contains(got.CouldBeUnder, "T-CU-B") {
		t.Errorf("lot %+v; want unallocated, no contract, could be under %s and T-CU-B", got, cu)
	}
	if !strings.Contains(got.Note, "unallocated — could be invoiced under contracts") || !strings.Contains(got.Note, "T-CU-B") {
		t.Errorf("note %q", got.Note)
	}
	eq(t, "dmt", got.DMT, "91")
	eq(t, "contained Cu kg", got.ContainedKg["Cu"], "21840")
	eq(t, "contained Au kg", got.ContainedKg["Au"], "0.364")
	if ex.UnallocatedLots != n || n == 0 {
		t.Errorf("unallocated lots %d; want %d (those listed)", ex.UnallocatedLots, n)
	}
	eq(t, "unallocated Cu kg", ex.UnallocatedKg["Cu"], sumCu.String())
	// The allocated totals are unchanged by it: it is in no side yet.
	eq(t, "long Cu kg", ex.Long["Cu"], before.Long["Cu"].String())
	eq(t, "priced + unpriced Cu kg", ex.Priced["Cu"].Add(ex.Unpriced["Cu"]), before.Priced["Cu"].Add(before.Unpriced["Cu"]).String())
}
