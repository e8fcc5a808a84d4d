package plan_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqlite"
)

// refineryMonth is a month at the demo's Missouri refinery with a fixed
// feed of 100 t REE concentrate at 4 % Nd + 1 % Pr (5 t Nd+Pr) and a
// fixed NdPr oxide product of 5 t at nd % Nd + pr % Pr; the residue's
// grades follow from the balances.
func refineryMonth(t *testing.T, period string, nd, pr float64) *refinery.Problem {
	t.Helper()
	doc := fmt.Sprintf(`{"site": "urn:critmin:demo:site:refinery-mo", "period": %q, "elements": ["Nd", "Pr"],
 "nodes": [{"id": "plant"}],
 "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant", "mass_t": 100, "grade_pct": {"Nd": 4, "Pr": 1}},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": 5, "grade_pct": {"Nd": %g, "Pr": %g}},
  {"id": "residue", "kind": "residue", "from": "plant", "mass_t": {"value": 95, "sd": 2}}]}`, period, nd, pr)
	p, err := refinery.DecodeProblem(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWithRefineryYields: September closed with 5 t × (64 + 16) % = 4 t
// Nd+Pr in the oxide, recovery 4 / 5 = 0.8; October closed with 5 t ×
// (60 + 15) % = 3.75 t, recovery 3.75 / 5 = 0.75. The demo's ree-sx line
// (NdPr → ndpr_oxide, 0.9 in the planning file) takes October's 0.75,
// the latest closed period, and names it; La/Ce (not accounted) keeps
// 0.8 and antimony 0.92. Once October is reopened, September's 0.8
// applies. Without a closed period nothing changes.
func TestWithRefineryYields(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "y.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := plan.Demo()
	same, changes, err := n.WithRefineryYields(ctx, db)
	if err != nil || len(changes) != 0 || same != n {
		t.Fatalf("no closed period: %d changes, err %v", len(changes), err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	// The installation's key: the store refuses records signed by any other.
	any(db).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	op := refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
	at := time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)
	if _, _, err := refinery.ClosePeriod(ctx, db, refineryMonth(t, "2025-10", 60, 15), op, "", key, at); err != nil {
		t.Fatal(err)
	}
	sep, _, err := refinery.ClosePeriod(ctx, db, refineryMonth(t, "2025-09", 64, 16), op, "", key, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	check := func(label, period string, ndpr float64) []plan.YieldChange {
		t.Helper()
		got, changes, err := n.WithRefineryYields(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 1 || changes[0].Line != "ree-sx" || changes[0].Was != 0.9 || changes[0].Measured.Period != period ||
			!strings.Contains(changes[0].Measured.Source, "period "+period+" close record") {
			t.Fatalf("%s: changes %+v, want ree-sx 0.9 → %g from period %s", label, changes, ndpr, period)
		}
		for _, l := range got.Lines {
			for _, o := range l.Outputs {
				want := map[string]float64{"ndpr_oxide": ndpr, "lace_carbonate": 0.8, "antimony_trioxide": 0.92}[o.Product]
				if d := o.Recovery - want; d > 1e-9 || d < -1e-9 {
					t.Errorf("%s: %s %s recovery %g, want %g", label, l.ID, o.Product, o.Recovery, want)
				}
			}
		}
		return changes
	}
	check("October latest", "2025-10", 0.75)
	admin := refinery.Actor{Name: "controller", Role: critmin.RoleAdmin}
	if _, err := refinery.ReopenPeriod(ctx, db, "urn:critmin:demo:site:refinery-mo", "2025-10", admin, "assay rerun", key, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	c := check("October reopened", "2025-09", 0.8)
	if !strings.Contains(c[0].Measured.Source, sep.Hash) {
		t.Errorf("source %q does not name September's close record %s", c[0].Measured.Source, sep.Hash)
	}
	if n.Lines[0].Outputs[0].Recovery != 0.9 {
		t.Error("the original network changed")
	}
}

// TestWithRefineryYieldsSkipsUndetermined: September closed normally
// (recovery 5 t × 80 % / 5 t = 0.8); October's close, recorded by an
// older release that did not check recoveries, has no Pr assay on the
// oxide and an unmeasured residue, so its Nd+Pr recovery cannot be
// worked out. The planner neither ignores October silently nor fails: it
// takes September's 0.8 and warns, naming October and the oxide's Pr.
// With September reopened no usable period is left: the planning file's
// 0.9 stands, with a warning.
func TestWithRefineryYieldsSkipsUndetermined(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "y.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	// The installation's key: the store refuses records signed by any other.
	any(db).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	op := refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
	at := time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)
	if _, _, err := refinery.ClosePeriod(ctx, db, refineryMonth(t, "2025-09", 64, 16), op, "", key, at); err != nil {
		t.Fatal(err)
	}
	oct, err := refinery.DecodeProblem(strings.NewReader(`{"site": "urn:critmin:demo:site:refinery-mo", "period": "2025-10", "elements": ["Nd", "Pr"],
 "nodes": [{"id": "plant"}],
 "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant", "mass_t": 100, "grade_pct": {"Nd": 4, "Pr": 1}},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": {"value": 5, "sd": 0.05}, "grade_pct": {"Nd": 60}},
  {"id": "residue", "kind": "residue", "from": "plant"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := refinery.Reconcile(oct)
	if err != nil {
		t.Fatal(err)
	}
	pj, _ := json.Marshal(oct)
	rj, _ := json.Marshal(r)
	prev, _ := db.LastPeriodHash(ctx)
	rec := &critmin.PeriodRecord{Site: oct.Site, Period: oct.Period, Action: critmin.PeriodClose, Actor: "old", Role: critmin.RoleOperator, At: at.Add(time.Hour), Problem: string(pj), Result: string(rj), Prev: prev}
	rec.Hash = refinery.RecordHash(rec)
	rec.KeyID = refinery.KeyID(key.Public().(ed25519.PublicKey))
	raw, _ := hex.DecodeString(rec.Hash)
	rec.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, raw))
	if err := db.AppendPeriodRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	n := plan.Demo()
	got, changes, err := n.WithRefineryYields(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Measured.Period != "2025-09" || math.Abs(changes[0].Measured.Recovery-0.8) > 1e-9 {
		t.Fatalf("changes %+v, want September's 0.8", changes)
	}
	w := strings.Join(got.Warnings, "\n")
	if !strings.Contains(w, "period 2025-10") || !strings.Contains(w, "Pr grade of stream oxide is unobservable") || !strings.Contains(w, "comes from period 2025-09 instead") {
		t.Errorf("warnings %q", got.Warnings)
	}
	admin := refinery.Actor{Name: "controller", Role: critmin.RoleAdmin}
	if _, err := refinery.ReopenPeriod(ctx, db, oct.Site, "2025-09", admin, "assay rerun", key, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, changes, err = n.WithRefineryYields(ctx, db)
	if err != nil || len(changes) != 0 {
		t.Fatalf("changes %+v, err %v", changes, err)
	}
	if w := strings.Join(got.Warnings, "\n"); !strings.Contains(w, "planning file's recovery stands") {
		t.Errorf("warnings %q", got.Warnings)
	}
	if len(n.Warnings) != 0 {
		t.Error("the original network changed")
	}
}

// TestWithRefineryYieldsPassesOverUnaccounted (nu12 item 3): October
// closed with Nd+Pr accounted (oxide 5 t × (60 + 15) % = 3.75 t of 5 t
// fed: 0.75); November closed with a file that accounts Nd only. The
// latest period does not give Nd+Pr, so ree-sx takes October's 0.75 and
// the network warns that November was passed over — before, November
// stopped the search silently and the planning file's 0.9 stood.
func TestWithRefineryYieldsPassesOverUnaccounted(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "y.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	// The installation's key: the store refuses records signed by any other.
	any(db).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	op := refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
	at := time.Date(2025, 12, 3, 0, 0, 0, 0, time.UTC)
	if _, _, err := refinery.ClosePeriod(ctx, db, refineryMonth(t, "2025-10", 60, 15), op, "", key, at); err != nil {
		t.Fatal(err)
	}
	// November: Nd only — feed 100 t × 4 % = 4 t, oxide 5 t × 64 % = 3.2 t.
	nov, err := refinery.DecodeProblem(strings.NewReader(`{"site": "urn:critmin:demo:site:refinery-mo", "period": "2025-11", "elements": ["Nd"],
 "nodes": [{"id": "plant"}],
 "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant", "mass_t": 100, "grade_pct": {"Nd": 4}},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": 5, "grade_pct": {"Nd": 64}},
  {"id": "residue", "kind": "residue", "from": "plant", "mass_t": {"value": 95, "sd": 2}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := refinery.ClosePeriod(ctx, db, nov, op, "", key, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, changes, err := plan.Demo().WithRefineryYields(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Line != "ree-sx" || changes[0].Measured.Period != "2025-10" || math.Abs(changes[0].Measured.Recovery-0.75) > 1e-9 {
		t.Fatalf("changes %+v, want ree-sx 0.9 → 0.75 from 2025-10", changes)
	}
	if w := strings.Join(got.Warnings, "\n"); !strings.Contains(w, "closed period 2025-11 does not account Nd+Pr") || !strings.Contains(w, "comes from period 2025-10 instead") {
		t.Errorf("warnings %q", got.Warnings)
	}
}
