package plan

import (
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestLedgerGradeReadsPartsAtTheirOwnAssay (issue 15, fix15e;
// docs/origin.md "An assay is of what stood where it was taken"): lot of
// 20 t wet at 8 % moisture (18.4 t dry), Nd2O3 5 % dry, standing at the
// mine; a 5 t part (4.6 t dry) received at Karachi and assayed there at
// Nd2O3 4 % dry. The planner offers each holding at its own grade (issue
// 9 part 5, fix15r): the body 15 × 0.92 = 13.8 t at 5 % × 0.857356 Nd,
// the part 4.6 t at 4 % × 0.857356. Together they hold (13.8 × 5 % +
// 4.6 × 4 %) × 0.857356 = 0.874 × 0.857356 = 0.7493 t Nd, not 18.4 × 5 %
// × 0.857356 = 0.7888.
func TestLedgerGradeReadsPartsAtTheirOwnAssay(t *testing.T) {
	m := 0.08
	t0 := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	lot := []critmin.Assay{{Analyte: "Nd2O3", Value: 5, Unit: "%", Basis: "dry", At: t0}}
	part := append(append([]critmin.Assay(nil), lot...), critmin.Assay{Analyte: "Nd2O3", Value: 4, Unit: "%", Basis: "dry", At: t0.AddDate(0, 0, 5), EventID: "urn:t:ev:a1"})
	l := &critmin.Lot{ID: "urn:t:lot:P", Commodity: "ree_concentrate", WetTonnes: 20, DryTonnes: 18.4, Moisture: &m, Assays: lot,
		Status: critmin.LotInStock, Location: "urn:site:mine", OriginCountry: "PAK",
		Parts: []critmin.LotPart{{Tonnes: 5, Status: critmin.PartReceived, To: "urn:t:site:karachi", ShipEventID: "urn:t:ev:s1", ReceivedTonnes: 5, Assays: part}}}
	n := Demo()
	n.Sites = append(n.Sites, Site{ID: "mine-test", Kind: "mine", Country: "PAK", Location: "urn:site:mine"},
		Site{ID: "khi-test", Kind: "port", Country: "PAK", Location: "urn:t:site:karachi"})
	n.Ledger.Analytes = map[string]AnalyteElement{"Nd2O3": {Element: "Nd", Factor: 0.8574}}
	ss := n.lotSupplies(l, nil, map[string]string{"urn:site:mine": "mine-test", "urn:t:site:karachi": "khi-test"})
	want := map[string][2]float64{"lot-P": {13.8, 0.05 * ndOx}, "lot-P@khi-test": {4.6, 0.04 * ndOx}}
	var nd float64
	for _, s := range ss {
		w, ok := want[s.ID]
		if !ok || math.Abs(s.Tonnes-w[0]) > 1e-9 || math.Abs(s.Grade["Nd"]-w[1]) > 1e-12 {
			t.Errorf("supply %s (%s): %v t at Nd %v; want %v", s.ID, s.Holding, s.Tonnes, s.Grade["Nd"], w)
		}
		nd += s.Tonnes * s.Grade["Nd"]
	}
	if len(ss) != 2 || math.Abs(nd-0.874*ndOx) > 1e-9 {
		t.Errorf("%d supplies holding %v t Nd; want 2 holding 0.874 × 0.857356 = 0.7493 t", len(ss), nd)
	}
}

// TestLedgerPartInTransitOffered (issue 9 part 5, fix15r): what of a lot
// is in transit is offered from the ledger pull's transit periods, as a
// whole lot in transit always was — now its parts in transit too (they
// were left out while the lot's body stood elsewhere), each at the
// network site it is bound for, else at the transit site. Lot Q, 20 t
// wet at 10 % moisture at the mine; 5 t shipped to a port the network
// lacks, 2 t to Karachi (khi-test), neither received:
//   - lot-Q, the body: (20 − 5 − 2) × 0.9 = 11.7 t at the mine from 0;
//   - lot-Q@transit: 5 × 0.9 = 4.5 t at the demo's transit site
//     (houston) from period 3;
//   - lot-Q@transit-khi-test: 2 × 0.9 = 1.8 t at Karachi from period 3.
//
// Σ 11.7 + 4.5 + 1.8 = 18 t = 20 × 0.9, the lot's dry mass.
func TestLedgerPartInTransitOffered(t *testing.T) {
	m := 0.10
	l := &critmin.Lot{ID: "urn:t:lot:Q", Commodity: "ree_concentrate", WetTonnes: 20, DryTonnes: 18, Moisture: &m,
		Status: critmin.LotInStock, Location: "urn:site:mine", OriginCountry: "PAK",
		Assays: []critmin.Assay{{Analyte: "Nd2O3", Value: 5, Unit: "%", Basis: "dry"}},
		Parts: []critmin.LotPart{{Tonnes: 5, Status: critmin.PartInTransit, From: "urn:site:mine", To: "urn:t:site:elsewhere", ShipEventID: "urn:t:ev:s1"},
			{Tonnes: 2, Status: critmin.PartInTransit, From: "urn:site:mine", To: "urn:t:site:karachi", ShipEventID: "urn:t:ev:s2"}}}
	n := Demo()
	n.Sites = append(n.Sites, Site{ID: "mine-test", Kind: "mine", Country: "PAK", Location: "urn:site:mine"},
		Site{ID: "khi-test", Kind: "port", Country: "PAK", Location: "urn:t:site:karachi"})
	ss := n.lotSupplies(l, nil, map[string]string{"urn:site:mine": "mine-test", "urn:t:site:karachi": "khi-test"})
	type want struct {
		site   string
		from   int
		tonnes float64
	}
	w := map[string]want{"lot-Q": {"mine-test", 0, 11.7}, "lot-Q@transit": {n.Ledger.TransitSite, 3, 4.5}, "lot-Q@transit-khi-test": {"khi-test", 3, 1.8}}
	var sum float64
	for _, s := range ss {
		sum += s.Tonnes
		if x, ok := w[s.ID]; !ok || s.Site != x.site || s.From != x.from || *s.To != x.from || math.Abs(s.Tonnes-x.tonnes) > 1e-9 {
			t.Errorf("supply %s (%s): %v t at %s from %d; want %+v", s.ID, s.Holding, s.Tonnes, s.Site, s.From, x)
		}
	}
	if len(ss) != 3 || math.Abs(sum-18) > 1e-9 {
		t.Errorf("%d supplies of %v t, want the body and the two parts in transit, 18 t", len(ss), sum)
	}
}
