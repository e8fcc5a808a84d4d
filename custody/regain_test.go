package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRegainCountsUnknownOnce (issue 9, new-user check nu38b item 4): a
// lot whose run gained feeds a run that gains again against its capped
// input; the unknown part it brought is counted once, never re-scaled.
// At controlled-blending site b (docs/origin.md, the 80.8 % example):
//
//	W, Pakistan, 10 t at Nd 1 % → 0.1 t Nd
//	R: W 10 t → WO 0.1 t at Nd 60 % (0.06 t: balanced)
//	WO weighed at 1.5 t: 0.9 t Nd by its assay, capped at 0.1 t
//	  (Pakistan); 0.8 t of no recorded input (unknown origin)
//	X, Myanmar, 9 t at Nd 1 % → RX → XO 0.15 t at Nd 60 % = 0.09 t
//	RB: WO 1.5 t + XO 0.15 t → BO 1.65 t at Nd 60 % = 0.99 t
//	  RB's input as recorded: 0.1 + 0.09 = 0.19 t < 0.99 t: element_gain
//	  on RB, BO capped at 0.19 t. But its inputs' whole content is
//	  0.9 + 0.09 = 0.99 t — 0.1 t Pakistan, 0.8 t unknown, 0.09 t
//	  Myanmar — all of which BO holds: BO's Nd is
//	    Pakistan 0.1 / 0.99 = 10.10 %, unknown 0.8 / 0.99 = 80.81 %,
//	    Myanmar 0.09 / 0.99 = 9.09 %,
//	  0.8 t of it of unknown origin — never WO's mix re-scaled by
//	  0.19 / 0.99 (Pakistan 1.94 %, unknown 96.3 %, Myanmar 1.74 %).
//	RB2: BO 1.65 t → BO2 2 t at Nd 60 % = 1.2 t: 0.21 t beyond BO's
//	  whole 0.99 t is new unknown metal: Pakistan 0.1 / 1.2 = 8.33 %,
//	  Myanmar 0.09 / 1.2 = 7.5 %, unknown (0.8 + 0.21) / 1.2 = 84.17 %.
func TestRegainCountsUnknownOnce(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:1"),
		feed("X", "ree_concentrate", "MMR", 9, "Nd:1"),
		runOf("R", "b", "2025-10-10T00:00:00Z", []string{"W:10"}, product{lot: "WO", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60"}}),
		runOf("RX", "b", "2025-10-10T00:00:00Z", []string{"X:9"}, product{lot: "XO", commodity: "ndpr_oxide", t: 0.15, assays: []string{"Nd:60"}}),
		weighing("weigh", "2025-10-20T00:00:00Z", "WO", 1.5),
	))
	svc := ledger.NewService(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(
		runOf("RB", "b", "2025-10-22T00:00:00Z", []string{"WO:1.5", "XO:0.15"}, product{lot: "BO", commodity: "ndpr_oxide", t: 1.65, assays: []string{"Nd:60"}}))}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(
		runOf("RB2", "b", "2025-10-23T00:00:00Z", []string{"BO:1.65"}, product{lot: "BO2", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60"}}))}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lot               string
		nd, pak, mmr, unk float64
		recorded          float64
		gainRun           string
	}{
		{"BO", 0.99, 0.1, 0.09, 0.8, 0.19, "urn:t:ev:RB"},
		{"BO2", 1.2, 0.1, 0.09, 1.01, 0.19, "urn:t:ev:RB2"},
	}
	for _, tc := range cases {
		l, err := db.FindLot(ctx, "urn:t:lot:"+tc.lot)
		if err != nil {
			t.Fatal(err)
		}
		list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
		if err != nil {
			t.Fatal(err)
		}
		views := map[string]*custody.Composition{"lot list": list[l.ID]}
		for _, evidence := range []bool{true, false} {
			c, err := custody.OriginOf(ctx, db, l.ID, evidence)
			if err != nil {
				t.Fatal(err)
			}
			views[map[bool]string{true: "evidence", false: "kept mix"}[evidence]] = c
		}
		for name, c := range views {
			b := c.Elements["Nd"]
			for key, want := range map[string]float64{"PAK": tc.pak, "MMR": tc.mmr, custody.Unknown: tc.unk} {
				sh := share(b.ByCountry, key)
				if math.Abs(sh.Tonnes-want) > 1e-9 || math.Abs(sh.Share-want/tc.nd) > 1e-9 {
					t.Errorf("%s (%s): Nd %s %.6f t, %.4f %%; want %.6f t, %.4f %%", tc.lot, name, key, sh.Tonnes, 100*sh.Share, want, 100*want/tc.nd)
				}
			}
			if math.Abs(b.Tonnes-tc.nd) > 1e-9 || math.Abs(b.UnknownOrigin-tc.unk) > 1e-9 || math.Abs(b.Recorded()-tc.recorded) > 1e-9 {
				t.Errorf("%s (%s): Nd %.6f t, unknown origin %.6f, recorded %.6f; want %.6f, %.6f, %.6f", tc.lot, name, b.Tonnes, b.UnknownOrigin, b.Recorded(), tc.nd, tc.unk, tc.recorded)
			}
			if name != "lot list" {
				gain := false
				for _, a := range c.Anomalies {
					gain = gain || a.Kind == "element_gain" && strings.Contains(a.Detail, tc.gainRun)
				}
				if !gain {
					t.Errorf("%s (%s): no element_gain on %s: %+v", tc.lot, name, tc.gainRun, c.Anomalies)
				}
			}
		}
		if v := dfarsOf(t, db, l.ID); v.Status == custody.Pass {
			t.Errorf("%s: dfars passes on metal of unknown origin: %q", tc.lot, v.Detail)
		}
	}
}
