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

// TestImportBackdatedMassLineAsItStood (issue 15, fix15c item 3): a
// back-dated row's mass line gives the lot's mass at the row's time — the
// mass its error is judged against (custody.LotAt, checkBackdatedMass) —
// not today's. Lot R15BD-1 is commissioned at Karachi on 2025-11-01 with
// 20 000 kg at 8 % (dry 18.4 t) and weighed on 2025-11-06 at 18 000 kg,
// stated as screened (cm:massChangeReason): 18 t now.
//
//   - row 2 (2025-11-03 10:00 +05:00), net 20,000 kg: against the lot as
//     it stood then, 20 t: 0 t (+0.0 %), within the tolerance (against
//     today's 18 t it would read +2 t, +11.1 %);
//   - row 3 (2025-11-04 10:00 +05:00), net 22,000 kg: (22 − 20) / 20 =
//     +10.0 % beyond +0.5 % — the line marks it so, and the row's error,
//     judged then, says +10.0 % too (against 18 t: +22.2 %).
func TestImportBackdatedMassLineAsItStood(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:R15BD-1"
	ev := func(id, at, step, action, qty, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+05:00", "action": "` + action + `", "bizStep": "` + step + `",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + qty + `, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"}` + extra + `}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [` + ev("bd1", "2025-11-01T09:00:00+05:00", "commissioning", "ADD", "20000", `, "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08}`) + `, ` +
		ev("bd2", "2025-11-06T09:00:00+05:00", "inspecting", "OBSERVE", "18000", `, "cm:massChangeReason": "screened: 2 t of oversize removed"`) + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg)\n" +
		"KHI-BD-2," + lot + ",2025-11-03 10:00,20000\n" +
		"KHI-BD-3," + lot + ",2025-11-04 10:00,22000\n"
	v := url.Values{"source": {"r15bd-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}, "def_decimal": {"."}}
	_, page := postImport(t, ts, v)
	plain := html.UnescapeString(page)
	line2 := excerpt(plain, `id="row-mass-2"`)
	if !strings.Contains(plain, `id="row-mass-2">Mass: recorded 20 t as it stood at 2025-11-03 05:00 UTC (the row's time; 18 t now), weighed 20 t: 0 t (0 %)</p>`) {
		t.Errorf("row 2's mass line is not the mass as it stood then:\n%s", line2)
	}
	if !strings.Contains(plain, `id="row-mass-3">Mass: recorded 20 t as it stood at 2025-11-04 05:00 UTC (the row's time; 18 t now), weighed 22 t: +2 t (+10.0 %), beyond the weighing tolerance`) {
		t.Errorf("row 3's mass line is not the mass as it stood then:\n%s", excerpt(plain, `id="row-mass-3"`))
	}
	if !strings.Contains(plain, "recorded at 20 t and weighed at 22 t (dry 18.4 t → 20.24 t), a difference of +10.0 %") {
		t.Errorf("row 3's error is not judged against the lot as it stood then:\n%s", excerpt(plain, "row-3"))
	}
}
