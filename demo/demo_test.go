package demo_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

func TestDemoCorridor(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := ledger.NewService(db)
	loaded, err := demo.Load(ctx, svc)
	if err != nil || !loaded {
		t.Fatalf("Load = %v, %v", loaded, err)
	}
	if again, err := demo.Load(ctx, svc); err != nil || again {
		t.Fatalf("second Load = %v, %v; want a no-op on a non-empty ledger", again, err)
	}
	// The minimum: three commodities, two Pakistani origin sites,
	// a port of loading, a sea voyage, a US receipt and a refinery run that
	// consumes lots and produces an NdPr oxide lot.
	commodities := map[string]bool{}
	origins := map[string]bool{}
	lots, _, err := db.FindLots(ctx, critmin.LotFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lots {
		if l.OriginCountry == "PAK" {
			commodities[l.Commodity] = true
			origins[l.OriginMine] = true
		}
	}
	for _, c := range []string{"ree_concentrate", "antimony_ore", "copper_concentrate"} {
		if !commodities[c] {
			t.Errorf("no Pakistani %s lot", c)
		}
	}
	if len(origins) < 2 {
		t.Errorf("origin sites %v; want at least two", origins)
	}
	nd, err := db.FindLot(ctx, "urn:critmin:demo:lot:NDPR-2025-001")
	if err != nil {
		t.Fatal(err)
	}
	if nd.Commodity != "ndpr_oxide" || len(nd.Parents) != 2 || nd.Status != critmin.LotInStock {
		t.Errorf("NdPr lot: %+v", nd)
	}
	ree, err := db.FindLot(ctx, "urn:critmin:demo:lot:REE-2025-001")
	if err != nil {
		t.Fatal(err)
	}
	// Received 24,950 kg at 8 % moisture, consumed by the refinery run.
	if ree.Status != critmin.LotConsumed || math.Abs(ree.DryTonnes-24.95*0.92) > 1e-9 {
		t.Errorf("REE lot status %s dry %v", ree.Status, ree.DryTonnes)
	}
	// The copper lot's mistyped receipt (69 t) was declared in error and
	// corrected to 59.9 t before it left for the smelter.
	cu, err := db.FindLot(ctx, "https://id.gs1.org/01/09520123456788/10/CU2025001")
	if err != nil {
		t.Fatal(err)
	}
	if cu.Status != critmin.LotInTransit || math.Abs(cu.WetTonnes-59.9) > 1e-9 {
		t.Errorf("copper lot status %s wet %v; want in transit, 59.9", cu.Status, cu.WetTonnes)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// In transit: the copper lot (59.9 t) to Arizona and REE-2025-003 (30 t) at sea.
	if math.Abs(st.TonnesInTransit-89.9) > 1e-9 {
		t.Errorf("tonnes in transit %v, want 89.9", st.TonnesInTransit)
	}
	var sea bool
	for _, f := range st.Flows {
		if f.From == "urn:critmin:demo:site:karachi" && f.To == "urn:critmin:demo:site:houston" {
			sea = true
		}
	}
	if !sea {
		t.Errorf("no Karachi → Houston flow in %+v", st.Flows)
	}
}
