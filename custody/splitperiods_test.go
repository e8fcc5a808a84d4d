package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestSplitRunAcrossPeriodsCreditsOnce (issue 9): a run (transformationID
// R1) told in an October event X1 consuming A and a November event X2 with
// outputs only. The store links A to X2's output with X2's date, so
// November's replay used to credit A a second time.
//
// Site mb (declaration(): REE factor 0.9, monthly periods, credits carried
// one period). A: Pakistan, 100 t dry at Nd 4 % + Pr 1 %.
//
//	October credits PAK  = 100 × 5 % × 0.9 = 4.5 t Nd+Pr (X1 lists A)
//	November credits PAK = 0 (A was consumed in October), opening 4.5
//	claim on L1 (X2, 6 t NdPr oxide at Nd 60 % + Pr 20 %) = 6 × 80 % = 4.8 t
//	4.8 > 4.5 → refused, shortfall 0.3 t
//
// Before the fix November held 4.5 + 4.5 = 9.0 t and the claim passed.
// X1's output O1 is NdPr oxide: the run makes the category's product in
// October, so A earns its credit then (fix9r: a run that makes no product
// earns nothing; before, O1 stated no commodity). O1, 6 t at Nd 64 % + Pr
// 16 % = 4.8 t Nd+Pr (Nd 3.84 ≤ 4, Pr 0.96 ≤ 1), holds October's 4.5 t
// credit (fix9c: a run never credits more than its products contain; an
// unassayed O1 would earn nothing in October, and L1's assay, coming in
// November, would change October's ended statement: refused).
func TestSplitRunAcrossPeriodsCreditsOnce(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:X1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R1",
		 "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 6, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 64, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 16, "cm:unit": "%", "cm:basis": "dry"}]}}`))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-10T00:00:00Z") // November is open
	x2 := `{"type": "TransformationEvent", "eventID": "urn:t:ev:X2", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R1",
	 "outputQuantityList": [{"epcClass": "urn:t:lot:L1", "quantity": 6, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]` + claimPAK + `}}`
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(x2)})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "urn:t:lot:L1") || !strings.Contains(err.Error(), "shortfall 0.3 t") {
		t.Fatalf("claim of 4.8 t on 4.5 t carried: %v, want EINVALID with shortfall 0.3 t", err)
	}
	// The same run without the claim is stored; the statements count A once.
	x2 = strings.Replace(x2, claimPAK, "", 1)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(x2)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		period                          string
		open, credits, expired, closing float64
	}{{"2025-10", 0, 4.5, 0, 4.5}, {"2025-11", 4.5, 0, 4.5, 0}} {
		st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", c.period, nil, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		sameLine(t, c.period, line(t, st, "ree", "PAK"), c.open, c.credits, 0, c.expired, c.closing)
	}
}

// TestSplitRunInputOnlyEventCreditedAtOutput (issue 9): which event time
// books a split run's credit. Run R2 is told in an October input-only
// event Y1 (A, 100 t) and a November output-only event Y2 (L2). The
// credit of A is booked when the run first converts it into product — at
// the first edge from A to an output (ledger.RunLinks), here Y2's time —
// as a single-event run books it at its one event, where listing and
// producing coincide (docs/origin.md, "When a credit is booked").
//
// Site mb (declaration(): factor 0.9, credits carried one period). A:
// Pakistan, 100 t dry at Nd 4 % + Pr 1 %.
//
//	October  credits PAK = 0 (no output yet: nothing converted)
//	November credits PAK = 100 × 5 % × 0.9 = 4.5 t Nd+Pr, closing 4.5
//	December opening 4.5, expired 4.5 (entered November, carried one
//	         period), closing 0
func TestSplitRunInputOnlyEventCreditedAtOutput(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:Y1", "eventTime": "2025-10-28T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R2",
		 "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`,
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:Y2", "eventTime": "2025-11-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R2",
		 "outputQuantityList": [{"epcClass": "urn:t:lot:L2", "quantity": 6, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		period                          string
		open, credits, expired, closing float64
	}{{"2025-10", 0, 0, 0, 0}, {"2025-11", 0, 4.5, 0, 4.5}, {"2025-12", 4.5, 0, 4.5, 0}} {
		st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", c.period, nil, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if c.period == "2025-10" {
			for _, cs := range st.Categories {
				for _, l := range cs.Lines {
					if l.Country == "PAK" && (l.Credits != 0 || l.Closing != 0) {
						t.Errorf("October PAK %+v, want no credit before the run produced", l)
					}
				}
			}
			continue
		}
		sameLine(t, c.period, line(t, st, "ree", "PAK"), c.open, c.credits, 0, c.expired, c.closing)
	}
}
