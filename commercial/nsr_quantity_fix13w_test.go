package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// fix13w item 3: a lot's NSR comparison rests on the quantity its
// settlement under each sheet rests on (SettlementQuantity), not on the
// loading weight and moisture. Lot NSR-OUT: B/L 100 000 kg at H2O 9 %,
// received 98 000 kg at H2O 10.5 %.
//
// Under the demo copper contract (final at discharge, 0.5 % franchise;
// moisture franchise 10 %, 2 USD/dmt per %) the outturn 98 wmt < 100 ×
// (1 − 0.5 %) = 99.5 stands with its own moisture: 98 × (1 − 10.5 %) =
// 87.71 dmt, and the excess moisture (10.5 − 10) × 2 = −1 USD/dmt is
// deducted. Before the fix the comparison took 100 × (1 − 9 %) = 91 dmt
// and no moisture line.
//
// Under T-LOADW, the same terms final at loading, the loading weight and
// moisture stand: 91 dmt, no excess moisture (9 % ≤ 10 %). The two sheets
// settle on different dry tonnes, so the comparison gives no common dmt,
// each case its own, and each lot value is its NSR × its own dmt.
func TestNSRComparisonOnSettlementQuantity(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NSR-OUT"
	cu := commercial.DemoContractFor[commercial.DemoCopperLot]
	termsFrom(t, s, "demo/cu-2025.json", "T-LOADW", func(m map[string]any) {
		m["weights"] = map[string]any{"final_at": "loading", "franchise_pct": 0.5}
	})
	weighedLot(t, s, lot, 100000, "KGM", 9, 98000, 10.5)
	cmp, err := s.NSRFor(ctx, cu+",T-LOADW", lot, "", asOfDay(t, "2025-11-03"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.DMT != nil {
		t.Errorf("common dmt %s; want none (87.71 under %s, 91 under T-LOADW)", cmp.DMT, cu)
	}
	want := map[string]struct {
		dmt      string
		moisture string // the excess-moisture line per dmt, "" for none
	}{cu: {"87.71", "-1"}, "T-LOADW": {"91", ""}}
	for _, c := range cmp.Cases {
		w := want[c.Contract]
		if c.Error != "" {
			t.Fatalf("%s: %s", c.Contract, c.Error)
		}
		if c.DMT == nil || c.LotValue == nil {
			t.Fatalf("%s: dmt %v, lot value %v; want both", c.Contract, c.DMT, c.LotValue)
		}
		eq(t, c.Contract+" dmt", *c.DMT, w.dmt)
		eq(t, c.Contract+" lot value", *c.LotValue, c.NSRPerDMT.Mul(*c.DMT).Round(2).String())
		got := ""
		for _, l := range c.Lines {
			if l.Code == "moisture" {
				got = l.PerDMT.String()
			}
		}
		if got != w.moisture {
			t.Errorf("%s: excess-moisture line %q per dmt; want %q", c.Contract, got, w.moisture)
		}
		if !strings.Contains(c.DMTBasis, "dmt") {
			t.Errorf("%s: dmt basis %q does not say how", c.Contract, c.DMTBasis)
		}
	}
	// The final settlement under the copper contract rests on the same
	// 87.71 dmt (its weights step is the same function).
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, lot)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := s.Contract(ctx, cu)
	if err != nil {
		t.Fatal(err)
	}
	q, err := commercial.SettlementQuantity(ts, lf, nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "settlement quantity dmt", q.DMT, "87.71")
	eq(t, "settlement quantity moisture", q.MoisturePct, "10.5")
}
