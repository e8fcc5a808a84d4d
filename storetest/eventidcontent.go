package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// testEventIDContentConflict: an eventID names one event (EPCIS 2.0
// §7.4.1). Lot Q is commissioned (20 t) and shipped (20 t) by event
// urn:uuid:…51; then
//   - the shipment re-sent with the same content (JSON, then XML) is a
//     duplicate: 1 duplicate, 0 stored, Q still has 2 events;
//   - the shipment re-sent with 21 t, another bizStep or another epcList
//     under the same eventID is refused 409 (ECONFLICT) naming the eventID
//     and "other content", with the event's pointer
//     (/epcisBody/eventList/1/eventID: the second event of its document),
//     and the new event beside it in the document is not stored (rollback
//     of the whole capture) — in JSON and in XML;
//   - one document holding two events under one new eventID, different
//     or the same, is refused 400 (EINVALID) as "eventID … is repeated in
//     this document at events 0 and 1", with both events' eventID
//     pointers (issue 15, fix15zm: the same event twice was reported as
//     "already stored"); nothing is stored;
//   - four concurrent captures of one new event are idempotent: all four
//     succeed, one stores it, three report it a duplicate; four concurrent
//     captures of four different events under one new eventID store one,
//     and the other three are refused ECONFLICT.
func testEventIDContentConflict(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const id = "urn:uuid:51000000-0000-4000-8000-000000000051"
	commission := `{"type": "ObjectEvent", "eventID": "urn:uuid:51000000-0000-4000-8000-000000000001", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	ship := func(eventID, qty, step, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "` + eventID + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": ` + qty + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}` + extra + `}`
	}
	other := `{"type": "ObjectEvent", "eventID": "urn:uuid:51000000-0000-4000-8000-000000000099", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
  "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 20, "uom": "TNE"}]}`
	MustCapture(t, svc, retractDoc(commission, ship(id, "20", "shipping", "")))
	count := func() int {
		n, err := s.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	n0 := count()
	job := MustCapture(t, svc, retractDoc(ship(id, "20", "shipping", "")))
	if len(job.Duplicates) != 1 || job.Stored != 0 {
		t.Errorf("the same shipment again: duplicates %v, %d stored; want 1 duplicate, 0 stored", job.Duplicates, job.Stored)
	}
	shipXML := func(qty string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-11-01T00:00:00Z">
<EPCISBody><EventList>
<ObjectEvent><eventTime>2025-10-06T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><eventID>urn:uuid:51000000-0000-4000-8000-000000000098</eventID>
<epcList/><action>OBSERVE</action><bizStep>inspecting</bizStep>
<extension><quantityList><quantityElement><epcClass>urn:t:lot:Q</epcClass><quantity>20</quantity><uom>TNE</uom></quantityElement></quantityList></extension></ObjectEvent>
<ObjectEvent><eventTime>2025-10-05T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><eventID>` + id + `</eventID>
<epcList/><action>OBSERVE</action><bizStep>shipping</bizStep><disposition>in_transit</disposition><bizLocation><id>urn:t:site:pkkhi</id></bizLocation>
<extension><quantityList><quantityElement><epcClass>urn:t:lot:Q</epcClass><quantity>` + qty + `</quantity><uom>TNE</uom></quantityElement></quantityList></extension></ObjectEvent>
</EventList></EPCISBody></epcis:EPCISDocument>`)
	}
	// The XML document's first event is new and its second the shipment:
	// with the same content, 1 stored and 1 duplicate.
	xjob, err := svc.Capture(ctx, ledger.CaptureRequest{Body: shipXML("20"), XML: true})
	if err != nil {
		t.Fatalf("the same shipment again in XML: %v", err)
	}
	if len(xjob.Duplicates) != 1 || xjob.Duplicates[0] != id || xjob.Stored != 1 {
		t.Errorf("the same shipment again in XML: duplicates %v, %d stored; want [%s], 1 stored", xjob.Duplicates, xjob.Stored, id)
	}
	n0++ // the XML document's inspection (…98)
	if n := count(); n != n0 {
		t.Fatalf("%d events after the identical re-sends, want %d", n, n0)
	}
	refused := func(what string, err error, pointer string) {
		t.Helper()
		var c *critmin.EventContentConflict
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !errors.As(err, &c) || c.EventID != id ||
			!strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "other content") {
			t.Errorf("%s: %v; want ECONFLICT naming %s and its other content", what, err, id)
			return
		}
		if f := critmin.ErrorFields(err); len(f) != 1 || !strings.Contains(f[0].Pointer, pointer) {
			t.Errorf("%s: fields %v; want the eventID at %s", what, f, pointer)
		}
		if n := count(); n != n0 {
			t.Errorf("%s: %d events stored, want %d (nothing of the refused capture)", what, n, n0)
		}
	}
	for _, c := range []struct{ what, ev string }{
		{"21 t under the shipment's eventID", ship(id, "21", "shipping", "")},
		{"another bizStep under the shipment's eventID", ship(id, "20", "departing", "")},
		{"an epcList under the shipment's eventID", ship(id, "20", "shipping", `, "epcList": ["urn:epc:id:sgtin:4012345.011111.1001"]`)},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(other, c.ev))})
		refused(c.what, err, "/epcisBody/eventList/1/eventID")
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: shipXML("21"), XML: true})
	refused("21 t under the shipment's eventID in XML", err, "ObjectEvent")
	if l := mustLot(t, s, "urn:t:lot:Q"); l.EventCount != 3 || l.WetTonnes != 20 {
		t.Errorf("Q after the refusals: %d events, %v t; want 3 events (commissioning, shipment, inspection), 20 t", l.EventCount, l.WetTonnes)
	}
	// Within one document: events 0 and 1 carry one eventID.
	const fresh = "urn:uuid:51000000-0000-4000-8000-000000000052"
	for _, c := range []struct{ what, doc string }{
		{"two events under one eventID in one document", retractDoc(ship(fresh, "20", "receiving", ""), ship(fresh, "19", "receiving", ""))},
		{"one event twice in one document", retractDoc(ship(fresh, "20", "receiving", ""), ship(fresh, "20", "receiving", ""))},
	} {
		_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(c.doc)})
		f := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 2 || f[0].Pointer != "/epcisBody/eventList/0/eventID" || f[1].Pointer != "/epcisBody/eventList/1/eventID" ||
			!strings.Contains(f[0].Reason, "eventID "+fresh+" is repeated in this document at events 0 and 1") {
			t.Errorf("%s: %v %+v; want EINVALID naming events 0 and 1 at their eventIDs", c.what, err, f)
		}
		if n := count(); n != n0 {
			t.Errorf("%s: %d events, want %d", c.what, n, n0)
		}
		// The preview says the same.
		if _, err := svc.Validate(ctx, []byte(c.doc)); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "repeated in this document at events 0 and 1") {
			t.Errorf("%s: preview %v; want the repeat named", c.what, err)
		}
	}
	MustCapture(t, svc, retractDoc(ship(fresh, "20", "receiving", "")))
	n0++
	// Concurrent captures.
	race := func(bodies []string) []error {
		errs := make([]error, len(bodies))
		jobs := make([]*critmin.CaptureJob, len(bodies))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, b := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				jobs[i], errs[i] = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(b)})
			}()
		}
		close(start)
		wg.Wait()
		return errs
	}
	const same = "urn:uuid:51000000-0000-4000-8000-000000000053"
	errs := race([]string{retractDoc(ship(same, "20", "arriving", "")), retractDoc(ship(same, "20", "arriving", "")), retractDoc(ship(same, "20", "arriving", "")), retractDoc(ship(same, "20", "arriving", ""))})
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent identical capture %d: %v; want a duplicate, not an error", i, err)
		}
	}
	if n := count(); n != n0+1 {
		t.Errorf("after four concurrent identical captures: %d events, want %d (one stored)", n, n0+1)
	}
	n0++
	const diff = "urn:uuid:51000000-0000-4000-8000-000000000054"
	errs = race([]string{retractDoc(ship(diff, "17", "arriving", "")), retractDoc(ship(diff, "18", "arriving", "")), retractDoc(ship(diff, "19", "arriving", "")), retractDoc(ship(diff, "20", "arriving", ""))})
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), diff):
			t.Errorf("concurrent different capture %d: %v; want ECONFLICT naming %s", i, err, diff)
		}
	}
	if ok != 1 {
		t.Errorf("four different events under one eventID at once: %d stood, want 1", ok)
	}
	if n := count(); n != n0+1 {
		t.Errorf("after four concurrent different captures: %d events, want %d (one stored)", n, n0+1)
	}
}
