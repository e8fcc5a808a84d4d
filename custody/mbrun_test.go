package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// One run (transformationID urn:t:run:R1) told in two events, as EPCIS 2.0
// §7.4.6 allows: X1 consumes A (Pakistan, 100 t dry at Nd 4 % + Pr 1 %)
// and outputs the oxide O1; X2, a day later, only outputs the carbonate
// L1 of the same run. The store links A to L1 too (genealogy), but the
// credit is earned once, from the input X1 lists:
//
//	100 t × (4 % + 1 %) × 0.9 = 4.5 t Nd+Pr (PAK)
//
// (before the fix X2 earned the same 4.5 t again: 9.0 t). A third event
// X3 of the same run adds input A2 (20 t): its own input earns its own
// credit, 20 × 5 % × 0.9 = 0.9 t, so October's credits are 4.5 + 0.9 = 5.4.
// X1 states O1's commodity, ndpr_oxide: the run makes the category's
// product, so its inputs earn credit (fix9r: a run that makes none earns
// nothing; before, O1 had no stated commodity and the run still earned).
// O1, 7 t at Nd 64 % + Pr 16 % = 5.6 t Nd+Pr (Nd 4.48 ≤ 4.8, Pr 1.12 ≤
// 1.2 in), holds the run's 5.4 t (fix9c: a run never credits more than its
// products contain; unassayed, it would earn nothing).
func TestRunCreditedOncePerInput(t *testing.T) {
	xev := func(id, when, inputs, outputs string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		 "transformationID": "urn:t:run:R1", "inputQuantityList": [` + inputs + `], "outputQuantityList": [` + outputs + `], "bizLocation": {"id": "urn:t:site:mb"}}`
	}
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("A2", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		strings.Replace(xev("X1", "2025-10-05T00:00:00Z", `{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}`, `{"epcClass": "urn:t:lot:O1", "quantity": 7, "uom": "TNE"}`),
			`"bizLocation": {"id": "urn:t:site:mb"}}`, `"bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 64, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 16, "cm:unit": "%", "cm:basis": "dry"}]}}`, 1),
		xev("X2", "2025-10-06T00:00:00Z", ``, `{"epcClass": "urn:t:lot:L1", "quantity": 3, "uom": "TNE"}`),
		xev("X3", "2025-10-07T00:00:00Z", `{"epcClass": "urn:t:lot:A2", "quantity": 20, "uom": "TNE"}`, ``),
	))
	ctx := context.Background()
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 5.4, 0, 0, 5.4)
	byEvent := map[string]float64{}
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "credit" {
				byEvent[e.Event] += e.Tonnes
			}
		}
	}
	if len(byEvent) != 2 || !near(byEvent["urn:t:ev:X1"], 4.5) || !near(byEvent["urn:t:ev:X3"], 0.9) {
		t.Errorf("credits by event %v, want X1 4.5 and X3 0.9 (X2 has no input of its own)", byEvent)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
}
