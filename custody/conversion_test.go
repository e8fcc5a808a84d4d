package custody_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/refinery"
)

// closedMonth is a refinery month (October 2025) at site whose NdPr
// recovery is known exactly: feed (ree_concentrate) 100 t at 4 % Nd + 1 %
// Pr = 5 t Nd+Pr, fixed; product (ndpr_oxide) 5 t at nd % Nd + pr % Pr,
// fixed; residue 95 t measured, its grades unmeasured (the balances give
// them). Recovery of Nd+Pr into ndpr_oxide = 5 × (nd + pr) % / 5.
func closedMonth(site string, nd, pr float64) string {
	return fmt.Sprintf(`{"site": %q, "period": "2025-10", "elements": ["Nd", "Pr"],
 "nodes": [{"id": "plant"}],
 "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant", "mass_t": 100, "grade_pct": {"Nd": 4, "Pr": 1}},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": 5, "grade_pct": {"Nd": %g, "Pr": %g}},
  {"id": "residue", "kind": "residue", "from": "plant", "mass_t": {"value": 95, "sd": 2}}]}`, site, nd, pr)
}

func closeMonth(t *testing.T, db critmin.RefineryStore, site string, nd, pr float64) *critmin.PeriodRecord {
	t.Helper()
	p, err := refinery.DecodeProblem(strings.NewReader(closedMonth(site, nd, pr)))
	if err != nil {
		t.Fatal(err)
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	// The installation's key: the store refuses records signed by any other.
	any(db).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := refinery.ClosePeriod(context.Background(), db, p, refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}, "", key, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

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

	// 5 t × (64 + 16) % = 4 t of 5 t fed: recovery 0.8.
	rec := closeMonth(t, db, "urn:t:site:mb", 64, 16)
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
		refusedO2 = refusedO2 || strings.Contains(r.Error, "2.4 t") && strings.Contains(r.Error, "shortfall 1.6 t")
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
	// October is closed but does not account Sb: the declared factor,
	// with a source naming the close passed over (nu12 item 3).
	if f, src := factor(oct, "sb"); f != 0.8 || !strings.HasPrefix(src, "declared (element Sb is not accounted in closed period 2025-10") {
		t.Errorf("October Sb factor %v from %q, want declared 0.8 naming the closed month", f, src)
	}
	if f, src := factor(nov, "ree"); f != 0.9 || src != "declared" {
		t.Errorf("November REE factor %v from %q, want declared 0.9", f, src)
	}
}

// TestClaimVerdictFromRefinery: the claim verdict read with a lot uses
// the same factor as the statement. Site mb2 (same declaration, factor
// 0.9): run E9 feeds A9, 10 t at Nd 4 % + Pr 1 % (Nd 0.4, Pr 0.1 t), and
// N9, 0.5 t at Nd 62 % + Pr 18 % (Nd 0.31, Pr 0.09 t) = 0.4 t, claims
// Pakistan. Declared: credit, bounded per element by N9 (fix9ad), Nd
// min(0.36, 0.31) + Pr min(0.09, 0.09) = 0.4 ≥ 0.4, accepted. With
// October closed at mb2 at 5 × (60 + 15) % = 3.75 t of 5 t, recovery
// 0.75: Nd min(0.3, 0.31) + Pr min(0.075, 0.09) = 0.375 < 0.4, refused,
// shortfall 0.4 − 0.375 = 0.025 t.
func TestClaimVerdictFromRefinery(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb2"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := custody.CheckClaim(ctx, db, "urn:t:lot:N9"); err != nil {
		t.Fatalf("declared factor: N9 refused: %v", err)
	}
	closeMonth(t, db, "urn:t:site:mb2", 60, 15)
	err := custody.CheckClaim(ctx, db, "urn:t:lot:N9")
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "0.375 t") || !strings.Contains(err.Error(), "shortfall 0.025 t") {
		t.Fatalf("refinery factor: N9 verdict %v, want refused against 0.375 t, shortfall 0.025 t", err)
	}
}

var testKeys = map[critmin.RefineryStore]ed25519.PrivateKey{}

// closeMonthOf closes refinery month (YYYY-MM) at site with the recovery
// of closedMonth: 5 × (nd + pr) % of 5 t Nd+Pr fed.
func closeMonthOf(t *testing.T, db critmin.RefineryStore, site, month string, nd, pr float64) *critmin.PeriodRecord {
	t.Helper()
	p, err := refinery.DecodeProblem(strings.NewReader(strings.Replace(closedMonth(site, nd, pr), `"period": "2025-10"`, `"period": "`+month+`"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// The installation's key, one per store: the store refuses records
	// signed by any other.
	key := testKeys[db]
	if key == nil {
		var pub ed25519.PublicKey
		pub, key, err = ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		any(db).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
		testKeys[db] = key
	}
	m, _ := time.Parse("2006-01", month)
	rec, _, err := refinery.ClosePeriod(context.Background(), db, p, refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}, "", key, m.AddDate(0, 1, 2))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestConversionPerRunMonth (issue 12): claim periods of two months take,
// for each credit run, the reconciled recovery of the refinery month it
// ran in. Site mq (declared factor 0.9, carry-forward 1) has periods
// OctNov (2025-10-01 to 2025-12-01) and DecJan (2025-12-01 to
// 2026-02-01); four Pakistani feeds of 100 t at 4 % Nd + 1 % Pr = 5 t
// Nd+Pr each are run on 5 Oct (R1), 10 Nov (R2), 5 Dec (R3), 10 Jan (R4)
// (R1, R3, R4 make unclaimed oxide, which takes nothing from the account:
// 6 t at 64 % Nd + 16 % Pr = 4.8 t each, which holds the run's credit,
// at most 4.5 t — fix9c: a run never credits more than its products
// contain; Nd 3.84 ≤ 4, Pr 0.96 ≤ 1).
// The refinery closes October at 5 × 80 % / 5 = 0.8, November at
// 5 × 70 % / 5 = 0.7, December at 5 × 60 % / 5 = 0.6; January is open.
//
//	OctNov: R1 5 × 0.8 = 4.0, R2 5 × 0.7 = 3.5: credits 7.5 (declared:
//	        5 × 0.9 × 2 = 9.0). R2's output Q2, 10 t at 64 % Nd + 16 %
//	        Pr = 8.0 t, claims Pakistan: 8.0 > 7.5, refused, shortfall
//	        0.5 t (accepted against the declared 9.0). R2 also runs
//	        200 t of Chinese feed C2 (4 % Nd + 1 % Pr = 10 t), so Q2's
//	        8.0 t is within the 5 + 10 = 15 t fed and the claim is judged
//	        on its assayed 8.0 t, not capped (before the element cap of
//	        fix9p R2 ran F2 alone: 8.0 t out of 5 t in); C2 is not
//	        Pakistani and earns no credit. R2 also makes Q2R, 4 t at the
//	        same grade (3.2 t, no claim): its products hold 8.0 + 3.2 =
//	        11.2 t ≥ its credits 15 × 0.7 = 10.5 t (3.5 PAK, 7.0 CHN),
//	        so they are not bounded (fix9c).
//	DecJan: R3 5 × 0.6 = 3.0 (both months closed above, one closed and
//	        one open here), R4 5 × 0.9 (declared, January not closed) =
//	        4.5: credits 7.5; opening 7.5, OctNov's 7.5 expire at the
//	        end: closing 7.5 + 7.5 − 7.5 = 7.5.
func TestConversionPerRunMonth(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mq": "mass_balance"},
		feed("F1", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("F2", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("F3", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("F4", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("C2", "ree_concentrate", "CHN", 200, "Nd:4", "Pr:1"),
		runOf("R1", "mq", "2025-10-05T00:00:00Z", []string{"F1:100"}, product{lot: "Y1", commodity: "ndpr_oxide", t: 6, assays: []string{"Nd:64", "Pr:16"}}),
		runOf("R2", "mq", "2025-11-10T00:00:00Z", []string{"F2:100", "C2:200"}, product{lot: "Q2", commodity: "ndpr_oxide", t: 10, assays: []string{"Nd:64", "Pr:16"}, extra: claimPAK},
			product{lot: "Q2R", commodity: "ndpr_oxide", t: 4, assays: []string{"Nd:64", "Pr:16"}}),
		runOf("R3", "mq", "2025-12-05T00:00:00Z", []string{"F3:100"}, product{lot: "Y3", commodity: "ndpr_oxide", t: 6, assays: []string{"Nd:64", "Pr:16"}}),
		runOf("R4", "mq", "2026-01-10T00:00:00Z", []string{"F4:100"}, product{lot: "Y4", commodity: "ndpr_oxide", t: 6, assays: []string{"Nd:64", "Pr:16"}})))
	d := declaration("urn:t:site:mq")
	d.Periods = []critmin.ClaimPeriod{{ID: "OctNov", From: "2025-10-01", To: "2025-12-01"}, {ID: "DecJan", From: "2025-12-01", To: "2026-02-01"}}
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	oct := closeMonthOf(t, db, "urn:t:site:mq", "2025-10", 64, 16)
	nov := closeMonthOf(t, db, "urn:t:site:mq", "2025-11", 56, 14)
	dec := closeMonthOf(t, db, "urn:t:site:mq", "2025-12", 48, 12)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	st := func(period string) *custody.Statement {
		s, err := custody.StatementOf(ctx, db, "urn:t:site:mq", period, refinery.ConversionFactors{Store: db}, now)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	on, dj := st("OctNov"), st("DecJan")
	sameLine(t, "OctNov", line(t, on, "ree", "PAK"), 0, 7.5, 0, 0, 7.5)
	sameLine(t, "DecJan", line(t, dj, "ree", "PAK"), 7.5, 7.5, 0, 7.5, 7.5)
	if len(on.Refused) != 1 || !strings.Contains(on.Refused[0].Error, "balance holds 7.5 t (shortfall 0.5 t)") {
		t.Errorf("OctNov refusals %+v, want Q2 refused against 7.5 t, shortfall 0.5 t", on.Refused)
	}
	// Each credit entry names its factor and source.
	want := map[string]struct {
		f   float64
		src string
	}{"urn:t:ev:R1": {0.8, oct.Hash}, "urn:t:ev:R2": {0.7, nov.Hash}, "urn:t:ev:R3": {0.6, dec.Hash}, "urn:t:ev:R4": {0.9, "declared"}}
	seen := 0
	for _, s := range []*custody.Statement{on, dj} {
		for _, c := range s.Categories {
			if c.Category.ID != "ree" {
				continue
			}
			if !strings.Contains(c.FactorSource, "per credit run") {
				t.Errorf("%s factor source %q, want it to say factors are per credit run", s.Period.ID, c.FactorSource)
			}
			for _, e := range c.Entries {
				if e.Kind != "credit" {
					continue
				}
				seen++
				w := want[e.Event]
				if !near(e.Factor, w.f) || !strings.Contains(e.FactorSource, w.src) {
					t.Errorf("credit of %s: factor %v from %q, want %v from %q", e.Event, e.Factor, e.FactorSource, w.f, w.src)
				}
			}
		}
	}
	// R1, R3, R4 one entry each; R2 two (its Pakistani F2 and its
	// Chinese C2, each a credit in its own country's line, both at 0.7).
	if seen != 5 {
		t.Errorf("%d credit entries, want 5", seen)
	}
}
