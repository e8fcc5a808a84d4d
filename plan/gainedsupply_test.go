package plan_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/sqlite"
)

// TestLedgerSupplyGainedMetal (issue 9 §5, new-user finding nu38b-5): a
// lot whose run put out more of an element than its inputs held is
// offered to the planner as the lot page states it — its measured
// content, of which the part from no recorded input is of unknown
// origin — never the origin shares applied to the supported (capped)
// grade. At Loe Shilman (demo site):
//
//	A, Pakistan, 10 t dry at Nd 4 %       → 0.4 t Nd
//	run R: A 10 t → X 1 t ree_concentrate at Nd 50 % = 0.5 t Nd
//	  0.5 − 0.4 = 0.1 t Nd came from no recorded input (element_gain)
//	lot page: Nd 0.5 t = Pakistan 0.4 t (80 %) + unknown 0.1 t (20 %)
//
// X's supply: 1 t at NdPr 50 % (Nd counts in NdPr, factor 1), shares
// Pakistan 0.8, UNK 0.2 — so 1 × 0.5 × 0.8 = 0.4 t Nd Pakistani and
// 1 × 0.5 × 0.2 = 0.1 t of unknown origin, the lot page's figures.
// Before, the grade was capped to the supported 0.4 t (40 %) and the
// shares applied to it: 0.32 t Pakistani, 0.08 t unknown, and 0.02 t of
// the unknown-origin metal left out of the plan.
func TestLedgerSupplyGainedMetal(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := ledger.NewService(db)
	const site = "urn:critmin:demo:site:loe-shilman"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + site + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}},
 {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
  "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:X", "quantity": 1, "uom": "TNE"}],
  "bizLocation": {"id": "` + site + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 50, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	// The lot page's figures (the one origin function).
	comp, err := custody.Origin(ctx, db, "urn:t:lot:X")
	if err != nil {
		t.Fatal(err)
	}
	nd := comp.Elements["Nd"]
	if math.Abs(nd.Tonnes-0.5) > 1e-9 || math.Abs(nd.UnknownOrigin-0.1) > 1e-9 {
		t.Fatalf("lot page: Nd %v t, %v t of unknown origin; want 0.5 t, 0.1 t", nd.Tonnes, nd.UnknownOrigin)
	}
	n := plan.Demo()
	n.Supplies = nil
	if err := n.PullLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range n.Supplies {
		if s.Lot != "urn:t:lot:X" {
			continue
		}
		found = true
		metal := s.Tonnes * s.Grade["NdPr"]
		pak, unk := metal*s.OriginShares["PAK"], metal*s.OriginShares[plan.UnknownOrigin]
		if math.Abs(metal-0.5) > 1e-9 || math.Abs(pak-0.4) > 1e-9 || math.Abs(unk-0.1) > 1e-9 {
			t.Errorf("X's supply: %v t at NdPr %v, shares %v: %v t Nd, %v t Pakistani, %v t of unknown origin; want 0.5, 0.4, 0.1 (the lot page's)",
				s.Tonnes, s.Grade["NdPr"], s.OriginShares, metal, pak, unk)
		}
		if !strings.EqualFold(s.OriginBasis, "contained_value") && !strings.EqualFold(s.OriginBasis, "contained_element") {
			t.Errorf("X's supply basis %q, want the lot page's contained basis", s.OriginBasis)
		}
	}
	if !found {
		t.Fatalf("no supply of X among %+v", n.Supplies)
	}
}
