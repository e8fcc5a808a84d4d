package custody_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestCreditBoundReadsProductAsMade (issue 9, fix9h F3): the credit bound
// reads one basis — the product as the run made it: the mass its
// TransformationEvent states and the moisture its own events state (the
// ILMD of the output, EPCIS 2.0 §7.3.6, set when the lot is made). A
// moisture report or a weighing of the product, even dated at the run's
// very second, is a later fact: it changes the lot's figures from then
// on, never what the run made, so neither changes the run's credit.
// Before, a moisture report lowered the credit while a weighing did not.
// Site mb at factor 1 (TestGainWithinToleranceIsNoCredit's figures):
//
//	A, Pakistan, 10 t at Nd 4 % + Pr 1 %: 0.5 t Nd+Pr in.
//	R (Oct 5): A → P, 0.6275 t oxide at moisture 0 (the run's facts),
//	  Nd 64 % + Pr 16 %: holds 0.6275 × 0.8 = 0.502 t Nd+Pr.
//	  credit PAK = min(0.5 × 1, 0.502) = 0.5 t.
//	"moisture": H2O 10 % reported on P at 2025-10-05T00:00:00Z: were it
//	  read, P would be 0.6275 × 0.9 = 0.56475 t dry holding 0.56475 ×
//	  0.8 = 0.4518 t, and the credit 0.4518 t. Read as made: 0.5 t.
//	"weighing": P weighed 0.5 t at the same second: were it read, P
//	  would hold 0.5 × 0.8 = 0.4 t, the credit 0.4 t. Read as made: 0.5 t.
func TestCreditBoundReadsProductAsMade(t *testing.T) {
	for _, c := range []struct{ name, ev string }{
		{"moisture", `{"type": "ObjectEvent", "eventID": "urn:t:ev:M1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
		  "quantityList": [{"epcClass": "urn:t:lot:P"}], "bizLocation": {"id": "urn:t:site:mb"},
		  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 10, "uom": "P1"}]}]}`},
		{"weighing", `{"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
		  "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 0.5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}, "cm:massChangeReason": "reweighed"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := store(t, doc(map[string]string{"mb": "mass_balance"},
				feed("A", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
				runOf("R", "mb", "2025-10-05T00:00:00Z", []string{"A:10"}, product{lot: "P", commodity: "ndpr_oxide", t: 0.6275, assays: []string{"Nd:64", "Pr:16"}}),
				c.ev,
			))
			d := declaration("urn:t:site:mb")
			d.Categories[0].ConversionFactor = 1
			if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			if l := creditLine(t, db, "ree", "PAK"); !near(l.Credits, 0.5) {
				t.Errorf("PAK credits %v after a %s of P at the run's second, want 0.5 t (P as the run made it: min(0.5, 0.502))", l.Credits, c.name)
			}
		})
	}
}
