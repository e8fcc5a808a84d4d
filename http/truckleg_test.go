package http_test

import "testing"

// TestTruckLegTransit (n8c s23, fixPf): a truck leg departs under a
// despatch advice (bizTransaction type desadv, the waybill), destination
// khi stated. Lot TL 10 t packed whole into C1, [C1] departing from mb;
// lot TM 5 t departing by its line. Each is in transit (10 t, 5 t) from
// mb to khi under the waybill by the departing event: the lot's transit
// and its inTransit entry name the destination, the bill and the event
// (both read transit null and an entry with no to, bill or event).
func TestTruckLegTransit(t *testing.T) {
	ts := MustServe(t, true, nil)
	const c1 = "urn:epc:id:sscc:0614141.6100000003"
	const khi, mb = "urn:t:site:khi", "urn:t:site:mb"
	for _, c := range []struct {
		lot, bill, ev string
		tonnes        float64
		qty, setup    string
	}{
		{"urn:t:lot:TL", "urn:t:waybill:W1", "urn:t:ev:tl-d", 10, "10", `{"type": "AggregationEvent", "eventID": "urn:t:ev:tl-p", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
  "parentID": "` + c1 + `", "childQuantityList": [{"epcClass": "urn:t:lot:TL", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mb + `"}}`},
		{"urn:t:lot:TM", "urn:t:waybill:W2", "urn:t:ev:tm-d", 5, "5", ""},
	} {
		v := newSplitViews(t, ts, c.lot, khi, c.bill)
		what := `"epcList": ["` + c1 + `"]`
		if c.setup == "" {
			what = `"quantityList": [{"epcClass": "` + c.lot + `", "quantity": 5, "uom": "TNE"}]`
		}
		events := []string{`{"type": "ObjectEvent", "eventID": "` + c.ev + `c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "` + c.lot + `", "quantity": ` + c.qty + `, "uom": "TNE"}], "bizLocation": {"id": "` + mb + `"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`}
		if c.setup != "" {
			events = append(events, c.setup)
		}
		events = append(events, `{"type": "ObjectEvent", "eventID": "`+c.ev+`", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "departing", "disposition": "in_transit",
  `+what+`, "readPoint": {"id": "`+mb+`"}, "sourceList": [{"type": "location", "source": "`+mb+`"}], "destinationList": [{"type": "location", "destination": "`+khi+`"}],
  "bizTransactionList": [{"type": "desadv", "bizTransaction": "`+c.bill+`"}]}`)
		v.capture(c.lot+" departing", v.doc(events...))
		l := v.getLot()
		if l.Status != "in_transit" || !v.near(l.InTransitTonnes, c.tonnes) {
			t.Errorf("%s after departing: %s, %v t in transit; want in_transit, %v t", c.lot, l.Status, l.InTransitTonnes, c.tonnes)
		}
		if l.Transit == nil || l.Transit.To != khi || l.Transit.BillOfLading != c.bill || l.Transit.EventID != c.ev {
			t.Errorf("%s's transit after departing: %+v; want to %s under %s by %s", c.lot, l.Transit, khi, c.bill, c.ev)
		}
		if len(l.InTransit) != 1 || l.InTransit[0].To != khi || l.InTransit[0].BillOfLading != c.bill || l.InTransit[0].EventID != c.ev {
			t.Errorf("%s in transit after departing: %+v; want one entry to %s under %s by %s", c.lot, l.InTransit, khi, c.bill, c.ev)
		}
	}
}
