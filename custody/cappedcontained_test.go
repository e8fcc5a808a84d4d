package custody_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// weighing is a Mass report of tonnes TNE (dry: moisture 0) on a lot.
func weighing(id, when, lot string, tonnes float64) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": ` + strconv.FormatFloat(tonnes, 'f', -1, 64) + `, "uom": "TNE"}]}]}`
}

// TestCreditsUseCappedContained (issue 9, fix9l W3): mass-balance credits
// count the same capped contained figure the origin does. At site mb:
//
//	residue S, Pakistan, 100 t dry at Nd 1 %, Pr 0.5 % → 1 t Nd, 0.5 t Pr
//	  (residue: not an input of category ree, earns no credit)
//	run U: S 100 t → C 10 t ree_concentrate at Nd 5 %, Pr 2 %
//	  → 0.5 t Nd, 0.2 t Pr (balanced)
//	C weighed at 100 t: would hold 5 t Nd, 2 t Pr > 1 t, 0.5 t in →
//	  element_gain; C counted as 1 t Nd, 0.5 t Pr (element_capped)
//	run O takes 100 t of C: credits 100 × (1/100 + 0.5/100) × 0.9
//	  = 1.5 × 0.9 = 1.35 t Nd+Pr Pakistan — not 100 × 7 % × 0.9 = 6.3;
//	  its product P, 1.8 t at Nd 52 % + Pr 25 % = 0.936 + 0.45 = 1.386 t
//	  (≤ the 1 t Nd, 0.5 t Pr in), holds the credit (fix9c: a run never
//	  credits more than its products contain)
//	E3 takes Chinese CN (credit CHN only); its product
//	K, 2 t of oxide at 60 % Nd + 20 % Pr = 1.6 t claimed Pakistani:
//	  1.6 > 1.35, refused, shortfall 1.6 − 1.35 = 0.25 t.
func TestCreditsUseCappedContained(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("S", "residue", "PAK", 100, "Nd:1", "Pr:0.5"),
		feed("CN", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		runOf("U", "mb", "2025-10-05T00:00:00Z", []string{"S:100"}, product{lot: "C", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:5", "Pr:2"}}),
		weighing("weigh", "2025-10-06T00:00:00Z", "C", 100),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:C", true)
	if err != nil {
		t.Fatal(err)
	}
	// C's assay: 100 t × 5 % = 5 t Nd, × 2 % = 2 t Pr; recorded (capped)
	// 1 and 0.5 t; the other 4 t Nd and 1.5 t Pr of no recorded input
	// earn no credit (nu37a).
	if !near(o.Elements["Nd"].Recorded(), 1) || !near(o.Elements["Pr"].Recorded(), 0.5) || !near(o.Elements["Nd"].UnknownOrigin, 4) || !near(o.Elements["Pr"].UnknownOrigin, 1.5) {
		t.Fatalf("C: Nd %+v, Pr %+v, want recorded 1 and 0.5 t, unknown origin 4 and 1.5 t", o.Elements["Nd"], o.Elements["Pr"])
	}
	svc := ledger.NewService(db)
	svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("O", "mb", "2025-10-10T00:00:00Z", []string{"C:100"}, product{lot: "P", commodity: "ndpr_oxide", t: 1.8, assays: []string{"Nd:52", "Pr:25"}}))}); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Credits-1.35) > 1e-9 {
		t.Fatalf("credits in %v t Nd+Pr, want 1.35 (C's capped 1.5 t × 0.9)", l.Credits)
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E3", "mb", "2025-10-12T00:00:00Z", []string{"CN:10"}, product{lot: "K", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "the balance holds 1.35 t (shortfall 0.25 t)") {
		t.Fatalf("1.6 t claimed on 1.35 t: %v, want refused, shortfall 0.25 t", err)
	}
}

// TestCapReachesLaterRuns (issue 9, fix9l W1): a run's input metal is the
// capped figure of its input lot. At controlled-blending site b:
//
//	W, Pakistan, 10 t at Nd 1 %, Pr 1 % → 0.1 t Nd, 0.1 t Pr
//	R: W 10 t → WO 0.1 t at Nd 60 %, Pr 20 % (0.06, 0.02: balanced)
//	WO weighed at 1.5 t: would hold 0.9 t Nd, 0.3 t Pr → capped at 0.1, 0.1
//	R2: WO 1.5 t → WO2 1 t at Nd 60 %, Pr 20 % → 0.6 t Nd, 0.2 t Pr
//	  R2's input: 1.5 × (0.1 / 1.5) = 0.1 t Nd (not 1.5 × 60 % = 0.9) and
//	  0.1 t Pr: 0.6 > 0.1 × 1.005 and 0.2 > 0.1005 → element_gain on R2,
//	  WO2 capped at 0.1 t Nd, 0.1 t Pr (Pakistan).
//
// Blend: X, Myanmar, 9 t at Nd 1 % → run RX → XO 0.15 t at Nd 60 %
// = 0.09 t Nd (≤ 0.09: balanced, no Pr assay on X or XO). RB: WO 1.5 t +
// XO 0.15 t → BO 0.1 t at Nd 60 %. Nd in: WO 0.1 (capped, Pakistan) +
// XO 0.09 (Myanmar) = 0.19 t ≥ BO's 0.06 t: RB does not gain. But WO's
// whole 0.9 t by its assay goes into the blend — 0.1 t Pakistan and
// 0.8 t of no recorded input, of unknown origin (nu37a) — so BO's Nd is
// Pakistan 0.1 / 0.99 = 10.1 %, unknown 0.8 / 0.99 = 80.8 %, Myanmar
// 0.09 / 0.99 = 9.1 %, never Pakistan 0.9 / 0.99 = 90.9 % by WO's
// uncapped figure counted as Pakistani, nor 0.1 / 0.19 = 52.6 % with the
// unrecorded metal dropped.
func TestCapReachesLaterRuns(t *testing.T) {
	ctx := context.Background()
	base := func() *sqldb.DB {
		return store(t, doc(map[string]string{"b": "controlled_blending"},
			feed("W", "ree_concentrate", "PAK", 10, "Nd:1", "Pr:1"),
			feed("X", "ree_concentrate", "MMR", 9, "Nd:1"),
			runOf("R", "b", "2025-10-10T00:00:00Z", []string{"W:10"}, product{lot: "WO", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60", "Pr:20"}}),
			runOf("RX", "b", "2025-10-10T00:00:00Z", []string{"X:9"}, product{lot: "XO", commodity: "ndpr_oxide", t: 0.15, assays: []string{"Nd:60"}}),
			weighing("weigh", "2025-10-20T00:00:00Z", "WO", 1.5),
		))
	}
	db := base()
	svc := ledger.NewService(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(
		runOf("R2", "b", "2025-10-25T00:00:00Z", []string{"WO:1.5"}, product{lot: "WO2", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}}))}); err != nil {
		t.Fatal(err)
	}
	read := func(id string) []*custody.Composition {
		t.Helper()
		l, err := db.FindLot(ctx, "urn:t:lot:"+id)
		if err != nil {
			t.Fatal(err)
		}
		list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
		if err != nil {
			t.Fatal(err)
		}
		out := []*custody.Composition{list[l.ID]}
		for _, evidence := range []bool{true, false} {
			c, err := custody.OriginOf(ctx, db, l.ID, evidence)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, c)
		}
		return out
	}
	for i, c := range read("WO2") {
		for el, want := range map[string]float64{"Nd": 0.1, "Pr": 0.1} {
			if got := c.Elements[el].Recorded(); !near(got, want) {
				t.Errorf("WO2 (%d): %s %.4f t recorded, want %.4f (R2's capped input)", i, el, got, want)
			}
		}
		gain := false
		for _, a := range c.Anomalies {
			gain = gain || a.Kind == "element_gain" && strings.Contains(a.Detail, "run event urn:t:ev:R2")
		}
		if !gain {
			t.Errorf("WO2 (%d): no element_gain on R2 (%+v)", i, c.Anomalies)
		}
	}
	// The blend, in a ledger of its own (WO is not also fed to R2).
	db = base()
	svc = ledger.NewService(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(
		runOf("RB", "b", "2025-10-22T00:00:00Z", []string{"WO:1.5", "XO:0.15"}, product{lot: "BO", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60"}}))}); err != nil {
		t.Fatal(err)
	}
	for i, c := range read("BO") {
		if got := share(c.Elements["Nd"].ByCountry, "PAK").Share; math.Abs(got-0.1/0.99) > 1e-6 {
			t.Errorf("BO (%d): Nd Pakistan %.4f, want 0.1 / 0.99 = 0.1010", i, got)
		}
		// 0.06 t × 0.8 / 0.99 = 0.048485 t of no recorded input.
		if got := c.Elements["Nd"].UnknownOrigin; math.Abs(got-0.06*0.8/0.99) > 1e-9 {
			t.Errorf("BO (%d): Nd of unknown origin %.6f t, want 0.06 × 0.8 / 0.99 = 0.048485", i, got)
		}
	}
}

// TestCappedOutputsTogetherHoldInput (issue 9, fix9l W2): where a run's
// outputs hold more of an element now than its inputs held, every output
// is scaled by input ÷ Σ outputs now, so that together they hold exactly
// what went in. At site b:
//
//	W, Pakistan, 10 t at Nd 1 %, Pr 1 % → 0.1 t Nd, 0.1 t Pr in
//	R: W 10 t → O1 0.1 t at Nd 35 %, Pr 50 % (0.035, 0.05)
//	            O2 0.1 t at Nd 20 %, Pr 30 % (0.02, 0.03): 0.055, 0.08 out
//	O1 and O2 each weighed at 0.2 t: O1 0.07 t Nd, 0.1 t Pr; O2 0.04 t Nd,
//	0.06 t Pr; now Nd 0.11 t, Pr 0.16 t > 0.1 × 1.005 → element_gain.
//	Capped each on its own (input less the other's produced figure:
//	O1 0.1 − 0.02 = 0.08 ≥ 0.07, O2 0.1 − 0.035 = 0.065 ≥ 0.04) they
//	would keep 0.07 + 0.04 = 0.11 t Nd. Scaled:
//	  Nd: O1 0.07 × 0.1 / 0.11 = 0.063636, O2 0.04 × 0.1 / 0.11 = 0.036364
//	  Pr: O1 0.1 × 0.1 / 0.16 = 0.0625,    O2 0.06 × 0.1 / 0.16 = 0.0375
//	each pair summing to 0.1 t, what W held.
func TestCappedOutputsTogetherHoldInput(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:1", "Pr:1"),
		runOf("R", "b", "2025-10-10T00:00:00Z", []string{"W:10"},
			product{lot: "O1", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:35", "Pr:50"}},
			product{lot: "O2", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:20", "Pr:30"}}),
		weighing("w1", "2025-10-20T00:00:00Z", "O1", 0.2),
		weighing("w2", "2025-10-20T00:00:00Z", "O2", 0.2),
	))
	want := map[string]map[string]float64{
		"O1": {"Nd": 0.07 * 0.1 / 0.11, "Pr": 0.1 * 0.1 / 0.16},
		"O2": {"Nd": 0.04 * 0.1 / 0.11, "Pr": 0.06 * 0.1 / 0.16},
	}
	for _, evidence := range []bool{true, false} {
		sum := map[string]float64{}
		for lot, els := range want {
			l, err := db.FindLot(ctx, "urn:t:lot:"+lot)
			if err != nil {
				t.Fatal(err)
			}
			list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
			if err != nil {
				t.Fatal(err)
			}
			c, err := custody.OriginOf(ctx, db, l.ID, evidence)
			if err != nil {
				t.Fatal(err)
			}
			for el, w := range els {
				for name, got := range map[string]float64{"lot page": c.Elements[el].Recorded(), "lot list": list[l.ID].Elements[el].Recorded()} {
					if !near(got, w) {
						t.Errorf("%s %s (evidence %v): %s %.6f t, want %.6f", lot, name, evidence, el, got, w)
					}
				}
				sum[el] += c.Elements[el].Recorded()
			}
			capped := false
			for _, a := range c.Anomalies {
				capped = capped || a.Kind == "element_capped"
			}
			if !capped {
				t.Errorf("%s (evidence %v): no element_capped (%+v)", lot, evidence, c.Anomalies)
			}
		}
		for el, got := range sum {
			if !near(got, 0.1) {
				t.Errorf("evidence %v: O1 + O2 hold %.6f t %s, want 0.1 (what W held)", evidence, got, el)
			}
		}
	}
}
