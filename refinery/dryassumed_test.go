package refinery_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/refinery"
)

// TestDryMassAssumedIsFlagged (fix13b 3): a lot fed to the refinery with
// no moisture known is balanced on its wet mass taken as dry — trade
// refuses to settle such a lot, the refinery closes the month on it —
// but never silently: the problem, the result and the report say "dry
// mass assumed: no moisture", naming the lot and its event.
//
// Feed: lot A 100 t with no moisture (taken as 100 dry t, flagged) and
// lot B 50 t at 10 % moisture (50 × (1 − 0.10) = 45 dry t, not flagged):
// feed 100 + 45 = 145 t. Product O1 2 t at 0 % moisture (stated 0: dry,
// not flagged). One warning.
func TestDryMassAssumedIsFlagged(t *testing.T) {
	ctx := context.Background()
	const site = plantSite
	doc := plantDoc(`
  {"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`, `
  {"type": "ObjectEvent", "eventID": "urn:t:ev:B", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:B", "quantity": 50, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0.1, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`, `
  {"type": "TransformationEvent", "eventID": "urn:t:ev:X1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R1",
   "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}, {"epcClass": "urn:t:lot:B", "quantity": 50, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 2, "uom": "TNE"}],
   "bizLocation": {"id": "`+site+`"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	p := plantProblem(t, ctx, plantLedger(t, ctx, doc), plantFlow)
	for _, s := range p.Streams {
		if s.ID == "feed" && (s.Mass == nil || math.Abs(s.Mass.Value-145) > 1e-9) {
			t.Errorf("feed %+v, want 145 t", s.Mass)
		}
	}
	if len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0], "dry mass assumed: no moisture: lot urn:t:lot:A ") ||
		!strings.Contains(p.Warnings[0], "urn:t:ev:X1") || !strings.Contains(p.Warnings[0], "stream feed") || !strings.Contains(p.Warnings[0], "100 t wet taken as dry") {
		t.Fatalf("warnings %q, want one naming lot A, its event and 100 t", p.Warnings)
	}
	r, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings) != 1 || r.Warnings[0] != p.Warnings[0] {
		t.Errorf("result warnings %q", r.Warnings)
	}
	rep := refinery.NewReport(p, r, nil, time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC))
	found := false
	for _, n := range rep.Notes {
		if n == "WARNING: "+p.Warnings[0]+"." {
			found = true
		}
	}
	if !found {
		t.Errorf("report notes %q do not carry the warning", rep.Notes)
	}
}
