package refinery_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqlite"
)

// The demo corridor's refinery run (event 023/024 at refinery-mo,
// 20 Oct 2025) becomes the check-in and check-out of October:
//
//	feed: REE-2025-001 24,950 kg + REE-2025-002 17,980 kg, wet, at the lots'
//	      moisture → dry tonnes as the lot view gives them
//	ndpr_oxide: NDPR-2025-001 2,530 kg, moisture 0, Nd2O3 74.5 % → Nd
//	      74.5 × 0.8574 = 63.876 %; Pr6O11 24.8 % → Pr 24.8 × 0.8277 = 20.527 %
//	lace_carbonate: LACE-2025-001 16,640 kg at 12 % moisture = 14.6432 dmt
//
// The feed is concentrate at about 45 % TREO (illustrative): REE-2025-001
// 24.95 t at 8 % moisture = 22.954 dmt, Nd2O3 5.3 % (its latest assay, the
// lab's sensor reading) → 22.954 × 5.3 % × 0.8574 = 1.04310 t Nd;
// REE-2025-002 17.98 t at 7 % = 16.7214 dmt, Nd2O3 5.1 % → 0.73120 t Nd;
// 1.77430 t Nd in. Out: 2.53 × 63.876 % = 1.61606 t Nd: recovery 91.1 %.
//
// and the residue, unmeasured, closes the balance.
func TestFromLedgerDemoCorridor(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := demo.Load(ctx, ledger.NewService(store)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("demo/refinery-mo.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flow, err := refinery.DecodeProblemUnvalidated(f)
	if err != nil {
		t.Fatal(err)
	}
	site := "urn:critmin:demo:site:refinery-mo"
	p, err := refinery.FromLedger(ctx, store, flow, site, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	lots, err := store.FindLotsByID(ctx, []string{"urn:critmin:demo:lot:REE-2025-001", "urn:critmin:demo:lot:REE-2025-002"})
	if err != nil || len(lots) != 2 {
		t.Fatalf("lots: %v", err)
	}
	wantFeed := 0.0
	for _, l := range lots {
		m := 0.0
		if l.Moisture != nil {
			m = *l.Moisture
		}
		q := map[string]float64{"urn:critmin:demo:lot:REE-2025-001": 24.950, "urn:critmin:demo:lot:REE-2025-002": 17.980}[l.ID]
		wantFeed += q * (1 - m)
	}
	s := map[string]refinery.Stream{}
	for _, st := range p.Streams {
		s[st.ID] = st
	}
	near(t, "feed dry t", s["ree_feed"].Mass.Value, wantFeed, 1e-9)
	near(t, "ndpr t", s["ndpr_oxide"].Mass.Value, 2.530, 1e-12)
	near(t, "ndpr Nd %", s["ndpr_oxide"].Grade["Nd"].Value, 74.5*0.8574, 1e-9)
	near(t, "ndpr Pr %", s["ndpr_oxide"].Grade["Pr"].Value, 24.8*0.8277, 1e-9)
	near(t, "lace dry t", s["lace_carbonate"].Mass.Value, 16.64*0.88, 1e-9)
	// Each lot: var(dry) = (1 − m)²·(0.005·w)² + w²·0.005² (weighing 0.5 %,
	// moisture 0.5 % abs., first order), summed over the two lots.
	near(t, "feed mass sd", s["ree_feed"].Mass.SD, math.Sqrt(dryVar(lots[0], 24.95)+dryVar(lots[1], 17.98)), 1e-9)
	if src := s["ndpr_oxide"].Mass.Source; len(src) != 2 || src[0] != "urn:critmin:demo:event:023" {
		t.Errorf("source %v", src)
	}
	if s["residue"].Mass != nil {
		t.Error("the residue, which the ledger does not record, got a mass")
	}
	r := mustReconcile(t, p)
	// Nothing is redundant (the residue is unmeasured), so the recovery of
	// Nd into the oxide is the raw one: 2.53 × 63.876 % / (feed × grade)
	// = 1.61606 / 1.77430 = 0.91082.
	var rec float64
	for _, a := range r.Accounts {
		if a.Element == "Nd" {
			rec = float64(a.Recovery["ndpr_oxide"])
		}
	}
	feedNd := s["ree_feed"].Mass.Value * s["ree_feed"].Grade["Nd"].Value / 100
	near(t, "Nd recovery", rec, 2.53*74.5*0.8574/100/feedNd, 1e-9)
	near(t, "Nd recovery by hand", rec, 2.53*0.745*0.8574/(24.95*0.92*0.053*0.8574+17.98*0.93*0.051*0.8574), 1e-6)

	if _, err := refinery.FromLedger(ctx, store, flow, site, "2025-09", refinery.Precision{}); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("a month without transformations: %v, want EINVALID", err)
	}
	flow.Streams[2].Commodity = "something_else"
	if _, err := refinery.FromLedger(ctx, store, flow, site, "2025-10", refinery.Precision{}); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("a lot whose commodity no stream carries: %v, want EINVALID", err)
	}
}

func dryVar(l *critmin.Lot, wet float64) float64 {
	if l.Moisture == nil {
		return (0.005 * wet) * (0.005 * wet)
	}
	m := *l.Moisture
	return (1-m)*(1-m)*(0.005*wet)*(0.005*wet) + wet*wet*0.005*0.005
}
