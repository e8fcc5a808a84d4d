package commercial_test

import (
	"context"
	"testing"
)

// TestPartShippedAtBodyAssayInstant (issue 9, fix9z): lot P9Z, 10 t at the
// mine at Nd2O3 5 % dry (moisture 0). On 2025-09-02 08:00 the body is
// assayed at the mine (Nd2O3 6 %, event 02), and at that same instant
// 4 t leave under B/L B9Z (event 03), sampled at loading at Nd2O3 4.5 %:
// the part's own assay. The assay of the body is of the 6 t left at the
// mine; the B/L settles the 4 t shipped, so the settlement reads 4.5 %,
// at loading and as settled — 4 t × 4.5 % = 0.18 t Nd2O3, not the body's
// 4 × 6 % = 0.24 t, and not refused as "two dry assays of Nd2O3 at the
// same time disagree" (it was: the body's assay, recorded before the
// shipment, was read as a loading assay).
func TestPartShippedAtBodyAssayInstant(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	const lot, mine, port = "urn:critmin:test:lot:P9Z", "urn:critmin:test:site:mine9z", "urn:critmin:test:site:port9z"
	ev := func(id, day, step, loc string, extra map[string]any) map[string]any {
		e := map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:9f9a0000-0000-4000-8000-0000000009" + id, "eventTime": "2025-09-" + day + "T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "OBSERVE", "bizStep": step, "bizLocation": map[string]any{"id": loc}, "quantityList": []any{map[string]any{"epcClass": lot}}}
		for k, v := range extra {
			e[k] = v
		}
		return e
	}
	report := func(pct float64) map[string]any {
		return map[string]any{"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-09-02T08:00:00Z"},
			"sensorReport": []any{dryReport("Nd2O3", pct)}}}}
	}
	capture(t, s,
		ev("01", "01", "commissioning", mine, map[string]any{"action": "ADD", "quantityList": qty(lot, 10000),
			"ilmd": map[string]any{"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": []any{
				map[string]any{"cm:analyte": "Nd2O3", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}}}}),
		ev("02", "02", "inspecting", mine, report(6)))
	ship := ev("03", "02", "shipping", mine, report(4.5))
	ship["quantityList"], ship["disposition"] = qty(lot, 4000), "in_transit"
	ship["bizTransactionList"] = []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:B9Z"}}
	ship["destinationList"] = []any{map[string]any{"type": "location", "destination": port}}
	capture(t, s, ship, ev("04", "03", "receiving", port, map[string]any{"quantityList": qty(lot, 4000),
		"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:B9Z"}}}))
	lf, g, err := s.LotGrades(ctx, lot, nil)
	if err != nil {
		t.Fatalf("settlement grades: %v", err)
	}
	if a, ok := lf.Assays["Nd2O3"]; !ok {
		t.Errorf("no loading Nd2O3 grade")
	} else {
		eq(t, "loading Nd2O3", a.Value, "4.5")
	}
	if a, ok := g["Nd2O3"]; !ok {
		t.Errorf("no settled Nd2O3 grade")
	} else {
		eq(t, "settled Nd2O3 ("+a.Formula+")", a.Value, "4.5")
	}
}
