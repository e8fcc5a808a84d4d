package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestEventIDClashNamesStoredEvent (issue 15, fix15zm item 2): lot A of
// 1,000 kg ships 500 kg under eventID …03; the same eventID sent again
// with 5,000 kg was refused by the custody check for shipping 5 t of the
// 0.5 t left, which hid the real fault. Capture and preview now say the
// eventID is already used by a different stored event, name it (ObjectEvent
// shipping at its time) and the field that differs (quantityList); 409,
// nothing stored.
func TestEventIDClashNamesStoredEvent(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	doc := func(ev string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T08:00:00Z", "epcisBody": {"eventList": [` + ev + `]}}`)
	}
	ship := func(kg string) []byte {
		return doc(`{"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000015a0c03", "eventTime": "2025-11-03T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:ZM-A", "quantity": ` + kg + `, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:m"}}`)
	}
	for _, d := range [][]byte{
		doc(`{"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000015a0c01", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:ZM-A", "quantity": 1000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:m"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}`),
		ship("500"),
	} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: d}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := ts.Store.CountEvents(ctx)
	const want = "eventID urn:uuid:00000000-0000-4000-8000-0000015a0c03 is already used by a different stored event (ObjectEvent shipping at 2025-11-03T08:00:00Z)"
	_, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: ship("5000")})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "they differ in quantityList") || strings.Contains(err.Error(), "sends 5 t") {
		t.Errorf("capture: %v; want %q and the differing quantityList", err, want)
	}
	perEvent, err := ts.Svc.Validate(ctx, ship("5000"))
	found := err != nil && strings.Contains(err.Error(), want)
	for _, fe := range perEvent {
		for _, f := range fe {
			found = found || strings.Contains(f.Reason, want) && strings.HasSuffix(f.Pointer, "/eventID")
		}
	}
	if !found {
		t.Errorf("preview: %+v, %v; want %q at the eventID", perEvent, err, want)
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by the refused clash", after-before)
	}
}
