package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestPackingByEPCsIsCheckedAtSeaToo (issue 15, fix15r item 3): the
// sea-shipment checks apply to a packing whatever names its children.
// With afterSailingDoc, container CZ sailed from Karachi on 2025-11-03
// (B/L 020). Packing into CZ on 2025-11-05 is refused when the packing
// names its children by quantity (packInto, 5,000 kg of SY) and when it
// names them by instance EPCs only (bag urn:t:bag:B1, no
// childQuantityList). Nothing is stored. (Bag B2, shipped on its own,
// is captured so that the document holds an instance at sea; packing it
// is not refused yet: see the fix15r report.)
func TestPackingByEPCsIsCheckedAtSeaToo(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(afterSailingDoc)}); err != nil {
		t.Fatal(err)
	}
	bagShip := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-04T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:sail:b2s", "eventTime": "2025-11-03T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "epcList": ["urn:t:bag:B2"], "readPoint": {"id": "urn:t:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:021"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(bagShip)}); err != nil {
		t.Fatal(err)
	}
	byEPCs := func(id, parent, child string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-06T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "AggregationEvent", "eventID": "urn:t:sail:` + id + `", "eventTime": "2025-11-05T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "packing",
  "parentID": "` + parent + `", "childEPCs": ["` + child + `"], "bizLocation": {"id": "urn:t:site:karachi"}}]}}`
	}
	for _, c := range []struct {
		what, doc string
		wants     []string
	}{
		{"5,000 kg of SY into sailed CZ", packInto("pq", "2025-11-05T10:00:00+05:00"), []string{"urn:t:container:CZ", "urn:t:sail:s"}},
		{"bag B1 (EPCs only) into sailed CZ", byEPCs("pe", "urn:t:container:CZ", "urn:t:bag:B1"), []string{"urn:t:container:CZ", "urn:t:sail:s"}},
	} {
		before, _ := ts.Store.CountEvents(ctx)
		_, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(c.doc)})
		if err == nil {
			t.Errorf("%s: accepted", c.what)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v; want it naming %q", c.what, err, w)
			}
		}
		// Packing into a container that has sailed conflicts with the
		// stored sailing (409), whatever names the children.
		if code := critmin.ErrorCode(err); code != critmin.ECONFLICT {
			t.Errorf("%s: code %s; want %s", c.what, code, critmin.ECONFLICT)
		}
		if after, _ := ts.Store.CountEvents(ctx); after != before {
			t.Errorf("%s: %d events stored", c.what, after-before)
		}
	}
}
