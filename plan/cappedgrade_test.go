package plan_test

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/sqlite"
)

// TestLedgerSupplyGradeCapped (issue 9, fix9m item 4): a plan stocks no
// more of an element from a lot as of a country than the lot holds of it
// by its capped figure — the one the origin, the run balances and the
// mass-balance credits read (custody comp.grade); the rest is of unknown
// origin. At Loe Shilman (demo site):
//
//	W, Pakistan, 10 t dry at Nd 5 % → 0.5 t Nd
//	weighing wt (Oct 3): W is 100 t dry
//	run R (Oct 5): W 50 t → C 20 t ree_concentrate at Nd 10 % = 2 t Nd
//	  (≤ 50 × 5 % = 2.5 t: balanced)
//	wt declared in error: W is 10 t again; R's input counts 10 dmt ×
//	  5 % = 0.5 t Nd (over_consumed), so C holds 0.5 t Nd, not 2 t
//
// C's supply: 20 t at NdPr 10 % (Nd counts in NdPr, factor 1 for Nd as
// assayed) = 2 t Nd, as the lot page states it, with shares Pakistan
// 0.5 ÷ 2 = 0.25 and unknown 1.5 ÷ 2 = 0.75 (the 1.5 t its run put out
// beyond its input came from no recorded input: element_gain): 20 × 10 %
// × 0.25 = 0.5 t Pakistani, what the run put in, and 1.5 t of unknown
// origin (nu38b-5: before, the grade was capped at 2.5 % and the shares
// applied to that, 0.125 t Pakistani). W, 50 t taken of 10 t, offers
// nothing.
func TestLedgerSupplyGradeCapped(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := ledger.NewService(db)
	doc := func(events ...string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
	}
	const site = "urn:critmin:demo:site:loe-shilman"
	w := `{"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + site + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	wt := `{"type": "ObjectEvent", "eventID": "urn:t:ev:wt", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "quantityList": [{"epcClass": "urn:t:lot:W"}], "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 100, "uom": "TNE"}]}]}`
	r := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
  "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 50, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:C", "quantity": 20, "uom": "TNE"}],
  "bizLocation": {"id": "` + site + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	for _, body := range [][]byte{doc(w, wt), doc(r)} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(wt), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}
	decl, _ := json.Marshal(m)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(string(decl))}); err != nil {
		t.Fatal(err)
	}
	n := plan.Demo()
	n.Supplies = nil
	if err := n.PullLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range n.Supplies {
		switch s.Lot {
		case "urn:t:lot:C":
			found = true
			metal := s.Tonnes * s.Grade["NdPr"]
			if pak, unk := metal*s.OriginShares["PAK"], metal*s.OriginShares[plan.UnknownOrigin]; math.Abs(s.Tonnes-20) > 1e-9 || math.Abs(metal-2) > 1e-9 || math.Abs(pak-0.5) > 1e-9 || math.Abs(unk-1.5) > 1e-9 {
				t.Errorf("C: %v t at NdPr %v, shares %v: want 20 t holding 2 t Nd, 0.5 t Pakistani and 1.5 t of unknown origin", s.Tonnes, s.Grade["NdPr"], s.OriginShares)
			}
		case "urn:t:lot:W":
			t.Errorf("W offered %v t: 50 t were taken of its 10 t", s.Tonnes)
		}
	}
	if !found {
		t.Fatalf("no supply of C among %+v", n.Supplies)
	}
}
