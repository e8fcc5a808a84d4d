package commercial_test

import (
	"context"
	"testing"
)

// TestShippedPartReadsItsOwnAssays (issue 9 item 3; issue 15, fix15a:
// an assay is of what stood where it was taken). Lot P9X, 10 t at the
// mine at Nd2O3 5 % dry (moisture 0); 4 t of it are shipped to the port
// under B/L B1 (what the settlement settles) and received there; 6 t stay
// at the mine.
//   - The body is re-assayed at the mine (Nd2O3 6 %, 2025-09-04): that is
//     the 6 t left there, not what was shipped. The shipped part's grade
//     stays its loading grade, 5 % (it read 6 %).
//   - The shipped part is then assayed at the port (Nd2O3 4 %,
//     2025-09-05): its settled grade is 4 %; the body at the mine is
//     re-assayed again (7 %, 2025-09-06), which is still not the part's:
//     4 % (it read 7 %). A 4 t × 4 % = 0.16 t Nd2O3 payable basis, not
//     4 × 7 % = 0.28 t.
//   - At loading the part left at the lot's 5 %.
func TestShippedPartReadsItsOwnAssays(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	const lot, mine, port = "urn:critmin:test:lot:P9X", "urn:critmin:test:site:mine9x", "urn:critmin:test:site:port9x"
	ev := func(id, day, step, loc string, extra map[string]any) map[string]any {
		e := map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:9f9a0000-0000-4000-8000-0000000000" + id, "eventTime": "2025-09-" + day + "T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "OBSERVE", "bizStep": step, "bizLocation": map[string]any{"id": loc}, "quantityList": []any{map[string]any{"epcClass": lot}}}
		for k, v := range extra {
			e[k] = v
		}
		return e
	}
	assay := func(id, day, loc string, pct float64) map[string]any {
		return ev(id, day, "inspecting", loc, map[string]any{"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-09-" + day + "T08:00:00Z"},
			"sensorReport": []any{dryReport("Nd2O3", pct)}}}})
	}
	capture(t, s,
		ev("01", "01", "commissioning", mine, map[string]any{"action": "ADD", "quantityList": qty(lot, 10000),
			"ilmd": map[string]any{"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": []any{
				map[string]any{"cm:analyte": "Nd2O3", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}}}}),
		ev("02", "02", "shipping", mine, map[string]any{"quantityList": qty(lot, 4000), "disposition": "in_transit",
			"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:B9X"}},
			"destinationList":    []any{map[string]any{"type": "location", "destination": port}}}),
		ev("03", "03", "receiving", port, map[string]any{"quantityList": qty(lot, 4000),
			"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:B9X"}}}),
		assay("04", "04", mine, 6))
	check := func(stage, loading, latest string) {
		t.Helper()
		lf, g, err := s.LotGrades(ctx, lot, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := lf.Assays["Nd2O3"]; !ok {
			t.Errorf("%s: no loading Nd2O3 grade", stage)
		} else {
			eq(t, stage+": loading Nd2O3", a.Value, loading)
		}
		if a, ok := g["Nd2O3"]; !ok {
			t.Errorf("%s: no settled Nd2O3 grade", stage)
		} else {
			eq(t, stage+": settled Nd2O3 ("+a.Formula+")", a.Value, latest)
		}
	}
	check("body re-assayed at the mine", "5", "5")
	capture(t, s, assay("05", "05", port, 4), assay("06", "06", mine, 7))
	check("part assayed at the port", "5", "4")
}
