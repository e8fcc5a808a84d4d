package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/ledger"
)

// dryReport is a MassConcentration sensor report of a dry assay in %.
func dryReport(analyte string, pct float64) map[string]any {
	return map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + analyte, "value": pct, "uom": "P1", "cm:basis": "dry"}
}

// TestSameTimeAssaysConflict (fix1213 item 7): two raw EPCIS events
// report demo REE lot 2's dry TREO at the same time, 45 % and 46 % (the
// lot has no assay exchange): the ledger cannot tell which is right, so
// the lot has no TREO grade (it took whichever came first) and the
// reason names both events;
// the NSR of the lot is refused rather than priced on one of them.
func TestSameTimeAssaysConflict(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := commercial.DemoREELot2
	for i, v := range []float64{45, 46} {
		capture(t, s, map[string]any{"type": "ObjectEvent", "eventTime": "2025-11-20T10:00:00Z", "eventTimeZoneOffset": "+00:00",
			"eventID": []string{"urn:uuid:5a1f0c2e-0000-4000-8000-000000000001", "urn:uuid:5a1f0c2e-0000-4000-8000-000000000002"}[i], "action": "OBSERVE", "bizStep": "inspecting",
			"quantityList":      []any{map[string]any{"epcClass": lot}},
			"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-11-20T10:00:00Z"}, "sensorReport": []any{dryReport("TREO", v)}}}})
	}
	lf, g, err := s.LotGrades(ctx, lot, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := g["TREO"]; ok {
		t.Errorf("TREO grade %s (%s) from two disagreeing same-time assays, want none", v.Value, v.Formula)
	}
	why := lf.Unknown["TREO"]
	if !strings.Contains(why, "disagree") || !strings.Contains(why, "5a1f0c2e-0000-4000-8000-000000000001") || !strings.Contains(why, "5a1f0c2e-0000-4000-8000-000000000002") {
		t.Errorf("unknown TREO: %q, want the conflict naming both events", why)
	}
	cmp, err := s.NSRFor(ctx, "FWO-USSM-REE-2025", lot, "", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil {
		t.Fatal(err)
	}
	if c := cmp.Cases[0]; c.Error == "" {
		t.Errorf("NSR %s priced on one of two disagreeing assays", c.NSRPerDMT)
	}
}

// TestExchangePartySpelling (fix1213 item 7): a raw EPCIS result whose
// cm:assayParty is "Seller" is the seller's, read as "seller".
func TestExchangePartySpelling(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := commercial.DemoCopperLot
	r := dryReport("Cu", 24.5)
	r["cm:assayParty"] = " Seller"
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventTime": "2025-11-21T10:00:00Z", "eventTimeZoneOffset": "+00:00",
		"eventID": "urn:uuid:5a1f0c2e-0000-4000-8000-000000000003", "action": "OBSERVE", "bizStep": "inspecting",
		"quantityList":      []any{map[string]any{"epcClass": lot}},
		"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-11-21T10:00:00Z"}, "sensorReport": []any{r}}}})
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, lot)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, res := range lf.Results {
		if res.EventID == "urn:uuid:5a1f0c2e-0000-4000-8000-000000000003" {
			found = true
			if res.Party != commercial.Seller {
				t.Errorf("party %q, want seller", res.Party)
			}
		}
	}
	if !found {
		t.Fatal("the raw result was not read")
	}
}
