package refinery_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/optimize"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// negDoc is a new user's antimony roaster: feed 100 ± 1 t at 10 ± 0.5 %
// Sb (10 t Sb), trioxide 13 ± 0.1 t at 83 ± 0.3 % (10.79 t Sb), residue
// 87 ± 1 t at 0.05 ± 0.5 % (0.0435 t). More Sb leaves in the product
// than the feed assay says came in, so unbounded least squares takes the
// residue grade below zero (−0.35 %) and the trioxide recovery to
// 102.9 %.
const negDoc = `{"site":"urn:critmin:test:site:roaster","period":"2026-02","elements":["Sb"],
 "nodes": [{"id": "sb_roaster"}],
 "streams": [
   {"id": "sb_feed", "to": "sb_roaster", "mass_t": {"value": 100, "sd": 1}, "grade_pct": {"Sb": {"value": 10.0, "sd": 0.5}}},
   {"id": "sb_trioxide", "from": "sb_roaster", "mass_t": {"value": 13, "sd": 0.1}, "grade_pct": {"Sb": {"value": 83, "sd": 0.3}}},
   {"id": "sb_residue", "from": "sb_roaster", "mass_t": {"value": 87, "sd": 1}, "grade_pct": {"Sb": {"value": 0.05, "sd": 0.5}}}]}`

func decode(t *testing.T, doc string) *refinery.Problem {
	t.Helper()
	p, err := refinery.DecodeProblem(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBoundedReconciliation: with the residue grade held at its bound 0
// % the problem is, in the free variables F (feed t), T (trioxide t) and
// gT (trioxide %), with R = F − T and gF = T·gT/F from the two balances:
//
//	min ((F−100)/1)² + ((T·gT/F−10)/0.5)² + ((T−13)/0.1)² + ((gT−83)/0.3)²
//	    + ((F−T−87)/1)² + ((0−0.05)/0.5)²
//
// solved here independently by BFGS. Every Sb fed leaves in the trioxide
// (the residue carries 0 %), so the trioxide recovery is exactly 1 and
// the residue's 0. The bound is an extra equality on the measurements:
// dof = 2 balances + 1 bound = 3. The KKT multiplier of the bound is > 0
// (the data push the grade below 0), and the verdict is pass_at_bounds,
// not a plain pass.
func TestBoundedReconciliation(t *testing.T) {
	r := mustReconcile(t, decode(t, negDoc))
	J := func(z []float64) float64 {
		F, T, gT := z[0], z[1], z[2]
		sq := func(a float64) float64 { return a * a }
		return sq(F-100) + sq((T*gT/F-10)/0.5) + sq((T-13)/0.1) + sq((gT-83)/0.3) + sq(F-T-87) + sq(0.05/0.5)
	}
	res, err := optimize.Minimize(optimize.Problem{Func: J}, []float64{100, 13, 83}, &optimize.Settings{FuncEvaluations: 200000}, &optimize.NelderMead{})
	if err != nil {
		t.Fatal(err)
	}
	F, T, gT := res.X[0], res.X[1], res.X[2]
	near(t, "feed mass", float64(streamOf(t, r, "sb_feed").Mass.Value), F, 2e-3)
	near(t, "trioxide mass", float64(streamOf(t, r, "sb_trioxide").Mass.Value), T, 2e-3)
	near(t, "trioxide grade", float64(streamOf(t, r, "sb_trioxide").Grade["Sb"].Value), gT, 2e-3)
	near(t, "feed grade", float64(streamOf(t, r, "sb_feed").Grade["Sb"].Value), T*gT/F, 2e-3)
	near(t, "chi-square", r.ChiSquare, res.F, 1e-5)
	res0 := streamOf(t, r, "sb_residue").Grade["Sb"]
	if float64(res0.Value) != 0 || res0.Class != refinery.ClassAtBound || res0.AtBound == nil || *res0.AtBound != 0 {
		t.Errorf("residue grade: %+v, want held at 0", res0)
	}
	a := r.Accounts[0]
	near(t, "trioxide recovery", float64(a.Recovery["sb_trioxide"]), 1, 1e-9)
	near(t, "residue recovery", float64(a.Recovery["sb_residue"]), 0, 1e-12)
	if r.DOF != 3 || r.GlobalTest != refinery.TestPassAtBounds {
		t.Errorf("dof %d, verdict %s: want 3, pass_at_bounds", r.DOF, r.GlobalTest)
	}
	if len(r.BoundsActive) != 1 || r.BoundsActive[0].Pointer != "/streams/2/grade_pct/Sb" || !(r.BoundsActive[0].Multiplier > 0) {
		t.Errorf("bounds active: %+v", r.BoundsActive)
	}
	for _, s := range r.Streams {
		if s.Mass.Value < 0 || s.Grade["Sb"].Value < 0 || s.Grade["Sb"].Value > 100 {
			t.Errorf("stream %s outside its bounds: %+v", s.ID, s)
		}
	}
}

// TestBoundsInactive: the textbook flotation case (issue 12) is inside
// its bounds; the bounded method changes nothing and the verdict is a
// plain pass with no bound listed.
func TestBoundsInactive(t *testing.T) {
	r := mustReconcile(t, decode(t, `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
   {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	if len(r.BoundsActive) != 0 || r.GlobalTest != refinery.TestPass {
		t.Errorf("bounds %+v, verdict %s", r.BoundsActive, r.GlobalTest)
	}
}

func testStore(t *testing.T) (*sqldb.DB, ed25519.PrivateKey) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	// The installation's key, as critmin serve and the CLI set it.
	db.TrustPeriodKeys(pub)
	return db, key
}

var op = refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
var at = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// TestCloseAtBoundsNeedsReason: the roaster month above holds a grade at
// its bound, so a close without a reason is refused (nothing recorded)
// and one with a reason is kept with it.
func TestCloseAtBoundsNeedsReason(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	_, _, err := refinery.ClosePeriod(ctx, db, decode(t, negDoc), op, "", key, at)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/streams/2/grade_pct/Sb held at 0") {
		t.Fatalf("close without reason: %v", err)
	}
	if recs, _ := db.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("a refused close left %d records", len(recs))
	}
	if _, _, err := refinery.ClosePeriod(ctx, db, decode(t, negDoc), op, "residue assay below detection; accepted", key, at); err != nil {
		t.Fatal(err)
	}
}

// min2Doc: Sb feed 10 t at 10 % (1 t Sb) plus 1 t of flux with no Sb
// assay, trioxide 1.1 t at 83 % (0.913 t), residue unmeasured. The
// residue mass follows from the mass balance (10 + 1 − 1.1 = 9.9 t) but
// the Sb balance 1 + 1·g_flux = 0.913 + 9.9·g_res has two unknowns: the
// flux and residue grades are unobservable, and so are the Sb fed and
// every Sb recovery.
const min2Doc = `{"site":"urn:critmin:test:site:roaster","period":"2026-01","elements":["Sb"],"nodes":[{"id":"sb_roaster"}],"streams":[
{"id":"sb_feed","to":"sb_roaster","commodity":"antimony_ore","mass_t":{"value":10,"sd":0.1},"grade_pct":{"Sb":{"value":10,"sd":0.2}}},
{"id":"flux","to":"sb_roaster","mass_t":{"value":1,"sd":0.05}},
{"id":"sb_trioxide","from":"sb_roaster","commodity":"antimony_trioxide","mass_t":{"value":1.1,"sd":0.01},"grade_pct":{"Sb":{"value":83,"sd":0.5}}},
{"id":"sb_residue","from":"sb_roaster"}]}`

// TestCloseRefusesUndeterminedRecovery: the close of min2Doc is refused
// naming the flux's Sb grade (its pointer among the fields) and the
// residue; nothing is recorded. The raw unaccounted loss is null and
// names what was not measured.
func TestCloseRefusesUndeterminedRecovery(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	p := decode(t, min2Doc)
	r := mustReconcile(t, p)
	a := r.Accounts[0]
	if a.UnaccountedT.Known() || a.RawOutputT.Known() || a.RawFeedT.Known() ||
		strings.Join(a.RawUnmeasured, ",") != "flux grade_pct Sb,sb_residue mass_t,sb_residue grade_pct Sb" {
		t.Errorf("raw account: unaccounted %v, unmeasured %q", float64(a.UnaccountedT), a.RawUnmeasured)
	}
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"unaccounted_t":null`) {
		t.Errorf("json: %v", err)
	}
	_, _, err = refinery.ClosePeriod(ctx, db, p, op, "accepted anyway", key, at)
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("close: %v", err)
	}
	ptrs := map[string]bool{}
	for _, f := range critmin.ErrorFields(err) {
		ptrs[f.Pointer] = true
	}
	if !ptrs["/streams/1/grade_pct/Sb"] || !ptrs["/streams/3/grade_pct/Sb"] || !strings.Contains(err.Error(), "Sb grade of stream flux is unobservable") {
		t.Errorf("close error does not name the flux and residue grades: %v", err)
	}
	if recs, _ := db.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("a refused close left %d records", len(recs))
	}
}

// appendRaw stores a close of p as a release before these checks would
// have (no recovery check): what an existing database may hold.
func appendRaw(t *testing.T, db *sqldb.DB, key ed25519.PrivateKey, p *refinery.Problem, when time.Time) *critmin.PeriodRecord {
	t.Helper()
	ctx := context.Background()
	r := mustReconcile(t, p)
	pj, _ := json.Marshal(p)
	rj, _ := json.Marshal(r)
	prev, err := db.LastPeriodHash(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec := &critmin.PeriodRecord{Site: p.Site, Period: p.Period, Action: critmin.PeriodClose, Actor: "old", Role: critmin.RoleOperator, At: when, Problem: string(pj), Result: string(rj), Prev: prev}
	rec.Hash = refinery.RecordHash(rec)
	rec.KeyID = refinery.KeyID(key.Public().(ed25519.PublicKey))
	raw, _ := hex.DecodeString(rec.Hash)
	rec.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, raw))
	if err := db.AppendPeriodRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestRecoveryForUndetermined: an old close whose Nd+Pr group cannot be
// worked out (Pr unmeasured on the oxide, residue unmeasured: Pr in the
// oxide is unobservable) gives no empty list and no NaN but an
// ECONFLICT wrapping ErrUndetermined that names Pr and the oxide; the
// Nd alone (oxide 7 t × 60 % = 4.2 t of 100 t × 5 % = 5 t fed) is
// 4.2 / 5 = 0.84.
func TestRecoveryForUndetermined(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	site := "urn:critmin:test:site:ree"
	appendRaw(t, db, key, decode(t, `{"site":"`+site+`","period":"2025-12","elements":["Nd","Pr"],"nodes":[{"id":"ree_line"}],"streams":[
{"id":"ree_feed","to":"ree_line","mass_t":{"value":100,"sd":1},"grade_pct":{"Nd":{"value":5,"sd":0.1},"Pr":{"value":1.5,"sd":0.05}}},
{"id":"ndpr_oxide","from":"ree_line","commodity":"ndpr_oxide","mass_t":{"value":7,"sd":0.1},"grade_pct":{"Nd":{"value":60,"sd":1}}},
{"id":"residue","from":"ree_line"}]}`), at)
	rs, err := refinery.RecoveryFor(ctx, db, site, "Nd+Pr", "2025-12")
	if !errors.Is(err, refinery.ErrUndetermined) || critmin.ErrorCode(err) != critmin.ECONFLICT ||
		!strings.Contains(critmin.ErrorMessage(err), "Pr grade of stream ndpr_oxide is unobservable") {
		t.Fatalf("Nd+Pr: %v %v", rs, err)
	}
	rs, err = refinery.RecoveryFor(ctx, db, site, "Nd", "2025-12")
	if err != nil || len(rs) != 2 || rs[0].Stream != "ndpr_oxide" || rs[1].Stream != "residue" {
		t.Fatalf("Nd: %v %v", rs, err)
	}
	// No stream is marked product, so every stream leaving counts: the
	// residue takes the other 0.8 / 5 = 0.16.
	near(t, "Nd recovery", rs[0].Fraction, 0.84, 1e-9)
	near(t, "Nd to residue", rs[1].Fraction, 0.16, 1e-9)
	// The mass balance's conversion factor for that month: the declared
	// one, with a source that says why.
	f, src, ok, err := refinery.ConversionFactors{Store: db}.ConversionFactor(ctx, site,
		critmin.MaterialCategory{Elements: []string{"Nd", "Pr"}, Product: "ndpr_oxide", ConversionFactor: 0.9},
		critmin.ClaimPeriod{From: "2025-12-01", To: "2026-01-01"})
	if err != nil || !ok || f != 0.9 || !strings.HasPrefix(src, "declared (") || !strings.Contains(src, "ndpr_oxide") {
		t.Errorf("conversion factor %g %q %v %v", f, src, ok, err)
	}
}

// TestConcurrentClosesOfDifferentSites: eight closes of eight sites at
// once all succeed (each re-chains when another got in first); a second
// close of the same site and period is still a conflict; the chain
// verifies.
func TestConcurrentClosesOfDifferentSites(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := decode(t, strings.Replace(negDoc, "urn:critmin:test:site:roaster", fmt.Sprintf("urn:critmin:test:site:d%d", i+1), 1))
			_, _, errs[i] = refinery.ClosePeriod(ctx, db, p, op, "accepted", key, at)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("close d%d: %v", i+1, err)
		}
	}
	_, _, err := refinery.ClosePeriod(ctx, db, decode(t, strings.Replace(negDoc, "roaster", "d3", 1)), op, "again", key, at)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "already closed") {
		t.Errorf("second close of d3: %v", err)
	}
	recs, _ := db.PeriodRecords(ctx, "", "")
	if len(recs) != 8 {
		t.Fatalf("%d records", len(recs))
	}
	if err := refinery.VerifyPeriods(recs, key.Public().(ed25519.PublicKey)); err != nil {
		t.Error(err)
	}
	_, err = refinery.ReopenPeriod(ctx, db, "urn:critmin:test:site:d3", "2025-13", refinery.Actor{Name: "a", Role: critmin.RoleAdmin}, "typo", key, at)
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("reopen 2025-13: %v", err)
	}
}

// TestBoundReleased: a bound the active set takes on and then lets go
// when its multiplier turns negative. Masses only, two nodes:
//
//	feed F → n1 → p → n2 → c
//	          ↘ b       ↘ d
//
// measured F = 7 ± 4, p = 4 ± 8, b = 14 ± 4, c = 7 ± 8, d = 12 ± 8 t.
//
// Round 1, no bound: r = Cx = (7−4−14, 4−7−12) = (−11, −15);
// CΣCᵀ = [[96, −64], [−64, 192]], det 14336, so λ = (CΣCᵀ)⁻¹r =
// (−3072, −2144)/14336 = (−3/14, −67/448) and x̂ = x − ΣCᵀλ gives F =
// 7 + 16·3/14 = 73/7, p = 4 − 64·(3/14 − 67/448) = −1/7, c = 7 −
// 64·67/448 = −18/7: p and c are below 0, both are held there.
//
// Round 2, p = c = 0: n2 forces d = 0; n1 gives F = b, the mean of 7
// and 14, 10.5. λ₁ = −(F−7)/16 = −0.21875, λ₂ = (d−12)/64 = −0.1875.
// Multipliers μ = (0 − x)/σ² + aᵀλ: μ_p = −4/64 + (−λ₁ + λ₂) = −0.0625
// + 0.03125 = −0.03125 < 0, so p is released (the data would pull it
// back above 0); μ_c = −7/64 − λ₂ = 0.078125 ≥ 0 stays.
//
// Round 3, c = 0: with b = F − p and d = p, J = (F−7)²/16 + (p−4)²/64 +
// (F−p−14)²/16 + (p−12)²/64; ∂J/∂F = 0 gives 2F = 21 + p, ∂J/∂p = 0
// gives 3p − 2F + 20 = 0, so p = 0.5, F = 10.75, b = 10.25, d = 0.5.
// λ₂ = (0.5−12)/64 = −0.1796875, μ_c = −7/64 + 0.1796875 = 0.0703125 ≥
// 0: done. χ² = (3.75/4)² + (3.5/8)² + (3.75/4)² + (7/8)² + (11.5/8)² =
// 0.87890625 + 0.19140625 + 0.87890625 + 0.765625 + 2.06640625 =
// 4.78125 on 2 balances + 1 bound = 3 dof (critical 7.81 at 95 %):
// pass_at_bounds. Without the release the answer would be round 2's (p
// held at 0, F = 10.5).
func TestBoundReleased(t *testing.T) {
	r := mustReconcile(t, decode(t, `{"elements": [], "nodes": [{"id": "n1"}, {"id": "n2"}], "streams": [
   {"id": "F", "to": "n1", "mass_t": {"value": 7, "sd": 4}},
   {"id": "p", "from": "n1", "to": "n2", "mass_t": {"value": 4, "sd": 8}},
   {"id": "b", "from": "n1", "mass_t": {"value": 14, "sd": 4}},
   {"id": "c", "from": "n2", "mass_t": {"value": 7, "sd": 8}},
   {"id": "d", "from": "n2", "mass_t": {"value": 12, "sd": 8}}]}`))
	for id, want := range map[string]float64{"F": 10.75, "p": 0.5, "b": 10.25, "c": 0, "d": 0.5} {
		near(t, id, float64(streamOf(t, r, id).Mass.Value), want, 1e-9)
	}
	if c := streamOf(t, r, "c").Mass; c.Class != refinery.ClassAtBound {
		t.Errorf("c: class %s, want %s", c.Class, refinery.ClassAtBound)
	}
	if p := streamOf(t, r, "p").Mass; p.Class == refinery.ClassAtBound {
		t.Errorf("p: still held at its bound")
	}
	if len(r.BoundsActive) != 1 || r.BoundsActive[0].Stream != "c" {
		t.Fatalf("bounds active %+v, want c only", r.BoundsActive)
	}
	near(t, "multiplier of c ≥ 0", r.BoundsActive[0].Multiplier, 0.0703125, 1e-9)
	near(t, "chi-square", r.ChiSquare, 4.78125, 1e-9)
	if r.DOF != 3 || r.GlobalTest != refinery.TestPassAtBounds {
		t.Errorf("dof %d, verdict %s: want 3, pass_at_bounds", r.DOF, r.GlobalTest)
	}
}
