package custody_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
)

// reeTwoProducts declares site mb with one input, REE concentrate, in two
// categories whose qualifying elements are disjoint: ndpr (→ NdPr oxide on
// Nd+Pr, factor 0.9) and lace (→ La/Ce carbonate on La+Ce, factor 0.8);
// monthly periods October and November 2025, carry-forward one period.
func reeTwoProducts(site string) *critmin.MassBalanceDeclaration {
	return &critmin.MassBalanceDeclaration{Site: site, CarryForward: 1,
		Categories: []critmin.MaterialCategory{
			{ID: "ndpr", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9},
			{ID: "lace", Inputs: []string{"ree_concentrate"}, Product: "lace_carbonate", Elements: []string{"La", "Ce"}, ConversionFactor: 0.8},
		},
		Periods: []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}},
	}
}

// sharedInputStore: one run of 10 t Pakistani REE concentrate (dry, Nd
// 5 %, Pr 1.5 %, La 8 %, Ce 12 % as elements) on October 5 at site mb,
// with three outputs, all claiming Pakistan:
//
//	credits ndpr: 10 × (5 + 1.5) % = 0.65 t Nd+Pr × 0.9 = 0.585 t
//	credits lace: 10 × (8 + 12) %  = 2.0 t La+Ce  × 0.8 = 1.6 t
//	X1 ndpr_oxide 0.5 t at Nd 60 %, Pr 18 %  = 0.39 t Nd+Pr ≤ 0.585: accepted → 0.195
//	X1R ndpr_oxide 0.3 t at Nd 60 %, Pr 18 % = 0.234 t, not claimed: the
//	   run's oxide holds 0.39 + 0.234 = 0.624 ≥ 0.585, so the credit is not
//	   bounded by its products (fix9c)
//	Y1 lace_carbonate 2 t at La 30 %, Ce 45 % = 1.5 t La+Ce ≤ 1.6: accepted → 0.1
//	Y1R lace_carbonate 0.45 t at La 30 %, Ce 45 % = 0.3375 t, not claimed:
//	   the run's carbonate holds 1.5 + 0.15 + 0.3375 = 1.9875 t, above the
//	   lace credits at 0.8 and at the refinery's 0.94 (1.88 t), fix9c
//	Y2 lace_carbonate 0.2 t at La 30 %, Ce 45 % = 0.15 t La+Ce > 0.1:
//	   refused, shortfall 0.05 t — although the two categories together
//	   hold 0.195 + 0.1 = 0.295 t: Nd+Pr credit never backs an La+Ce claim.
//
// Element check: Nd in 0.5, out 0.48; Pr 0.15 / 0.144; La 0.8 / 0.795;
// Ce 1.2 / 1.1925: no output above its input.
func sharedInputStore(t *testing.T) critmin.Store {
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("Q", "ree_concentrate", "PAK", 10, "Nd:5", "Pr:1.5", "La:8", "Ce:12"),
		runOf("R1", "mb", "2025-10-05T00:00:00Z", []string{"Q:10"},
			product{lot: "X1", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:18"}, extra: claimPAK},
			product{lot: "X1R", commodity: "ndpr_oxide", t: 0.3, assays: []string{"Nd:60", "Pr:18"}},
			product{lot: "Y1", commodity: "lace_carbonate", t: 2, assays: []string{"La:30", "Ce:45"}, extra: claimPAK},
			product{lot: "Y2", commodity: "lace_carbonate", t: 0.2, assays: []string{"La:30", "Ce:45"}, extra: claimPAK},
			product{lot: "Y1R", commodity: "lace_carbonate", t: 0.45, assays: []string{"La:30", "Ce:45"}}),
	))
	if err := custody.DeclareMassBalance(context.Background(), db, reeTwoProducts("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("an input in two categories with disjoint elements: %v", err)
	}
	return db
}

// TestInputInTwoDisjointCategories (issue 9, fix9b item 1): REE
// concentrate earns credits in both ndpr (Nd+Pr) and lace (La+Ce); each
// category counts only its own elements × its own factor, and claims are
// checked against their own category's balance (figures in
// sharedInputStore). November: October's credits expire at its end
// (carry-forward 1): ndpr 0.195 + 0 − 0 − 0.195 = 0; lace 0.1 − 0.1 = 0.
func TestInputInTwoDisjointCategories(t *testing.T) {
	db := sharedInputStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	oct, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	nov, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "Oct ndpr", line(t, oct, "ndpr", "PAK"), 0, 0.585, 0.39, 0, 0.195)
	sameLine(t, "Oct lace", line(t, oct, "lace", "PAK"), 0, 1.6, 1.5, 0, 0.1)
	sameLine(t, "Nov ndpr", line(t, nov, "ndpr", "PAK"), 0.195, 0, 0, 0.195, 0)
	sameLine(t, "Nov lace", line(t, nov, "lace", "PAK"), 0.1, 0, 0, 0.1, 0)
	for _, st := range []*custody.Statement{oct, nov} {
		if err := custody.CheckStatement(st); err != nil {
			t.Error(err)
		}
	}
	// Each category's entries name only its own lots.
	for _, c := range oct.Categories {
		for _, e := range c.Entries {
			if e.Kind != "claim" {
				continue
			}
			if c.Category.ID == "ndpr" && e.Lot != "urn:t:lot:X1" || c.Category.ID == "lace" && e.Lot != "urn:t:lot:Y1" {
				t.Errorf("category %s lists claim on %s", c.Category.ID, e.Lot)
			}
		}
	}
	if len(oct.Refused) != 1 {
		t.Fatalf("October refused %+v, want Y2 only", oct.Refused)
	}
	r := oct.Refused[0]
	if r.Lot != "urn:t:lot:Y2" || r.Category != "lace" || !near(r.Claimed, 0.15) || !near(r.Available, 0.1) || !near(r.Shortfall, 0.05) {
		t.Errorf("Y2 refusal %+v, want lace 0.15 claimed, 0.1 available, shortfall 0.05", r)
	}
	if !strings.Contains(r.Error, "over-claim refused") || !strings.Contains(r.Error, "category lace") || !strings.Contains(r.Error, "shortfall 0.05 t") {
		t.Errorf("Y2 error %q", r.Error)
	}
	for lot, want := range map[string]float64{"urn:t:lot:X1": 0.39, "urn:t:lot:Y1": 1.5} {
		o, err := custody.Origin(ctx, db, lot)
		if err != nil || o.Claimed == nil || o.Claimed.Status != custody.ClaimAccepted || !near(o.Claimed.Tonnes, want) {
			t.Errorf("%s claim %+v %v, want accepted %v t", lot, o.Claimed, err, want)
		}
	}
}

// TestSharedInputOverlappingElementsRefused: an input in two categories
// that both qualify Nd would count the same contained Nd twice: refused,
// naming both categories and the shared element, nothing stored.
func TestSharedInputOverlappingElementsRefused(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}))
	d := reeTwoProducts("urn:t:site:mb")
	d.Categories[1].Elements = []string{"La", "Ce", "Nd"}
	err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC))
	f := critmin.ErrorFields(err)
	if len(f) == 0 || f[0].Pointer != "/categories/1/inputs/0" {
		t.Fatalf("overlapping elements: %v", err)
	}
	for _, want := range []string{`categories "ndpr" and "lace"`, "element Nd", "counted twice"} {
		if !strings.Contains(f[0].Reason, want) {
			t.Errorf("reason %q lacks %q", f[0].Reason, want)
		}
	}
	if _, err := db.FindMassBalance(ctx, "urn:t:site:mb"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused declaration stored: %v", err)
	}
}

// TestSharedInputFactorsFromRefinery: October closed at the refinery with
// two product streams. Feed 100 t at Nd 4, Pr 1, La 8, Ce 12 % (5 t
// Nd+Pr, 20 t La+Ce); ndpr_oxide 5 t at Nd 64, Pr 16 % = 4 t Nd+Pr →
// recovery 4/5 = 0.8; lace_carbonate 40 t at La 20, Ce 27 % = 8 + 10.8 =
// 18.8 t La+Ce → 18.8/20 = 0.94; residue 55 t. Each category takes its
// own product's recovery (the carbonate stream names its commodity by
// IRI, the declaration by code: one commodity):
//
//	ndpr credit 10 × 6.5 % × 0.8  = 0.52 t; X1 0.39 → closing 0.13
//	lace credit 10 × 20 %  × 0.94 = 1.88 t; Y1 1.5 → 0.38; Y2 0.15 → 0.23
func TestSharedInputFactorsFromRefinery(t *testing.T) {
	db := sharedInputStore(t)
	ctx := context.Background()
	p, err := refinery.DecodeProblem(strings.NewReader(`{"site": "urn:t:site:mb", "period": "2025-10", "elements": ["Nd", "Pr", "La", "Ce"],
 "nodes": [{"id": "plant"}],
 "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant", "mass_t": 100, "grade_pct": {"Nd": 4, "Pr": 1, "La": 8, "Ce": 12}},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": 5, "grade_pct": {"Nd": 64, "Pr": 16, "La": 0, "Ce": 0}},
  {"id": "carbonate", "kind": "product", "commodity": "https://ns.critmin.org/mineral/v1/commodity/lace_carbonate", "from": "plant", "mass_t": 40, "grade_pct": {"Nd": 0, "Pr": 0, "La": 20, "Ce": 27}},
  {"id": "residue", "kind": "residue", "from": "plant", "mass_t": {"value": 55, "sd": 2}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	// The installation's key: the store refuses records signed by any other.
	any(db).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := refinery.ClosePeriod(ctx, db, p, refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}, "", key, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	oct, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", refinery.ConversionFactors{Store: db}, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "Oct ndpr", line(t, oct, "ndpr", "PAK"), 0, 0.52, 0.39, 0, 0.13)
	sameLine(t, "Oct lace", line(t, oct, "lace", "PAK"), 0, 1.88, 1.65, 0, 0.23)
	for _, c := range oct.Categories {
		want := map[string]float64{"ndpr": 0.8, "lace": 0.94}[c.Category.ID]
		if !near(c.ConversionFactor, want) || !strings.Contains(c.FactorSource, "refinery period 2025-10") {
			t.Errorf("category %s factor %v from %q, want %v from the close", c.Category.ID, c.ConversionFactor, c.FactorSource, want)
		}
	}
	if len(oct.Refused) != 0 {
		t.Errorf("refused %+v, want none at the reconciled factors", oct.Refused)
	}
}

// TestSharedInputClaimAtCapture: the capture-time check judges a claim on
// La/Ce carbonate against the lace account alone. Captured on November 25
// (November open) into sharedInputStore: feed Q2 (Pakistan, 10 t at the
// same grades) and a November 10 run taking 1 t of it:
//
//	ndpr credit 1 × 6.5 % × 0.9 = 0.0585;  lace credit 1 × 20 % × 0.8 = 0.16
//	lace balance: October's 0.1 carried + 0.16 = 0.26 t La+Ce
//	Y3 0.5 t at La 30 %, Ce 45 % = 0.375 t > 0.26: refused, shortfall
//	0.115 t (ndpr's 0.195 + 0.0585 would cover it if pooled); nothing stored.
//	Y3 0.25 t = 0.1875 t ≤ 0.26: accepted.
func TestSharedInputClaimAtCapture(t *testing.T) {
	db := sharedInputStore(t)
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-25T00:00:00Z")
	run := func(tonnes float64) []byte {
		return mbDoc(feed("Q2", "ree_concentrate", "PAK", 10, "Nd:5", "Pr:1.5", "La:8", "Ce:12"),
			runOf("R2", "mb", "2025-11-10T00:00:00Z", []string{"Q2:1"},
				product{lot: "Y3", commodity: "lace_carbonate", t: tonnes, assays: []string{"La:30", "Ce:45"}, extra: claimPAK}))
	}
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: run(0.5)})
	msg := critmin.ErrorMessage(err)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(msg, "category lace") || !strings.Contains(msg, "0.26 t") || !strings.Contains(msg, "shortfall 0.115 t") {
		t.Fatalf("Y3 0.5 t: %v, want refused in category lace against 0.26 t, shortfall 0.115 t", err)
	}
	if _, err := db.FindLot(context.Background(), "urn:t:lot:Y3"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused document stored Y3: %v", err)
	}
	if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: run(0.25)}); err != nil {
		t.Fatalf("Y3 0.25 t: %v, want accepted (0.1875 ≤ 0.26)", err)
	}
}
