package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// weighWithMoisture is a weighbridge ticket's event on lot: the net in
// quantityList and a Mass report (kg), with the moisture measured with it
// (an H2O MassConcentration in per cent, P1).
func weighWithMoisture(id, when, lot, kg, pct string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": ` + kg + `, "uom": "KGM"},
	   {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": ` + pct + `, "uom": "P1"}]}]}`
}

// TestWeighingWithMoistureIsAWeighing (issue 15, fix15f item 3): an event
// that weighs a lot and states its moisture is a weighing, judged on the
// dry basis, even when its net equals the recorded wet mass — not a
// "moisture reading with no new weighing"; when the moisture is the slip
// (a per cent written as a fraction), the refusal says so.
//
// Lot W, 20 t at 8 % moisture: dry 20 × 0.92 = 18.4 t.
//   - 20 000 kg at 0.08 % (0.0008): dry 20 × 0.9992 = 19.984 t,
//     (19.984 − 18.4) / 18.4 = +8.6 % → refused as a weighing, "did you
//     mean 8 %?" (at 8 % it is 18.4 t, 0 %); the refusal points at the
//     moisture report;
//   - 20 050 kg at 0.08 %: dry 20.05 × 0.9992 = 20.03396 t (printed to
//     the kilogram, 20.034 t: custody.Tonnes), +8.9 % →
//     refused, "did you mean 8 %?" (20.05 × 0.92 = 18.446 t, +0.25 %);
//   - 20 050 kg at 8 %: +0.25 % → taken (W 20.05 t);
//   - 25 000 kg at 8 %: 25 × 0.92 = 23 t against 18.446 t, +24.7 % →
//     refused, no moisture hint (the moisture did not change);
//   - 25 000 kg at 0.08 %: dry 24.98 t, +35.4 %; at 8 % still +24.7 % →
//     refused, no moisture hint (the moisture is not the only slip).
func TestWeighingWithMoistureIsAWeighing(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	const lot = "urn:t:lot:W"
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:wc", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": 20, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08}}`
	if err := capture(svc, commission); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, weighWithMoisture("w1", "2025-11-21T01:00:00Z", lot, "20000", "0.08"))
	if err == nil || !strings.Contains(err.Error(), "weighing of lot "+lot+" refused: the lot is recorded at 20 t and weighed at 20 t (dry 18.4 t → 19.984 t), a difference of +8.6 %") ||
		!strings.Contains(err.Error(), "did you mean 8 %?") || strings.Contains(err.Error(), "with no new weighing") {
		t.Fatalf("20 000 kg at 0.08 %% on a lot of 20 t at 8 %%: %v", err)
	}
	if errs := critmin.ErrorList(err); len(errs) != 1 || !strings.HasSuffix(errs[0].Pointer, "/sensorElementList/0/sensorReport/1") {
		t.Errorf("pointer: %+v; want the moisture report", errs)
	}
	err = capture(svc, weighWithMoisture("w2", "2025-11-21T02:00:00Z", lot, "20050", "0.08"))
	if err == nil || !strings.Contains(err.Error(), "weighed at 20.05 t (dry 18.4 t → 20.034 t), a difference of +8.9 %") || !strings.Contains(err.Error(), "did you mean 8 %?") {
		t.Fatalf("20 050 kg at 0.08 %%: %v", err)
	}
	if err := capture(svc, weighWithMoisture("w3", "2025-11-21T03:00:00Z", lot, "20050", "8")); err != nil {
		t.Fatalf("20 050 kg at 8 %% (+0.25 %%): %v", err)
	}
	err = capture(svc, weighWithMoisture("w4", "2025-11-21T04:00:00Z", lot, "25000", "8"))
	if err == nil || !strings.Contains(err.Error(), "a difference of +24.7 %") || strings.Contains(err.Error(), "did you mean") {
		t.Fatalf("25 000 kg at 8 %%: %v", err)
	}
	err = capture(svc, weighWithMoisture("w5", "2025-11-21T05:00:00Z", lot, "25000", "0.08"))
	if err == nil || !strings.Contains(err.Error(), "a difference of +35.4 %") || strings.Contains(err.Error(), "did you mean") {
		t.Fatalf("25 000 kg at 0.08 %%: %v", err)
	}
	// Lot N, 20 t with no moisture on record: a ticket at 20 000 kg with
	// the first moisture, 8 %, sets the basis and is taken.
	nc := strings.NewReplacer(`, "cm:moisture": 0.08`, "", "urn:t:ev:wc", "urn:t:ev:nc", lot, "urn:t:lot:N").Replace(commission)
	if err := capture(svc, nc); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, weighWithMoisture("n1", "2025-11-21T01:00:00Z", "urn:t:lot:N", "20000", "8")); err != nil {
		t.Fatalf("first moisture of a lot with none, at its recorded net: %v", err)
	}
	// Lot M, 20 t with no moisture on record: a ticket at 20 050 kg with
	// the first moisture, 8 %, is judged on the wet masses, +0.25 %, and
	// taken (on the dry basis against a lot taken as dry it read 20.05 ×
	// 0.92 = 18.446 t against 20 t, −7.8 %, and was refused); 21 000 kg
	// at 8 % is +5 % wet, refused.
	mc := strings.NewReplacer(`, "cm:moisture": 0.08`, "", "urn:t:ev:wc", "urn:t:ev:mc", lot, "urn:t:lot:M").Replace(commission)
	if err := capture(svc, mc); err != nil {
		t.Fatal(err)
	}
	err = capture(svc, weighWithMoisture("m2", "2025-11-21T02:00:00Z", "urn:t:lot:M", "21000", "8"))
	if err == nil || !strings.Contains(err.Error(), "a difference of +5.0 %") {
		t.Fatalf("first moisture of a lot with none, 21 000 kg: %v", err)
	}
	if err := capture(svc, weighWithMoisture("m1", "2025-11-21T01:00:00Z", "urn:t:lot:M", "20050", "8")); err != nil {
		t.Fatalf("first moisture of a lot with none, 20 050 kg: %v", err)
	}
	if l, err := db.FindLot(ctx, lot); err != nil || !near(l.WetTonnes, 20.05) || l.Moisture == nil || !near(*l.Moisture, 0.08) {
		t.Fatalf("W after the weighings: %+v %v; want 20.05 t at 8 %%", l, err)
	}
}
