package storetest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// testEventIDLegacyAnyCase: an older version stored eventIDs verbatim, so
// a store it made may hold URN:UUID:EF…01 (scheme, NID and hex in
// capitals) and URN:CRITMIN:event:Leg-2; their records are chained as
// they are and never rewritten. Simulated by writing those spellings into
// the rows (events, raw JSON, lot_moves, lot_links) as the old version
// wrote them. Lot G is commissioned by Leg-2 (20 t) and shipped by EF…01
// (in transit); then, in spellings that are neither the stored one nor
// the one asked before:
//   - GET by urn:uuid:ef…01 (the canonical spelling) and by Urn:Uuid:eF…01
//     find the shipment; EQ_eventID=urn:uuid:ef…01 returns it; GET by
//     urn:critmin:event:Leg-2 finds the commissioning and
//     urn:critmin:event:leg-2 (another NSS) finds nothing;
//   - the shipment re-sent as urn:uuid:ef…01 is a duplicate (0 stored),
//     and with 21 t under urn:UUID:Ef…01 it is refused as other content;
//   - a declaration spelled urn:uuid:ef…01 retracts it: G back in stock at
//     mine-a with 1 live event, and GET by any spelling gives the
//     shipment and its declaration, stored under the shipment's spelling;
//   - a declaration stored by the old version with correctiveEventIDs
//     URN:UUID:EF…02 is found by EQ_correctiveEventID=urn:uuid:ef…02.
func testEventIDLegacyAnyCase(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const (
		ship1   = "urn:uuid:ef000000-0000-4000-8000-000000000001"
		legacy1 = "URN:UUID:EF000000-0000-4000-8000-000000000001"
		mixed1  = "Urn:Uuid:eF000000-0000-4000-8000-000000000001"
		comm2   = "urn:critmin:event:Leg-2"
		legacy2 = "URN:CRITMIN:event:Leg-2"
	)
	commission := `{"type": "ObjectEvent", "eventID": "` + comm2 + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:G", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	ship := func(id, qty, decl string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:G", "quantity": ` + qty + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}` + decl + `}`
	}
	MustCapture(t, svc, retractDoc(commission, ship(ship1, "20", "")))
	var fix []string
	for _, p := range [][2]string{{ship1, legacy1}, {comm2, legacy2}} {
		fix = append(fix,
			`UPDATE events SET event_id = '`+p[1]+`', raw = REPLACE(raw, '`+p[0]+`', '`+p[1]+`') WHERE event_id = '`+p[0]+`'`,
			`UPDATE lot_moves SET event_id = '`+p[1]+`' WHERE event_id = '`+p[0]+`'`,
			`UPDATE lot_links SET event_id = '`+p[1]+`' WHERE event_id = '`+p[0]+`'`)
	}
	tamper(t, s, fix...)
	for _, id := range []string{ship1, mixed1} {
		evs, err := s.FindEventsByID(ctx, id)
		if err != nil || len(evs) != 1 || evs[0].EventID != legacy1 {
			t.Errorf("find by %s: %v %v; want the shipment stored as %s", id, evs, err, legacy1)
		}
	}
	if got := query(t, s, "EQ_eventID="+url.QueryEscape(ship1)); len(got) != 1 || got[0] != legacy1 {
		t.Errorf("EQ_eventID=%s: %v; want [%s]", ship1, got, legacy1)
	}
	if evs, err := s.FindEventsByID(ctx, comm2); err != nil || len(evs) != 1 || evs[0].EventID != legacy2 {
		t.Errorf("find by %s: %v %v; want the commissioning stored as %s", comm2, evs, err, legacy2)
	}
	if _, err := s.FindEventsByID(ctx, "urn:critmin:event:leg-2"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("find by urn:critmin:event:leg-2: %v; want not found (a URN's NSS keeps its case)", err)
	}
	n, _ := s.CountEvents(ctx)
	job := MustCapture(t, svc, retractDoc(ship(ship1, "20", "")))
	if len(job.Duplicates) != 1 || job.Duplicates[0] != legacy1 || job.Stored != 0 {
		t.Errorf("the legacy shipment re-sent as %s: duplicates %v, %d stored; want [%s], 0 stored", ship1, job.Duplicates, job.Stored, legacy1)
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(ship("urn:UUID:Ef000000-0000-4000-8000-000000000001", "21", "")))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), legacy1) {
		t.Errorf("21 t under the legacy shipment's eventID in another spelling: %v; want ECONFLICT naming %s", err, legacy1)
	}
	if m, _ := s.CountEvents(ctx); m != n {
		t.Errorf("re-sends stored events: %d → %d", n, m)
	}
	if l := mustLot(t, s, "urn:t:lot:G"); l.Status != critmin.LotInTransit || l.EventCount != 2 {
		t.Fatalf("before the declaration: G %s with %d events; want in_transit with 2", l.Status, l.EventCount)
	}
	MustCapture(t, svc, retractDoc(ship(ship1, "20", `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "did_not_occur", "correctiveEventIDs": ["urn:uuid:ef000000-0000-4000-8000-000000000002"]}`)))
	if l := mustLot(t, s, "urn:t:lot:G"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mine-a" || l.EventCount != 1 {
		t.Errorf("after the declaration spelled %s: G %s at %s with %d events; want in_stock at mine-a with 1", ship1, l.Status, l.Location, l.EventCount)
	}
	evs, err := s.FindEventsByID(ctx, mixed1)
	if err != nil || len(evs) != 2 || evs[0].DeclaredInError == nil || evs[1].ErrorDeclaration == nil || evs[1].EventID != legacy1 {
		t.Errorf("find by %s after the declaration: %v %v; want the shipment (declared in error) and its declaration under %s", mixed1, evs, err, legacy1)
	}
	// The old version stored the declaration's correctiveEventIDs as sent.
	tamper(t, s, `UPDATE event_attrs SET val = 'URN:UUID:EF000000-0000-4000-8000-000000000002', canon = 'URN:UUID:EF000000-0000-4000-8000-000000000002' WHERE kind = 'corrective' AND val = 'urn:uuid:ef000000-0000-4000-8000-000000000002'`)
	if got := query(t, s, "EQ_correctiveEventID=urn:uuid:ef000000-0000-4000-8000-000000000002"); len(got) != 1 || !strings.HasPrefix(got[0], legacy1) {
		t.Errorf("EQ_correctiveEventID in the canonical spelling for a legacy corrective ID: %v; want the declaration of %s", got, legacy1)
	}
}
