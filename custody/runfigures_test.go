package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRunLineFiguresAtRunAndNow (issue 9, fix9n 2): a run's element line
// gives what its outputs held as the run recorded them (outAtRun) and,
// after a later measurement, what they hold now (outCurrent), never the
// one in the other's place.
//
//	W: 10 t dry at Nd 0.5 % = 0.05 t Nd → run R → WO, 0.2 t wet at
//	moisture 0.5 = 0.1 t dry at Nd 40 % = 0.04 t Nd (at the run).
//	A receipt of WO on 2025-10-20 states 0.2 t at moisture 0.25 (a
//	weighing with its moisture): 0.2 × 0.75 = 0.15 t dry × 40 % = 0.06 t
//	Nd now (> 0.05: element_gain).
func TestRunLineFiguresAtRunAndNow(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:0.5"),
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:WO", "quantity": 0.2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:b"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0.5, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`))
	line := func() custody.ElementLine {
		t.Helper()
		c, err := custody.OriginOf(ctx, db, "urn:t:lot:WO", true)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Runs) != 1 || len(c.Runs[0].Elements) != 1 {
			t.Fatalf("runs %+v", c.Runs)
		}
		return c.Runs[0].Elements[0]
	}
	// Nothing after the run: the run's figure, 0.04 t, and no other.
	if l := line(); l.RunFigure() == nil || !near(*l.RunFigure(), 0.04) || l.OutCurrent != nil {
		t.Errorf("before: at run %v, now %v; want 0.04 and none", l.RunFigure(), l.OutCurrent)
	}
	receipt := `{"type": "ObjectEvent", "eventID": "urn:t:ev:rcv", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	 "quantityList": [{"epcClass": "urn:t:lot:WO", "quantity": 0.2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:b"},
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 25, "uom": "P1"}]}]}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(receipt)}); err != nil {
		t.Fatal(err)
	}
	l := line()
	if l.RunFigure() == nil || !near(*l.RunFigure(), 0.04) {
		t.Errorf("after: at the run %v, want 0.04 t (0.1 t dry × 40 %%)", l.RunFigure())
	}
	if l.OutCurrent == nil || !near(*l.OutCurrent, 0.06) {
		t.Errorf("after: now %v, want 0.06 t (0.15 t dry × 40 %%)", l.OutCurrent)
	}
}
