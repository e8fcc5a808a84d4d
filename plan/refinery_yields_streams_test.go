package plan_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
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

// TestWithRefineryYieldsSumsStreamsOfOneProduct (fix12h 1): the demo
// refinery's month closed with the oxide split over two product streams
// of commodity ndpr_oxide. Feed 100 t at 4 % Nd + 1 % Pr = 5 t Nd+Pr;
// ndpr_oxide_a 3 t × (60 + 15) % = 2.25 t; ndpr_oxide_b 2 t × (60 + 15) %
// = 1.5 t. The ree-sx line (NdPr → ndpr_oxide) takes (2.25 + 1.5) / 5 =
// 0.75 — not 1.5 / 5 = 0.30 (the last stream, kept before) nor 0.45.
func TestWithRefineryYieldsSumsStreamsOfOneProduct(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "y.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	any(db).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	p, err := refinery.DecodeProblem(strings.NewReader(`{"site": "urn:critmin:demo:site:refinery-mo", "period": "2025-10", "elements": ["Nd", "Pr"],
 "nodes": [{"id": "plant"}],
 "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant", "mass_t": 100, "grade_pct": {"Nd": 4, "Pr": 1}},
  {"id": "ndpr_oxide_a", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": 3, "grade_pct": {"Nd": 60, "Pr": 15}},
  {"id": "ndpr_oxide_b", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": 2, "grade_pct": {"Nd": 60, "Pr": 15}},
  {"id": "residue", "kind": "residue", "from": "plant", "mass_t": {"value": 95, "sd": 2}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	op := refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
	if _, _, err := refinery.ClosePeriod(ctx, db, p, op, "", key, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	got, changes, err := plan.Demo().WithRefineryYields(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || !strings.Contains(changes[0].Measured.Source, "ndpr_oxide_a+ndpr_oxide_b") {
		t.Fatalf("changes %+v, want one naming both streams", changes)
	}
	for _, l := range got.Lines {
		for _, o := range l.Outputs {
			if o.Product == "ndpr_oxide" && math.Abs(o.Recovery-0.75) > 1e-9 {
				t.Errorf("%s ndpr_oxide recovery %g, want 0.75", l.ID, o.Recovery)
			}
		}
	}
}
