package plan

import (
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestLedgerGradeAnyElementSpelling (issue 9, new-user check): the
// planner's ledger supply reads an element however it is spelled — the
// element symbol, an oxide, any grade unit — through the element function
// the origin uses (units.ElementFraction, as custody.GradesOf), so a lot
// assayed Nd 60 %, Pr 20 % grades like one assayed as oxides. The demo's
// map sends Nd2O3 and Pr6O11 to NdPr (and Sb2O3, Sb to Sb).
//
//	lot E, 10 dmt dry, Nd 60 %, Pr 200,000 g/t: NdPr = 0.60 + 0.20 = 0.80
//	lot O, 10 dmt dry, Nd2O3 60 %, Pr6O11 20 %:
//	  NdPr = 0.60 × 0.857356 + 0.20 × 0.827704 = 0.514414 + 0.165541
//	       = 0.679954 (Nd2O3 → Nd 288.484 / 336.481, Pr6O11 → Pr
//	       845.44596 / 1021.43496, IUPAC 2021 atomic weights)
func TestLedgerGradeAnyElementSpelling(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := Demo()
	n.Sites = append(n.Sites, Site{ID: "hou-test", Kind: "warehouse", Country: "USA", Location: "urn:site:houston"})
	lot := func(id string, a ...critmin.Assay) *critmin.Lot {
		return &critmin.Lot{ID: id, Commodity: "ree_concentrate", WetTonnes: 10, DryTonnes: 10, Status: critmin.LotInStock, Location: "urn:site:houston", OriginCountry: "PAK", Assays: a}
	}
	e := lot("urn:t:lot:E", critmin.Assay{Analyte: "Nd", Value: 60, Unit: "%", Basis: "dry", At: t0}, critmin.Assay{Analyte: "Pr", Value: 200000, Unit: "g/t", Basis: "dry", At: t0})
	o := lot("urn:t:lot:O", critmin.Assay{Analyte: "Nd2O3", Value: 60, Unit: "%", Basis: "dry", At: t0}, critmin.Assay{Analyte: "Pr6O11", Value: 20, Unit: "%", Basis: "dry", At: t0})
	nd := 2 * 144.242 / (2*144.242 + 3*15.999)
	pr := 6 * 140.90766 / (6*140.90766 + 11*15.999)
	for _, c := range []struct {
		l    *critmin.Lot
		want float64
	}{{e, 0.80}, {o, 0.60*nd + 0.20*pr}} {
		s, ok := n.lotSupply(c.l, nil, map[string]string{"urn:site:houston": "hou-test"})
		if !ok || !near(s.Grade["NdPr"], c.want) || len(s.Grade) != 1 {
			t.Errorf("%s grade %v (offered %v), want NdPr %.6f", c.l.ID, s.Grade, ok, c.want)
		}
	}
}
