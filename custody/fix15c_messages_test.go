package custody_test

import (
	"strings"
	"testing"
	"time"
)

// TestWeighMoistureRefusalsReadable (issue 15, fix15c items 1 and 2): a
// weighing or moisture refusal prints a lot's masses to the kilogram
// (custody.Tonnes), not to the gram of a dry mass worked out from a
// moisture, and its sentences end once: no "?." after a hint that asks.
//
// Lot A, 30.5 t at 1.9712 % moisture: dry 30.5 × 0.980288 = 29.898784 t,
// printed 29.899 t (fmtT printed 29.898784). Weighed 35 000 kg, no new
// moisture: dry 35 × 0.980288 = 34.31008 t → 34.31 t; (34.31008 −
// 29.898784) / 29.898784 = +14.75 % → "+14.8 %", beyond +0.5 %.
//
// Lot B, 20 t at 7.77 %: dry 20 × 0.9223 = 18.446 t. A moisture reading
// of 0.0777 % alone: dry 20 × 0.999223 = 19.98446 t → 19.984 t; moved
// 7.6923 points > 3 → refused, "did you mean 7.77 %?".
//
// Every weighing hint of lot A (0 kg; 30 kg, 1/1017 of it; 30 500 000
// kg, 1 000 times; 305 000 kg, 10 times) ends its sentence once.
func TestWeighMoistureRefusalsReadable(t *testing.T) {
	_, svc := mbSvc(t)
	commission := func(id, lot, tonnes, moisture string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": ` + moisture + `}}`
	}
	if err := capture(svc, commission("ac", "urn:t:lot:C15A", "30.5", "0.019712"), commission("bc", "urn:t:lot:C15B", "20", "0.0777")); err != nil {
		t.Fatal(err)
	}
	hour := 0
	weigh := func(id, lot, extra string) string {
		t.Helper()
		hour++
		err := capture(svc, objectEv(id, time.Date(2025, 11, 21, hour, 0, 0, 0, time.UTC).Format(time.RFC3339), lot, "OBSERVE", extra))
		if err == nil {
			t.Fatalf("%s on %s taken; want refused", extra, lot)
		}
		return err.Error()
	}
	msg := weigh("a1", "urn:t:lot:C15A", massReport("35000"))
	for _, want := range []string{"recorded at 30.5 t and weighed at 35 t (dry 29.899 t → 34.31 t), a difference of +14.8 %"} {
		if !strings.Contains(msg, want) {
			t.Errorf("weighing of A at 35 000 kg:\n%s\nwant %q", msg, want)
		}
	}
	moisture := `, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 0.0777, "uom": "P1"}]}]`
	msg = weigh("b1", "urn:t:lot:C15B", moisture)
	for _, want := range []string{"recorded at 20 t at 7.77 % moisture (dry 18.446 t)", "makes it dry 19.984 t", "did you mean 7.77 %?"} {
		if !strings.Contains(msg, want) {
			t.Errorf("moisture reading of B at 0.0777 %%:\n%s\nwant %q", msg, want)
		}
	}
	if strings.Contains(msg, "?.") || strings.Contains(msg, "..") {
		t.Errorf("moisture refusal ends a sentence twice:\n%s", msg)
	}
	for _, kg := range []string{"0", "30", "30500000", "305000"} {
		msg := weigh("h"+kg, "urn:t:lot:C15A", massReport(kg))
		if strings.Contains(msg, "?.") || strings.Contains(msg, "..") || strings.Contains(msg, "?;") {
			t.Errorf("weighing of A at %s kg ends a sentence twice:\n%s", kg, msg)
		}
	}
}
