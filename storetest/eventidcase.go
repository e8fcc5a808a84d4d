package storetest

import (
	"context"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testEventIDLetterCase: a UUID URN eventID is case-insensitive (RFC 9562
// §4, RFC 8141 §3.1), so critmin stores it in lower case and looks it up in
// any case. Lot K is commissioned (20 t) and shipped by event
// urn:uuid:AB…01 (spelled in capitals); then
//   - the shipment re-sent with its eventID in lower case is a duplicate:
//     1 event skipped, 2 events stored (commissioning + shipment);
//   - GET by the mixed-case spelling finds it;
//   - a declaration spelled urn:UUID:ab…01 is applied: K is back to the
//     commissioning's state (in_stock at mine-a, 1 live event).
func testEventIDLetterCase(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const upper = "urn:uuid:AB000000-0000-4000-8000-0000000000CD"
	const lower = "urn:uuid:ab000000-0000-4000-8000-0000000000cd"
	commission := `{"type": "ObjectEvent", "eventID": "urn:uuid:ab000000-0000-4000-8000-000000000001", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:K", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	ship := func(id, decl string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:K", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}` + decl + `}`
	}
	MustCapture(t, svc, retractDoc(commission, ship(upper, "")))
	job := MustCapture(t, svc, retractDoc(ship(lower, "")))
	// The second document's one event is the stored shipment again.
	if len(job.Duplicates) != 1 || job.Stored != 0 {
		t.Errorf("shipment re-sent in lower case: duplicates %v, %d stored; want 1 duplicate, 0 stored", job.Duplicates, job.Stored)
	}
	evs, err := s.FindEventsByID(ctx, "urn:UUID:aB000000-0000-4000-8000-0000000000Cd")
	if err != nil || len(evs) != 1 || evs[0].EventID != lower {
		t.Fatalf("find by a mixed-case spelling: %v %v; want the one shipment stored as %s", evs, err, lower)
	}
	if got := query(t, s, "EQ_eventID="+url.QueryEscape(upper)); len(got) != 1 || got[0] != lower {
		t.Errorf("EQ_eventID=%s: %v; want [%s]", upper, got, lower)
	}
	if l := mustLot(t, s, "urn:t:lot:K"); l.Status != critmin.LotInTransit || l.EventCount != 2 {
		t.Fatalf("before the declaration: K %s with %d events; want in_transit with 2 (the re-sent shipment not counted)", l.Status, l.EventCount)
	}
	MustCapture(t, svc, retractDoc(ship("urn:UUID:ab000000-0000-4000-8000-0000000000cD", `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "did_not_occur", "correctiveEventIDs": ["URN:UUID:AB000000-0000-4000-8000-0000000000EF"]}`)))
	if l := mustLot(t, s, "urn:t:lot:K"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mine-a" || l.EventCount != 1 {
		t.Errorf("after the declaration spelled in other letters: K %s at %s with %d events; want in_stock at mine-a with 1", l.Status, l.Location, l.EventCount)
	}
	evs, err = s.FindEventsByID(ctx, upper)
	if err != nil || len(evs) != 2 || evs[1].ErrorDeclaration == nil {
		t.Fatalf("find %s after the declaration: %d events (%v); want the shipment and its declaration", upper, len(evs), err)
	}
	if c := evs[1].ErrorDeclaration.CorrectiveEventIDs; len(c) != 1 || c[0] != "urn:uuid:ab000000-0000-4000-8000-0000000000ef" {
		t.Errorf("corrective eventIDs %v; want the lower-case spelling", c)
	}
	if got := query(t, s, "EQ_correctiveEventID=urn:uuid:AB000000-0000-4000-8000-0000000000EF"); len(got) != 1 || !strings.HasPrefix(got[0], lower) {
		t.Errorf("EQ_correctiveEventID in capitals: %v; want the declaration of %s", got, lower)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testRetractRunAndCorrectInOneDocument: run T1 took A 100 t and B 50 t
// into C (140 t). One document declares T1 in error and brings its
// corrective T1c (A 100 t → C 90 t). With T1 retracted, A has 100 t
// remaining (100 stated − 0 consumed by live runs), so T1c's 100 t is
// within it and the document is accepted; checked against the stored runs
// alone, A would have 100 − 100 = 0 t left and T1c would be refused.
// Afterwards C is 90 t from A alone, and B (50 t) is unconsumed.
func testRetractRunAndCorrectInOneDocument(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store)) // as critmin serve runs it
	// A and B are commissioned at the refinery, where T1 feeds them (a
	// run takes only what is at its site: custody/whereabouts.go).
	atRefinery := func(ev string) string {
		return regexp.MustCompile(`urn:t:site:mine-[ab]`).ReplaceAllString(ev, "urn:t:site:refinery")
	}
	MustCapture(t, svc, retractDoc(atRefinery(evA), atRefinery(evB), evT1))
	MustCapture(t, svc, retractDoc(declT, evT1c))
	c := mustLot(t, s, "urn:t:lot:C")
	if len(c.Parents) != 1 || c.Parents[0] != "urn:t:lot:A" || math.Abs(c.WetTonnes-90) > tol {
		t.Errorf("C after the correction: parents %v, %v t; want A alone, 90 t", c.Parents, c.WetTonnes)
	}
	if a := mustLot(t, s, "urn:t:lot:A"); a.Status != critmin.LotConsumed {
		t.Errorf("A after the correction: %s, want consumed", a.Status)
	}
	if b := mustLot(t, s, "urn:t:lot:B"); b.Status != critmin.LotInStock {
		t.Errorf("B after the correction: %s, want in_stock (the corrective run did not use it)", b.Status)
	}
	// The declaration does not free more than the declared run took: a
	// third run taking A again (100 t of its 100 t, all taken by T1c) is
	// still refused. Its output is a new lot, E: naming C, which T1c
	// made, would be refused first as a second making of C (a lot is
	// made once, custody/lotmade.go, fix9s), not for what it takes of A.
	again := strings.Replace(strings.Replace(strings.Replace(evT1c, "urn:t:ev:T1c", "urn:t:ev:T1d", 1), "urn:t:xform:1", "urn:t:xform:2", 1), `"urn:t:lot:C"`, `"urn:t:lot:E"`, 1)
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(retractDoc(again))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:lot:A") {
		t.Errorf("a second run on A after the correction: %v; want refused naming lot A", err)
	}
}

// testEventIDLegacySpelling: an event stored before eventIDs were
// canonicalised keeps its eventID as captured, capitals and all (simulated
// here by writing the capitals into the stored row). Re-sent in that
// spelling it is a duplicate (1 duplicate, 0 stored), and a declaration in
// that spelling retracts it: lot L goes back to in_stock at mine-a with 1
// live event.
func testEventIDLegacySpelling(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	const lower = "urn:uuid:cd000000-0000-4000-8000-0000000000ab"
	const legacy = "urn:uuid:CD000000-0000-4000-8000-0000000000AB"
	commission := `{"type": "ObjectEvent", "eventID": "urn:uuid:cd000000-0000-4000-8000-000000000001", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	ship := func(id, decl string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}` + decl + `}`
	}
	MustCapture(t, svc, retractDoc(commission, ship(lower, "")))
	tamper(t, s, `UPDATE events SET event_id = '`+legacy+`', raw = REPLACE(raw, '`+lower+`', '`+legacy+`') WHERE event_id = '`+lower+`'`,
		`UPDATE lot_moves SET event_id = '`+legacy+`' WHERE event_id = '`+lower+`'`)
	job := MustCapture(t, svc, retractDoc(ship(legacy, "")))
	if len(job.Duplicates) != 1 || job.Stored != 0 {
		t.Errorf("legacy event re-sent in its spelling: duplicates %v, %d stored; want 1 duplicate, 0 stored", job.Duplicates, job.Stored)
	}
	MustCapture(t, svc, retractDoc(ship(legacy, `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "did_not_occur"}`)))
	if l := mustLot(t, s, "urn:t:lot:L"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mine-a" || l.EventCount != 1 {
		t.Errorf("after the declaration in the legacy spelling: L %s at %s with %d events; want in_stock at mine-a with 1", l.Status, l.Location, l.EventCount)
	}
}

// testEventIDURNNamespaceCase: in any URN the scheme and the NID are
// case-insensitive (RFC 8141 §3.1), so an eventID urn:critmin:event:S-1 is
// stored, matched and retracted by URN:CRITMIN:event:S-1 too, while its
// NSS keeps its case. Lot N is commissioned (20 t) and shipped by event
// urn:critmin:event:S-1; then
//   - the shipment re-sent as URN:Critmin:event:S-1 is a duplicate:
//     0 stored, 1 duplicate, N still has 2 events;
//   - GET by URN:CRITMIN:event:S-1 finds it, stored as urn:critmin:event:S-1;
//   - a declaration spelled URN:CRITMIN:event:S-1 is applied: N is back to
//     the commissioning's state (in_stock at mine-a, 1 live event).
func testEventIDURNNamespaceCase(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const stored = "urn:critmin:event:S-1"
	commission := `{"type": "ObjectEvent", "eventID": "urn:critmin:event:C-1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:N", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	ship := func(id, decl string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:N", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}` + decl + `}`
	}
	MustCapture(t, svc, retractDoc(commission, ship(stored, "")))
	job := MustCapture(t, svc, retractDoc(ship("URN:Critmin:event:S-1", "")))
	if len(job.Duplicates) != 1 || job.Stored != 0 {
		t.Errorf("shipment re-sent as URN:Critmin:…: duplicates %v, %d stored; want 1 duplicate, 0 stored", job.Duplicates, job.Stored)
	}
	evs, err := s.FindEventsByID(ctx, "URN:CRITMIN:event:S-1")
	if err != nil || len(evs) != 1 || evs[0].EventID != stored {
		t.Fatalf("find by URN:CRITMIN:event:S-1: %v %v; want the one shipment stored as %s", evs, err, stored)
	}
	if _, err := s.FindEventsByID(ctx, "urn:critmin:EVENT:s-1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("find by another NSS spelling: %v; want not found (the NSS keeps its case)", err)
	}
	if l := mustLot(t, s, "urn:t:lot:N"); l.Status != critmin.LotInTransit || l.EventCount != 2 {
		t.Fatalf("before the declaration: N %s with %d events; want in_transit with 2", l.Status, l.EventCount)
	}
	MustCapture(t, svc, retractDoc(ship("URN:CRITMIN:event:S-1", `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "did_not_occur"}`)))
	if l := mustLot(t, s, "urn:t:lot:N"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mine-a" || l.EventCount != 1 {
		t.Errorf("after the declaration spelled URN:CRITMIN:…: N %s at %s with %d events; want in_stock at mine-a with 1", l.Status, l.Location, l.EventCount)
	}
}
