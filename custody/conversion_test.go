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
	"github.com/critmin/critmin/refinery"
)

// closedMonth is a refinery month at site mb whose NdPr recovery is known
// exactly: feed (ree_concentrate) 100 t at 4 % Nd + 1 % Pr = 5 t Nd+Pr,
// fixed; product (ndpr_oxide) 5 t at 64 % Nd + 16 % Pr = 4 t Nd+Pr,
// fixed; residue 95 t measured, its grades unmeasured (the balances give
// them). Recovery of Nd+Pr into ndpr_oxide = 4 / 5 = 0.8.
const closedMonth = `{"site": "urn:t:site:mb", "period": "2025-10", "elements": ["Nd", "Pr"],
 "nodes": [{"id": "plant"}],
 "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant", "mass_t": 100, "grade_pct": {"Nd": 4, "Pr": 1}},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": 5, "grade_pct": {"Nd": 64, "Pr": 16}},
  {"id": "residue", "kind": "residue", "from": "plant", "mass_t": {"value": 95, "sd": 2}}]}`

// TestConversionFromRefinery: with October closed at the refinery, the
// REE category of site mb (declared factor 0.9) takes the reconciled
// recovery 0.8 in October and names the close record; November (not
// closed) and the antimony category (Sb not accounted by the refinery)
// keep their declared factors. Statement October (cf. mbStore):
//
//	PAK credit  A: 100 t × 5 % × 0.8 = 4.0 (declared: 4.5, −0.5)
//	    claim  O1: 1.6 ≤ 4.0 accepted → closing 4.0 − 1.6 = 2.4
//	    claim  O2: 4.0 > 2.4 refused (shortfall 1.6)
//	CHN credit  C: 100 × 5 % × 0.8 = 4.0 (declared: 4.5)
//	Sb  CHN credit SbC: 10 × 10 % × 0.8 (declared) = 0.8
//
// November (declared 0.9): PAK opening 2.4, credit A2 20 × 5 % × 0.9 =
// 0.9, claims O3 0.8 + K 0.4 = 1.2 from October's credit (2.4 → 1.2),
// which expires at November's end: closing 2.4 + 0.9 − 1.2 − 1.2 = 0.9.
// CHN: 4.0 + 0.45 − 0 − 4.0 = 0.45.
func TestConversionFromRefinery(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	conv := refinery.ConversionFactors{Store: db}
	// Before the close: the declared factors.
	before, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", conv, now)
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "Oct open", line(t, before, "ree", "PAK"), 0, 4.5, 1.6, 0, 2.9)

	p, err := refinery.DecodeProblem(strings.NewReader(closedMonth))
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := refinery.ClosePeriod(ctx, db, p, refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}, "", key, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	st := func(period string) *custody.Statement {
		s, err := custody.StatementOf(ctx, db, "urn:t:site:mb", period, conv, now)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	oct, nov := st("2025-10"), st("2025-11")
	sameLine(t, "Oct", line(t, oct, "ree", "PAK"), 0, 4.0, 1.6, 0, 2.4)
	sameLine(t, "Oct", line(t, oct, "ree", "CHN"), 0, 4.0, 0, 0, 4.0)
	sameLine(t, "Oct", line(t, oct, "sb", "CHN"), 0, 0.8, 0, 0, 0.8)
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), 2.4, 0.9, 1.2, 1.2, 0.9)
	sameLine(t, "Nov", line(t, nov, "ree", "CHN"), 4.0, 0.45, 0, 4.0, 0.45)
	refusedO2 := false
	for _, r := range oct.Refused {
		refusedO2 = refusedO2 || strings.Contains(r.Error, "2.4000 t") && strings.Contains(r.Error, "shortfall 1.6000 t")
	}
	if !refusedO2 {
		t.Errorf("October refusals %+v, want O2 refused against 2.4 t (shortfall 1.6 t)", oct.Refused)
	}
	factor := func(s *custody.Statement, cat string) (float64, string) {
		for _, c := range s.Categories {
			if c.Category.ID == cat {
				return c.ConversionFactor, c.FactorSource
			}
		}
		t.Fatalf("no category %s", cat)
		return 0, ""
	}
	if f, src := factor(oct, "ree"); !near(f, 0.8) || !strings.Contains(src, rec.Hash) || !strings.Contains(src, "2025-10") {
		t.Errorf("October REE factor %v from %q, want 0.8 from close record %d (%s)", f, src, rec.Seq, rec.Hash)
	}
	if f, src := factor(oct, "sb"); f != 0.8 || src != "declared" {
		t.Errorf("October Sb factor %v from %q, want declared 0.8", f, src)
	}
	if f, src := factor(nov, "ree"); f != 0.9 || src != "declared" {
		t.Errorf("November REE factor %v from %q, want declared 0.9", f, src)
	}
}
