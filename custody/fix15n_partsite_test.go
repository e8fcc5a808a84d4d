package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestWeighingAtPartSiteKeepsRest (fix15n item 1): an event at a site
// where a received part of a lot stands concerns that part; it does not
// move the rest of the lot there. Lot C 30 t at the mine; 10 t ship to the
// port and are received there at 9.98 t; a weighbridge ticket at the port
// (OBSERVE, sensor_reporting, 9.95 t: the part) and a sampling there
// leave the rest (30 − 10 = 20 t) at the mine, so a ticket at the mine of
// 20 t and a shipping of 5 t from the mine are taken, not refused as
// "lot C is at urn:t:site:port … not at urn:t:site:mine-PAK".
func TestWeighingAtPartSiteKeepsRest(t *testing.T) {
	ctx := context.Background()
	const port, mine = "urn:t:site:port", "urn:t:site:mine-PAK"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		feedAt("C", "ree_concentrate", "PAK", 30, "Nd:5"),
		ev("s", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}],
		 "readPoint": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BC"}]`),
		ev("r", "2025-10-05T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 9.98, "uom": "TNE"}],
		 "bizLocation": {"id": "`+port+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BC"}]`)))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	capture := func(what, body string) {
		t.Helper()
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, body))}); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	capture("weighbridge ticket at the port (the part)", ev("wp", "2025-10-06T00:00:00Z", "sensor_reporting",
		`"quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 9.95, "uom": "TNE"}], "bizLocation": {"id": "`+port+`"}`))
	capture("sampling at the port (the part)", ev("sp", "2025-10-06T06:00:00Z", "sampling",
		`"epcList": [], "quantityList": [{"epcClass": "urn:t:lot:C"}], "bizLocation": {"id": "`+port+`"}`))
	capture("ticket at the mine (the rest, 20 t)", ev("wm", "2025-10-07T00:00:00Z", "inspecting",
		`"quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "`+mine+`"}`))
	capture("shipping 5 t from the mine", ev("s2", "2025-10-08T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 5, "uom": "TNE"}],
		 "readPoint": {"id": "`+mine+`"}, "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BC2"}]`))
	l, err := db.FindLot(ctx, "urn:t:lot:C")
	if err != nil {
		t.Fatal(err)
	}
	if l.Location != mine {
		t.Errorf("lot C at %q, want %s (the rest stays at the mine)", l.Location, mine)
	}
}
