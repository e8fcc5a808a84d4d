package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportMassLineDryAndBackdated (issue 15, new-user check): the
// weighbridge preview's mass line agrees with the capture check. Lot
// R15ML-1 is commissioned at Karachi on 2025-11-01 with 20 000 kg at 8 %
// moisture (dry 20 × 0.92 = 18.4 t) and weighed on 2025-11-06 at
// 20 000 kg (its latest recorded event).
//
//   - row 2 (2025-11-07), net 20,050 kg at 0.08 % moisture: dry
//     20.05 × 0.9992 = 20.03396 t against 18.4 t, +1.63396 t,
//     +1.63396 / 18.4 = +8.88 % → the line compares dry masses and marks
//     it beyond the tolerance (the wet +0.25 % read as within it before);
//   - row 3 (2025-11-03), net 20,000 kg: dated before the lot's latest
//     event, judged by the check against the lot as it stood then; the
//     line gives the lot as it stood then (custody.LotAt: 20 t, 0 %)
//     and today's 20 t beside it (fix15c item 3; before, it gave only
//     the figures recorded now).
func TestImportMassLineDryAndBackdated(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:R15ML-1"
	ev := func(id, at, step, action, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+05:00", "action": "` + action + `", "bizStep": "` + step + `",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": 20000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"}` + extra + `}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [` + ev("ml1", "2025-11-01T09:00:00+05:00", "commissioning", "ADD", `, "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08}`) + `, ` +
		ev("ml2", "2025-11-06T09:00:00+05:00", "inspecting", "OBSERVE", "") + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg),Moisture\n" +
		"KHI-ML-2," + lot + ",2025-11-07 10:00,20050,0.08\n" +
		"KHI-ML-3," + lot + ",2025-11-03 10:00,20000,\n"
	v := url.Values{"source": {"r15ml-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"}, "col_moisture_pct": {"Moisture"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}, "def_decimal": {"."}}
	_, page := postImport(t, ts, v)
	plain := html.UnescapeString(page)
	if !strings.Contains(plain, `id="row-mass-2">Mass: recorded 20 t (dry 18.4 t), weighed 20.05 t at 0.08 % moisture (dry 20.034 t): +1.634 t dry (+8.9 %), beyond the weighing tolerance`) {
		t.Errorf("row 2's mass line is not on the dry basis:\n%s", excerpt(plain, "row-mass-2"))
	}
	if !strings.Contains(plain, `id="row-mass-3">Mass: recorded 20 t as it stood at 2025-11-03 05:00 UTC (the row's time; 20 t now), weighed 20 t: 0 t (0 %)</p>`) {
		t.Errorf("row 3's mass line (back-dated):\n%s", excerpt(plain, "row-mass-3"))
	}
}
