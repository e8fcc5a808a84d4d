package demo_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
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
	// The copper lot's mistyped receipt (59 t) was declared in error and
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

// TestDemoOriginKnown: no lot the demo derives (made by a transformation)
// shows unknown origin for an element it contains. Every element a derived
// lot's own assays measure must trace, through the feeds' assays, to a
// known origin: the REE feeds carry La2O3 and CeO2 assays (illustrative)
// for the La/Ce carbonate, not only Nd2O3 and Pr6O11 for the oxide.
func TestDemoOriginKnown(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Load(ctx, ledger.NewService(db)); err != nil {
		t.Fatal(err)
	}
	lots, _, err := db.FindLots(ctx, critmin.LotFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range lots {
		ids = append(ids, l.ID)
	}
	edges, err := db.LotEdges(ctx, ids, true)
	if err != nil {
		t.Fatal(err)
	}
	made := map[string]bool{}
	for _, e := range edges {
		if e.Kind == ledger.LinkTransformation {
			made[e.Child] = true
		}
	}
	derived := 0
	for _, l := range lots {
		if !made[l.ID] {
			continue
		}
		derived++
		c, err := custody.OriginOf(ctx, db, l.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.NotMeasured) > 0 {
			t.Errorf("%s: grade not measured for %v", l.ID, c.NotMeasured)
		}
		els := custody.GradesOf(l)
		if len(els) == 0 {
			t.Errorf("%s: no assay of its own", l.ID)
		}
		for el := range els {
			b, ok := c.Analytes()[el] // elements, and aggregates such as TREO
			if !ok || b.Tonnes <= 0 {
				t.Errorf("%s contains %s but its origin has no %s line: %+v", l.ID, el, el, c.Elements)
				continue
			}
			var total float64
			for _, sh := range b.ByCountry {
				if sh.Key == custody.Unknown {
					t.Errorf("%s: %.4f t %s of unknown origin", l.ID, sh.Tonnes, el)
				}
				total += sh.Share
			}
			if math.Abs(total-1) > 1e-9 {
				t.Errorf("%s %s shares add up to %v", l.ID, el, total)
			}
		}
		for _, a := range c.Anomalies {
			t.Errorf("%s: anomaly %s: %s", l.ID, a.Kind, a.Detail)
		}
	}
	if derived < 3 {
		t.Errorf("%d derived lots, want the oxide, the carbonate and the trioxide at least", derived)
	}
}

// TestEveryDemoSiteHasCoordinates: every site of the demo corridor — in
// its master data or only named by an event (FindSites lists both) — has
// a latitude and a longitude, so the overview's corridor map draws every
// one (a site without them is only named under the map).
func TestEveryDemoSiteHasCoordinates(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Load(ctx, ledger.NewService(db)); err != nil {
		t.Fatal(err)
	}
	sites, err := db.FindSites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) == 0 {
		t.Fatal("the demo has no sites")
	}
	for _, s := range sites {
		switch {
		case s.Lat == nil || s.Lon == nil:
			t.Errorf("demo site %s (%q) has no coordinates", s.ID, s.Name)
		case math.Abs(*s.Lat) > 90 || math.Abs(*s.Lon) > 180:
			t.Errorf("demo site %s (%q) has coordinates %v, %v out of range", s.ID, s.Name, *s.Lat, *s.Lon)
		}
	}
}
