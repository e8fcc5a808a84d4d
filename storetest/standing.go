package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testStandingAtEventTime (issue 15, fix15k; custody/standing.go): a
// movement takes at most what stood of its lot at its site at its own
// eventTime, the lot's live stored events (LiveEventsOfLots) replayed in
// event time with the document's. Lot N, 30,000 kg at s1 on 1 Nov;
// 10,000 kg shipped to s2 on 2 Nov (B/L N1) and received there on 20
// Nov; 10,000 kg shipped from s1 on 15 Nov (B/L N2). At s1 stood 30 − 10
// = 20 t from 2 Nov, 20 − 10 = 10 t from 15 Nov.
//
//  1. 25,000 kg shipped from s1 dated 10 Nov, entered last: 25 > 20 +
//     30 × 0.005 = 20.15 t → refused (409, a conflict with the ledger), nothing stored.
//  2. 15,000 kg dated 10 Nov: fits the 20 t then, but leaves 5 t for the
//     recorded 10 t of 15 Nov (10 > 5.15) → refused, naming N2's event.
//  3. 10,000 kg dated 10 Nov: leaves 10 t for it → accepted.
func testStandingAtEventTime(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s)
	const lot, s1, s2 = "urn:t:lot:N", "urn:t:site:s1", "urn:t:site:s2"
	ship := func(id, at, kg string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizLocation": {"id": "` + s1 + `"}, "destinationList": [{"type": "location", "destination": "` + s2 + `"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + id + `"}]}`
	}
	MustCapture(t, svc, docOf(strings.Replace(commissionEv("urn:t:ev:N0", "2025-11-01T00:00:00Z", lot, "30000", "ree_concentrate", "PAK"), "urn:critmin:site:mine-b", s1, 1),
		ship("N1", "2025-11-02T00:00:00Z", "10000"),
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:N1r", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "receiving", "quantityList": [{"epcClass": "`+lot+`", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "`+s2+`"},
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:N1"}]}`))
	MustCapture(t, svc, docOf(ship("N2", "2025-11-15T00:00:00Z", "10000")))
	for _, c := range []struct{ id, kg, want string }{
		{"N3", "25000", "takes 25 t of it at " + s1 + ", but only 20 t of its 30 t stood there then"},
		{"N4", "15000", "recorded event urn:t:ev:N2"},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(docOf(ship(c.id, "2025-11-10T00:00:00Z", c.kg)))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s t dated 10 Nov: %v; want %q", c.kg, err, c.want)
		}
		if _, err := s.FindEventsByID(ctx, "urn:t:ev:"+c.id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("refused %s stored: %v", c.id, err)
		}
	}
	MustCapture(t, svc, docOf(ship("N5", "2025-11-10T00:00:00Z", "10000")))
}
