package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestWeighingTolerance (issue 15, r15a item 1): a weighing of a lot on
// record moves its mass only within the weighing tolerance, +0.5 % / −5 %
// on the dry basis (custody.WeighingGainLimit, WeighingLossLimit), by any
// door — here the ledger API. Lot W commissioned 20 t (20 000 kg), no
// moisture (dry = wet):
//
//   - 0 kg: −100 % → refused, naming 20 t, 0 t and −100.0 %;
//   - 0.5 kg: 0.0005 t, (0.0005 − 20) / 20 = −99.9975 % → refused;
//   - 2 000 000 kg (2 000 t): 100 times 20 t, +9 900 % → refused, hint
//     "about 100 times";
//   - 20 200 kg: +1 % > 0.5 % → refused;
//   - 20 090 kg: +0.45 % → taken; then 19 200 kg: (19.2 − 20.09) / 20.09
//     = −4.43 % → taken (within 5 %);
//   - 17 000 kg: (17 − 19.2) / 19.2 = −11.46 % → refused; the same with
//     cm:massChangeReason → taken.
//
// Lot M commissioned 20 t at moisture 10 % (dry 20 × 0.9 = 18 t), weighed
// 18 500 kg with H2O 2.7 %: dry 18.5 × 0.973 = 18.0005 t, +0.003 % dry
// (the wet mass fell 7.5 %, the water dried off) → taken; weighed again
// 18 500 kg without moisture: dry stays 18.0005 t → taken.
func TestWeighingTolerance(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	commission := func(id, lot, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": 20, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"` + extra + `}}`
	}
	if err := capture(svc, commission("wc", "urn:t:lot:W", ""), commission("mc", "urn:t:lot:M", `, "cm:moisture": 0.1`)); err != nil {
		t.Fatal(err)
	}
	hour := 0 // each weighing at its own hour: one reading a lot per instant
	weigh := func(id, lot, kg, more string) error {
		hour++
		return capture(svc, objectEv(id, time.Date(2025, 11, 21, hour, 0, 0, 0, time.UTC).Format(time.RFC3339), lot, "OBSERVE", massReport(kg)+more))
	}
	refused := func(id, kg string, want ...string) {
		t.Helper()
		err := weigh(id, "urn:t:lot:W", kg, "")
		if err == nil {
			t.Errorf("weighing W at %s kg taken", kg)
			return
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("weighing W at %s kg: %v; want %q", kg, err, w)
			}
		}
	}
	refused("w0", "0", "weighing of lot urn:t:lot:W refused: the lot is recorded at 20 t and weighed at 0 t, a difference of −100.0 %", "a weighing of 0 kg weighs nothing")
	refused("w1", "0.5", "recorded at 20 t and weighed at 0.0005 t, a difference of −100.0 %", "near-zero")
	refused("w2", "2000000", "recorded at 20 t and weighed at 2,000 t, a difference of +9,900.0 %", "about 100 times")
	refused("w3", "20200", "weighed at 20.2 t, a difference of +1.0 %, beyond the weighing tolerance of +0.5 % / −5 %")
	if l, err := db.FindLot(ctx, "urn:t:lot:W"); err != nil || !near(l.WetTonnes, 20) {
		t.Fatalf("refused weighings stored: %+v %v", l, err)
	}
	if err := weigh("w4", "urn:t:lot:W", "20090", ""); err != nil {
		t.Fatalf("+0.45 %%: %v", err)
	}
	if err := weigh("w5", "urn:t:lot:W", "19200", ""); err != nil {
		t.Fatalf("−4.43 %%: %v", err)
	}
	refused("w6", "17000", "recorded at 19.2 t and weighed at 17 t, a difference of −11.5 %")
	if err := weigh("w7", "urn:t:lot:W", "17000", `, "cm:massChangeReason": "screened: 2.2 t of fines removed"`); err != nil {
		t.Fatalf("−11.46 %% with a stated reason: %v", err)
	}
	if l, err := db.FindLot(ctx, "urn:t:lot:W"); err != nil || !near(l.WetTonnes, 17) {
		t.Errorf("W after the stated change: %+v %v; want 17 t", l, err)
	}
	dried := `, "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 18500, "uom": "KGM"}, {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 2.7, "uom": "P1"}]}]`
	if err := capture(svc, objectEv("m1", "2025-11-21T00:30:00Z", "urn:t:lot:M", "OBSERVE", dried)); err != nil {
		t.Fatalf("M dried from 10 %% to 2.7 %%, dry mass unchanged: %v", err)
	}
	if err := weigh("m2", "urn:t:lot:M", "18500", ""); err != nil {
		t.Fatalf("M weighed again at the same mass: %v", err)
	}
	if critmin.ErrorCode(weigh("m3", "urn:t:lot:M", "0", "")) == "" {
		t.Errorf("M weighed 0 kg taken")
	}
}
