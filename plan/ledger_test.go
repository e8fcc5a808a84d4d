package plan

import (
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A lot of 100 wmt REE concentrate at 10 % moisture (90 dmt) assayed on a
// dry basis at 20 % Nd2O3 and 5.5 % Pr6O11 (an earlier 12 % Nd2O3 assay
// is superseded), 50 % TREO, and 9 % La2O3 as received.
//
// NdPr (dry) = 0.20 × 0.857356 + 0.055 × 0.827704 = 0.1714712 + 0.0455237
// = 0.2169949 (IUPAC 2021 factors, units.ElementFraction) — both analytes add into the one group (before the fix the
// last one overwrote the first: 0.0455, 4.8× too lean).
// TREO (dry) = 0.50 × 1 = 0.50.
// LaCe (dry) = 0.09 ÷ (1 − 0.10) × 0.852683 = 0.10 × 0.852683 = 0.0852683.
// Cu in ppm: 2000 ppm = 0.002.
func TestLedgerGradeSumsAnalytesPerGroup(t *testing.T) {
	m := 0.10
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lot := &critmin.Lot{ID: "urn:epc:class:lgtin:0614141.107346.L1", Commodity: "ree_concentrate", WetTonnes: 100, DryTonnes: 90, Moisture: &m,
		Status: critmin.LotInStock, Location: "urn:site:houston", OriginCountry: "PAK",
		Assays: []critmin.Assay{
			{Analyte: "Nd2O3", Value: 12, Unit: "%", Basis: "dry", At: t0},
			{Analyte: "Nd2O3", Value: 20, Unit: "%", Basis: "dry", At: t0.Add(time.Hour)},
			{Analyte: "Pr6O11", Value: 5.5, Unit: "%", Basis: "dry", At: t0},
			{Analyte: "TREO", Value: 50, Unit: "%", Basis: "dry", At: t0},
			{Analyte: "La2O3", Value: 9, Unit: "%", Basis: "as_received", At: t0},
			{Analyte: "Cu", Value: 2000, Unit: "ppm", Basis: "dry", At: t0},
			{Analyte: "Moisture", Value: 10, Unit: "%", Basis: "as_received", At: t0},
		}}
	n := Demo()
	n.Sites = append(n.Sites, Site{ID: "hou-test", Kind: "warehouse", Country: "USA", Location: "urn:site:houston"})
	s, ok := n.lotSupply(lot, nil, map[string]string{"urn:site:houston": "hou-test"})
	if !ok {
		t.Fatal("lot not taken")
	}
	want := map[string]float64{"NdPr": 0.20*ndOx + 0.055*prOx, "TREO": 0.5, "LaCe": 0.10 * laOx, "Cu": 0.002}
	for e, v := range want {
		if !near(s.Grade[e], v) {
			t.Errorf("%s grade %.7f, want %.7f", e, s.Grade[e], v)
		}
	}
	if len(s.Grade) != len(want) || s.Tonnes != 90 || s.OriginCountry != "PAK" {
		t.Errorf("supply %+v", s)
	}
	// On a wet-tonne basis (no dry tonnes), a dry assay becomes
	// 0.20 × 0.9 × 0.857356 + 0.055 × 0.9 × 0.827704 = 0.1952954.
	lot.DryTonnes = 0
	s, _ = n.lotSupply(lot, nil, map[string]string{"urn:site:houston": "hou-test"})
	if !near(s.Grade["NdPr"], 0.9*(0.20*ndOx+0.055*prOx)) || s.Tonnes != 100 {
		t.Errorf("wet basis: NdPr %.8f tonnes %v", s.Grade["NdPr"], s.Tonnes)
	}
	// Without a moisture the other basis cannot be converted: La2O3 (as
	// received) is skipped on the dry basis.
	lot.DryTonnes, lot.Moisture = 90, nil
	s, _ = n.lotSupply(lot, nil, map[string]string{"urn:site:houston": "hou-test"})
	if _, ok := s.Grade["LaCe"]; ok {
		t.Errorf("as-received La2O3 converted without a moisture: %v", s.Grade)
	}
	if err := checkGrade("g", s.Grade); err != nil {
		t.Errorf("TREO overlaps the element groups and must not fail the sum: %v", err)
	}
}

// TestLedgerSupplyWithCoveredContent: a blended lot whose physical origin
// is 60 % Pakistan and 40 % China (by dry mass; by contained Nd it is
// 70/30) is named by China, an origin the demo's DFARS buyer excludes, so
// no exclusion can let its covered content through; a lot with no
// excluded origin keeps its largest share.
func TestLedgerSupplyWithCoveredContent(t *testing.T) {
	lot := &critmin.Lot{ID: "urn:x:lot:B1", Commodity: "ree_concentrate", WetTonnes: 10, DryTonnes: 10,
		Status: critmin.LotInStock, Location: "urn:site:houston", OriginCountry: "PAK"}
	n := Demo()
	n.Sites = append(n.Sites, Site{ID: "hou-test", Kind: "warehouse", Country: "USA", Location: "urn:site:houston"})
	if !n.excludedOrigins()["CHN"] {
		t.Fatal("the demo network no longer excludes CHN anywhere")
	}
	c := &custody.Composition{Lot: lot.ID, DryTonnes: 10,
		Mass:     custody.Breakdown{Tonnes: 10, ByCountry: []custody.Share{{Key: "PAK", Tonnes: 6, Share: 0.6}, {Key: "CHN", Tonnes: 4, Share: 0.4}}},
		Elements: map[string]custody.Breakdown{"Nd": {Tonnes: 1, ByCountry: []custody.Share{{Key: "PAK", Tonnes: 0.7, Share: 0.7}, {Key: "CHN", Tonnes: 0.3, Share: 0.3}}}}}
	s, ok := n.lotSupply(lot, c, map[string]string{"urn:site:houston": "hou-test"})
	if !ok || s.OriginCountry != "CHN" || s.OriginShares["PAK"] != 0.6 || s.OriginShares["CHN"] != 0.4 {
		t.Errorf("blended lot: supply origin %q shares %v; want CHN (covered content), PAK 0.6, CHN 0.4", s.OriginCountry, s.OriginShares)
	}
	c.Mass.ByCountry = []custody.Share{{Key: "PAK", Tonnes: 6, Share: 0.6}, {Key: "AUS", Tonnes: 4, Share: 0.4}}
	c.Elements = nil
	s, _ = n.lotSupply(lot, c, map[string]string{"urn:site:houston": "hou-test"})
	if s.OriginCountry != "PAK" {
		t.Errorf("uncovered blend named %q, want its largest share PAK", s.OriginCountry)
	}
}

// Oxide → element factors of the hand-worked figures: n·A(M) over the
// formula mass, IUPAC 2021 standard atomic weights.
const (
	ndOx = 2 * 144.242 / (2*144.242 + 3*15.999)      // Nd2O3 → Nd 0.857356
	prOx = 6 * 140.90766 / (6*140.90766 + 11*15.999) // Pr6O11 → Pr 0.827704
	laOx = 2 * 138.90547 / (2*138.90547 + 3*15.999)  // La2O3 → La 0.852683
)
