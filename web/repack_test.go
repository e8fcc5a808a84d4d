package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
)

// packDoc is a capture document of one packing (AggregationEvent ADD) of
// lines ("lot kg") into container, at site and at (RFC 3339).
func packDoc(id, container, site, at string, lines ...string) string {
	var q []string
	for _, l := range lines {
		var lot string
		var kg float64
		fmt.Sscanf(l, "%s %g", &lot, &kg)
		q = append(q, fmt.Sprintf(`{"epcClass": %q, "quantity": %g, "uom": "KGM"}`, lot, kg))
	}
	return fmt.Sprintf(`{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-21T05:00:00.000Z", "epcisBody": {"eventList": [{"type": "AggregationEvent", "eventID": %q,
	 "eventTime": %q, "eventTimeZoneOffset": %q, "action": "ADD", "bizStep": "packing", "disposition": "active",
	 "parentID": %q, "childQuantityList": [%s], "readPoint": {"id": %q}, "bizLocation": {"id": %q}}]}}`,
		id, at, at[len(at)-6:], container, strings.Join(q, ", "), site, site)
}

// TestRepackingRefused: a child is in one container at a time (EPCIS 2.0
// §7.3.5, CBV packing). The demo packs 40,000 kg of the lot SB2025001
// into TGHU7654320 (event 007; the lot later weighs 39.9 t, so 40 t ≥
// 39.9 t is all of it) and never unpacks it: packing
// it (any mass) into another container is refused, from the pack form
// (preview and a confirmation posted anyway) and from POST
// /epcis/capture, each naming the lot and TGHU7654320; nothing is
// stored. The demo's REE-2025-003 (30 t, never packed): 18 t into one
// container is taken; then 18 t into another is refused (18 + 18 = 36 t
// > 30 t, 30 − 18 = 12 t left), and 12 t (18 + 12 = 30 t) is taken.
// REE-2025-001, unpacked from MSKU1234565 by event 020, packs again
// (subject to its mass, 1 t here).
func TestRepackingRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const (
		sb   = "urn:epc:class:lgtin:0614141.012345.SB2025001"
		in   = "urn:critmin:demo:container:TGHU7654320"
		c2   = "urn:critmin:demo:container:MSKU7777772"
		c3   = "urn:critmin:demo:container:MSKU8888885"
		ree3 = "urn:critmin:demo:lot:REE-2025-003"
	)
	l, err := ts.Store.FindLot(ctx, sb)
	if err != nil || l.WetTonnes != 39.9 {
		t.Fatalf("demo lot %s: %+v, %v; the test expects 39.9 t", sb, l, err)
	}
	events := l.EventCount
	want := "lot " + sb + " is already packed whole in container " + in + " (event urn:critmin:demo:event:007) and has not been unpacked"
	// Each lot is packed where it is, when it is there: SB2025001 at the
	// Qila Abdullah mine on 25 Aug, after event 007 packed it and before
	// it left (it is consumed at the Missouri plant on 24 Oct);
	// REE-2025-003 at Houston on 21 Nov, after its receipt there
	// (receiveDemo003); REE-2025-001 at the Missouri plant on 9 Oct, an
	// hour after event 020 unpacked it there and before run MO-REE-001
	// consumed it (20 Oct).
	receiveDemo003(t, ts)
	type place struct{ site, time, tz string }
	atMine := place{"urn:critmin:demo:site:qila-abdullah", "2025-08-25T12:00", "+05:00"}
	atHouston := place{"urn:critmin:demo:site:houston", "2025-11-21T10:00", "-06:00"}
	atPlant := place{"urn:critmin:demo:site:refinery-mo", "2025-10-09T16:00", "-05:00"}
	doc := func(id, container string, p place, line string) string {
		return packDoc(id, container, p.site, p.time+":00.000"+p.tz, line)
	}
	form := func(step, container, lines string) url.Values {
		p := atHouston
		if strings.HasPrefix(lines, sb) {
			p = atMine
		}
		return url.Values{"step": {step}, "time": {p.time}, "tz": {p.tz}, "site": {p.site},
			"container": {container}, "lots": {lines}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000000b1"}}
	}
	for _, lines := range []string{sb + " 39900 KGM", sb + " 1000 KGM"} {
		for _, step := range []string{"preview", "capture"} {
			resp, b := do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(form(step, c2, lines).Encode()), formHeader)
			page := html.UnescapeString(withIDs(string(b)))
			// A lot packed elsewhere conflicts with the record: 409,
			// as the API answers (issue 15, fix15w).
			if resp.StatusCode != http.StatusConflict || !strings.Contains(page, want) {
				t.Errorf("form %s of %q: %d; want 409 naming %q\n%s", step, lines, resp.StatusCode, want, excerpt(page, "already"))
			}
			if strings.Contains(page, "The event is valid") {
				t.Errorf("form %s of %q called the event valid", step, lines)
			}
		}
	}
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc("urn:uuid:5e0a1d2c-0000-4000-8000-0000000000b2", c2, atMine, sb+" 39900")), nil)
	if resp.StatusCode < 400 || !strings.Contains(string(b), want) {
		t.Errorf("POST /epcis/capture: %d; want a refusal naming %q\n%s", resp.StatusCode, want, b)
	}
	if l, _ := ts.Store.FindLot(ctx, sb); l.EventCount != events {
		t.Errorf("lot has %d events after refusals; want %d (nothing stored)", l.EventCount, events)
	}
	for _, id := range []string{"urn:uuid:5e0a1d2c-0000-4000-8000-0000000000b1", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000000b2"} {
		if evs, err := ts.Store.FindEventsByID(ctx, id); len(evs) != 0 || critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("refused event %s stored: %v %v", id, evs, err)
		}
	}

	// A part of a lot: 18 t of 30 t into c2, then 18 t more into c3 is
	// over (12 t left), through the API and the form; 12 t is taken.
	capture := func(id, container, line string) (int, string) {
		p := atHouston
		if strings.HasPrefix(line, "urn:critmin:demo:lot:REE-2025-001") {
			p = atPlant
		}
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc(id, container, p, line)), nil)
		return resp.StatusCode, string(b)
	}
	if code, b := capture("urn:uuid:5e0a1d2c-0000-4000-8000-0000000000c1", c2, ree3+" 18000"); code >= 300 {
		t.Fatalf("18 t of a 30 t lot: %d %s", code, b)
	}
	over := "packs 18 t of lot " + ree3 + " into " + c3 + ", but 18 t of its 30 t (wet) is already in container " + c2 + " (event urn:uuid:5e0a1d2c-0000-4000-8000-0000000000c1) and has not been unpacked: 12 t is left to pack"
	if code, b := capture("urn:uuid:5e0a1d2c-0000-4000-8000-0000000000c2", c3, ree3+" 18000"); code < 400 || !strings.Contains(b, over) {
		t.Errorf("18 t more: %d; want a refusal naming %q\n%s", code, over, b)
	}
	resp, b = do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(form("preview", c3, ree3+" 18000 KGM").Encode()), formHeader)
	if page := html.UnescapeString(withIDs(string(b))); resp.StatusCode != http.StatusConflict || !strings.Contains(page, over) {
		t.Errorf("form preview of 18 t more: %d; want 409 naming %q\n%s", resp.StatusCode, over, excerpt(page, "already"))
	}
	if code, b := capture("urn:uuid:5e0a1d2c-0000-4000-8000-0000000000c3", c3, ree3+" 12000"); code >= 300 {
		t.Errorf("the 12 t left: %d %s", code, b)
	}
	// Unpacked (event 020): it may be packed again.
	if code, b := capture("urn:uuid:5e0a1d2c-0000-4000-8000-0000000000c4", c2, "urn:critmin:demo:lot:REE-2025-001 1000"); code >= 300 {
		t.Errorf("REE-2025-001 after its unpacking: %d %s", code, b)
	}
}
