package http_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"
)

// TestLotSplitAcrossContainersViews (new-user finding nu38a): lot SP,
// 10 t at mb, packed 6 t into C1 and 4 t into C2 on Oct 2; on Oct 3
// [C1, C2] shipped from mb to khi under SP-1, naming no line of SP.
//   - The lot API: in_transit, its transit from mb to khi under SP-1 by
//     sp-s1 (the shipment of the containers), 6 + 4 = 10 t in transit;
//     /api/v1/transit and its CSV, and the lots CSV, give the same
//     destination, bill of lading and event.
//   - Oct 5, [C1] received at khi under SP-1: C1's 6 t received at khi
//     (a part), C2's 10 − 6 = 4 t still in transit under SP-1 to khi by
//     sp-s1; /api/v1/transit lists the lot with 4 t.
//   - Oct 6, [C1] received again: 409. Oct 7, [C2] received: the lot in
//     stock at khi, 6 + 4 = 10 t, nothing in transit, not in
//     /api/v1/transit.
func TestLotSplitAcrossContainersViews(t *testing.T) {
	ts := MustServe(t, true, nil)
	const c1, c2 = "urn:epc:id:sscc:0614141.6100000003", "urn:epc:id:sscc:0614141.6200000003"
	const lot, khi, bol, ship = "urn:t:lot:SP", "urn:t:site:khi", "urn:t:bol:SP-1", "urn:t:ev:sp-s1"
	v := newSplitViews(t, ts, lot, khi, bol)
	doc, pack, move, capture, getLot, transitList, csvRow, near := v.doc, v.pack, v.move, v.capture, v.getLot, v.transitList, v.csvRow, v.near
	type lotView = splitLotView
	capture("setup", doc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:sp-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "`+lot+`", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`, pack("sp-p1", c1, "6"), pack("sp-p2", c2, "4"),
		move("sp-s1", "shipping", "in_transit", "urn:t:site:mb", "03", c1, c2)))

	l := getLot()
	if l.Status != "in_transit" || !near(l.InTransitTonnes, 10) {
		t.Errorf("SP after [C1, C2] shipped: %s, %v t in transit; want in_transit, 6 + 4 = 10 t", l.Status, l.InTransitTonnes)
	}
	if l.Transit == nil || l.Transit.To != khi || l.Transit.BillOfLading != bol || l.Transit.EventID != ship {
		t.Errorf("SP's transit after [C1, C2] shipped: %+v; want to %s under %s by %s", l.Transit, khi, bol, ship)
	}
	var listed *lotView
	for _, v := range transitList() {
		if v.ID == lot {
			listed = &v
		}
	}
	if listed == nil || listed.Transit == nil || listed.Transit.To != khi || listed.Transit.BillOfLading != bol || listed.Transit.EventID != ship || !near(listed.InTransitTonnes, 10) {
		t.Errorf("/api/v1/transit after [C1, C2] shipped: %+v; want SP, 10 t to %s under %s by %s", listed, khi, bol, ship)
	}
	for _, path := range []string{"/api/v1/transit", "/api/v1/lots"} {
		r := csvRow(path)
		if r == nil || r["destination"] != khi || !strings.Contains(r["transit"], bol) || r["in_transit_t"] != "10" {
			t.Errorf("%s CSV after [C1, C2] shipped: %v; want destination %s, transit naming %s, 10 t in transit", path, r, khi, bol)
		}
	}

	capture("[C1] received", doc(move("sp-r1", "receiving", "in_progress", khi, "05", c1)))
	l = getLot()
	var received float64
	for _, p := range l.Parts {
		if p.Status == "received" && p.To == khi {
			received += p.Tonnes
		}
	}
	if !near(received, 6) || !near(l.InTransitTonnes, 4) || !near(l.WetTonnes, 10) {
		t.Errorf("SP after [C1] received: %v t received at khi, %v t in transit, total %v t (parts %+v); want 6, 10 − 6 = 4, 10", received, l.InTransitTonnes, l.WetTonnes, l.Parts)
	}
	if len(l.InTransit) != 1 || l.InTransit[0].To != khi || l.InTransit[0].BillOfLading != bol || l.InTransit[0].EventID != ship || !near(l.InTransit[0].Tonnes, 4) {
		t.Errorf("SP in transit after [C1] received: %+v; want C2's 4 t to %s under %s by %s", l.InTransit, khi, bol, ship)
	}
	listed = nil
	for _, v := range transitList() {
		if v.ID == lot {
			listed = &v
		}
	}
	if listed == nil || !near(listed.InTransitTonnes, 4) {
		t.Errorf("/api/v1/transit after [C1] received: %+v; want SP with 4 t", listed)
	}

	resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(move("sp-r1b", "receiving", "in_progress", khi, "06", c1)), nil)
	if p := mustProblem(t, resp, rb, 409); !strings.Contains(p.Detail, "already received") {
		t.Errorf("[C1] received again: %q; want already received", p.Detail)
	}
	capture("[C2] received", doc(move("sp-r2", "receiving", "in_progress", khi, "07", c2)))
	l = getLot()
	if l.Status != "in_stock" || l.Location != khi || !near(l.WetTonnes, 10) || !near(l.InTransitTonnes, 0) || len(l.InTransit) != 0 {
		t.Errorf("SP after [C2] received: %s at %s, %v t, %v t in transit %+v; want in_stock at khi, 10 t, none in transit", l.Status, l.Location, l.WetTonnes, l.InTransitTonnes, l.InTransit)
	}
	for _, v := range transitList() {
		if v.ID == lot {
			t.Errorf("/api/v1/transit after both containers received lists SP: %+v", v)
		}
	}
}

// TestTripSpreadOverEventsViews: the dispatches of one trip spread over
// several events (fixNa, issue 8). Lot SQ, 10 t at mb, 6 t packed into
// C1 and 4 t into C2; [C1] shipped under SP-1 on Oct 3, [C2] under SP-1
// on Oct 4, an event each. The lot API, /api/v1/transit and both CSVs
// give 6 + 4 = 10 t in transit under SP-1 (they gave 6 t, the lot 4 t
// in stock at mb); [C1] received at khi on Oct 5 and [C2] on Oct 6: the
// lot in stock at khi, wet_t 10 in the lots CSV (it read 14), nothing
// in transit.
func TestTripSpreadOverEventsViews(t *testing.T) {
	ts := MustServe(t, true, nil)
	const c1, c2 = "urn:epc:id:sscc:0614141.6100000003", "urn:epc:id:sscc:0614141.6200000003"
	const lot, khi, bol, ship = "urn:t:lot:SQ", "urn:t:site:khi", "urn:t:bol:SP-1", "urn:t:ev:sq-s1"
	v := newSplitViews(t, ts, lot, khi, bol)
	doc, pack, move, capture, getLot, transitList, csvRow, near := v.doc, v.pack, v.move, v.capture, v.getLot, v.transitList, v.csvRow, v.near
	type lotView = splitLotView
	capture("setup", doc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:sq-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "`+lot+`", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`, pack("sq-p1", c1, "6"), pack("sq-p2", c2, "4")))
	capture("[C1] shipped", doc(move("sq-s1", "shipping", "in_transit", "urn:t:site:mb", "03", c1)))
	if l := getLot(); !near(l.InTransitTonnes, 6) {
		t.Errorf("SQ after [C1] shipped: %v t in transit; want C1's 6 t", l.InTransitTonnes)
	}
	capture("[C2] shipped", doc(move("sq-s2", "shipping", "in_transit", "urn:t:site:mb", "04", c2)))
	l := getLot()
	if l.Status != "in_transit" || !near(l.InTransitTonnes, 10) || !near(l.WetTonnes, 10) {
		t.Errorf("SQ after [C1] then [C2] shipped: %s at %s, %v t in transit, %v t; want in_transit, 6 + 4 = 10 t in transit, 10 t", l.Status, l.Location, l.InTransitTonnes, l.WetTonnes)
	}
	if len(l.InTransit) != 1 || l.InTransit[0].To != khi || l.InTransit[0].BillOfLading != bol || !near(l.InTransit[0].Tonnes, 10) {
		t.Errorf("SQ in transit: %+v; want one consignment of 10 t to %s under %s", l.InTransit, khi, bol)
	}
	var listed *lotView
	for _, v := range transitList() {
		if v.ID == lot {
			listed = &v
		}
	}
	if listed == nil || !near(listed.InTransitTonnes, 10) {
		t.Errorf("/api/v1/transit after [C1] then [C2] shipped: %+v; want SQ with 10 t", listed)
	}
	for _, path := range []string{"/api/v1/transit", "/api/v1/lots"} {
		if r := csvRow(path); r == nil || r["in_transit_t"] != "10" || r["wet_t"] != "10" {
			t.Errorf("%s CSV after [C1] then [C2] shipped: %v; want 10 t in transit of 10 t", path, r)
		}
	}
	capture("[C1] received", doc(move("sq-r1", "receiving", "in_progress", khi, "05", c1)))
	if l := getLot(); !near(l.InTransitTonnes, 4) || !near(l.WetTonnes, 10) {
		t.Errorf("SQ after [C1] received: %v t in transit, %v t; want 10 − 6 = 4 t in transit, 10 t", l.InTransitTonnes, l.WetTonnes)
	}
	capture("[C2] received", doc(move("sq-r2", "receiving", "in_progress", khi, "06", c2)))
	l = getLot()
	if l.Status != "in_stock" || l.Location != khi || !near(l.WetTonnes, 10) || !near(l.InTransitTonnes, 0) {
		t.Errorf("SQ after [C1] and [C2] received: %s at %s, %v t, %v t in transit; want in_stock at khi, 6 + 4 = 10 t, none in transit", l.Status, l.Location, l.WetTonnes, l.InTransitTonnes)
	}
	if r := csvRow("/api/v1/lots"); r == nil || r["wet_t"] != "10" || r["in_transit_t"] != "0" && r["in_transit_t"] != "" {
		t.Errorf("lots CSV after both received: %v; want wet_t 10, none in transit", r)
	}
}

// splitViews holds the document builders and readers the lot-split view
// tests share: lot is the lot read, khi the destination, bol the bill.
type splitViews struct {
	doc         func(events ...string) []byte
	pack        func(id, box, tonnes string) string
	move        func(id, step, disp, site, day string, boxes ...string) string
	capture     func(what string, body []byte)
	getLot      func() splitLotView
	transitList func() []splitLotView
	csvRow      func(path string) map[string]string
	near        func(a, b float64) bool
}

type splitTransit struct {
	From, To, BillOfLading, EventID string
	Tonnes                          float64
	Part                            bool
}

type splitLotView struct {
	ID              string
	Status          string
	Location        string
	WetTonnes       float64
	InTransitTonnes float64
	Transit         *splitTransit
	InTransit       []splitTransit
	Parts           []struct {
		Status string
		To     string
		Tonnes float64
	}
}

func newSplitViews(t *testing.T, ts *testServer, lot, khi, bol string) splitViews {
	doc := func(events ...string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-08T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
	}
	pack := func(id, box, tonnes string) string {
		return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
  "parentID": "` + box + `", "childQuantityList": [{"epcClass": "` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`
	}
	move := func(id, step, disp, site, day string, boxes ...string) string {
		dest := ""
		if step == "shipping" {
			dest = `, "destinationList": [{"type": "location", "destination": "` + khi + `"}]`
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", "disposition": "` + disp + `",
  "epcList": ["` + strings.Join(boxes, `", "`) + `"], "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}]` + dest + `}`
	}
	capture := func(what string, body []byte) {
		t.Helper()
		if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode >= 300 {
			t.Fatalf("%s: %d %s", what, resp.StatusCode, rb)
		}
	}
	getLot := func() splitLotView {
		t.Helper()
		resp, rb := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape(lot), operatorSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("lot: %d %s", resp.StatusCode, rb)
		}
		var v splitLotView
		if err := json.Unmarshal(rb, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	transitList := func() []splitLotView {
		t.Helper()
		resp, rb := do(t, "GET", ts.URL+"/api/v1/transit", operatorSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("transit: %d %s", resp.StatusCode, rb)
		}
		var v struct{ Lots []splitLotView }
		if err := json.Unmarshal(rb, &v); err != nil {
			t.Fatal(err)
		}
		return v.Lots
	}
	csvRow := func(path string) map[string]string {
		t.Helper()
		resp, rb := do(t, "GET", ts.URL+path, operatorSecret, nil, map[string]string{"Accept": "text/csv"})
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, rb)
		}
		rows, err := csv.NewReader(strings.NewReader(string(rb))).ReadAll()
		if err != nil || len(rows) < 1 {
			t.Fatalf("%s: %v %q", path, err, rb)
		}
		for _, r := range rows[1:] {
			if r[0] == lot {
				m := map[string]string{}
				for i, h := range rows[0] {
					m[h] = r[i]
				}
				return m
			}
		}
		return nil
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	return splitViews{doc, pack, move, capture, getLot, transitList, csvRow, near}
}
