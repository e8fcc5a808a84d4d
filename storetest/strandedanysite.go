package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// wwDoc is an EPCIS document whose master data describes three sites of
// different kinds — ww-mine (siteKind mine), ww-port (siteKind port) and
// ww-plain (a country only) — and none for urn:t:site:ww-fresh.
func wwDoc(events ...string) string {
	site := func(id, kind string) string {
		attrs := `{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}`
		if kind != "" {
			attrs += `, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "` + kind + `"}`
		}
		return `{"id": "urn:t:site:` + id + `", "attributes": [` + attrs + `]}`
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` +
		site("ww-mine", "mine") + `,` + site("ww-port", "port") + `,` + site("ww-plain", "") + `,` + site("ww-s2", "port") + `,` + site("ww-s3", "port") + `]}]}},
 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// wwEv is an event of the fixWw cases on 2025-10-dd (eventID urn:t:ww:id).
func wwEv(id string, day int, body string) string {
	return `{"eventID": "urn:t:ww:` + id + `", "eventTime": "2025-10-` + twoDigits(day) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", ` + body + `}`
}

// wwDeclared is ev with an errorDeclaration of 2025-10-20.
func wwDeclared(ev string) string {
	return strings.TrimSuffix(strings.TrimSpace(ev), "}") + `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}}`
}

// wwDecoded is the stored event ev decoded in full, as the declaration
// page reads it (its lines, not only its indexed columns).
func wwDecoded(t *testing.T, ev *critmin.Event) *critmin.Event {
	t.Helper()
	body, err := epcis.EventWithContext(ev)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := epcis.ParseDocument(body, true)
	if err != nil {
		t.Fatal(err)
	}
	full, derr := doc.Decode(0, ev.RecordTime)
	if derr != nil {
		t.Fatal(derr)
	}
	full.EventID = ev.EventID
	return full
}

// wwRefused captures doc, which must be refused 409 naming each of the
// events named (by their wwEv id), and checks nothing was stored: lot
// keeps its status, location and event count, and no event of doc is
// stored declared.
func wwRefused(t *testing.T, s critmin.Store, svc *ledger.Service, doc string, lot string, declared []string, named ...string) string {
	t.Helper()
	ctx := context.Background()
	before := mustLot(t, s, lot)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("declaring %v in error: %v; want a conflict (409) naming %v", declared, err, named)
	}
	msg := critmin.ErrorMessage(err)
	for _, n := range named {
		if !strings.Contains(msg, "urn:t:ww:"+n) {
			t.Errorf("declaring %v: the refusal does not name urn:t:ww:%s:\n%s", declared, n, msg)
		}
	}
	for _, d := range declared {
		evs, err := s.FindEventsByID(ctx, "urn:t:ww:"+d)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.ErrorDeclaration != nil {
				t.Errorf("declaring %s was refused, yet the declaration is stored", d)
			}
		}
	}
	if got := mustLot(t, s, lot); got.Status != before.Status || got.Location != before.Location || got.EventCount != before.EventCount {
		t.Errorf("lot %s after the refusal: %s at %s, %d events; want as before: %s at %s, %d events", lot, got.Status, got.Location, got.EventCount,
			before.Status, before.Location, before.EventCount)
	}
	return msg
}

// testCommissioningStrandsAtAnySite (issue 8 §2, fixWw item 1): lot L
// commissioned (10 t) and then inspected, shipped, or packed into a
// container that is then shipped by its SSCC. Declaring the
// commissioning alone in error leaves the later event acting on a lot no
// standing event makes, whatever the site: a mine, a port, a site known
// by its country only, or one no master data describes. Before, the
// refusal (409) came only at a site the capture rules read as the
// corridor's (master data with a siteKind mine…): at a port or a fresh
// site the declaration was taken (202) and the later event left
// standing on nothing. The declaration preview (custody.StrandedBy)
// names the same events.
func testCommissioningStrandsAtAnySite(t *testing.T, open Opener) {
	ctx := context.Background()
	commission := func(lot, site string) string {
		return wwEv("c-"+lot, 1, `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "`+site+`"},
  "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": 10, "uom": "TNE"}]`)
	}
	inspect := func(lot, site string) []string {
		return []string{wwEv("i-"+lot, 2, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "bizLocation": {"id": "`+site+`"}, "quantityList": [{"epcClass": "urn:t:lot:`+lot+`"}]`)}
	}
	ship := func(lot, site string) []string {
		return []string{wwEv("s-"+lot, 2, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "`+site+`"},
  "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": 10, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+lot+`"}], "destinationList": [{"type": "location", "destination": "urn:t:site:ww-s3"}]`)}
	}
	pack := func(lot, site string) []string {
		return []string{wwEv("p-"+lot, 2, `"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "bizLocation": {"id": "`+site+`"},
  "parentID": "urn:t:cont:`+lot+`", "childQuantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": 10, "uom": "TNE"}]`)}
	}
	packShip := func(lot, site string) []string {
		return append(pack(lot, site), wwEv("sc-"+lot, 3, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "`+site+`"},
  "epcList": ["urn:t:cont:`+lot+`"], "destinationList": [{"type": "location", "destination": "urn:t:site:ww-s3"}]`))
	}
	later := []struct {
		name   string
		events func(lot, site string) []string
		named  string // the wwEv id prefix the refusal names
	}{
		{"inspection", inspect, "i-"},
		{"shipment", ship, "s-"},
		{"packing", pack, "p-"},
		{"packing and container shipment", packShip, "p-"},
	}
	sites := []string{"ww-mine", "ww-port", "ww-plain", "ww-fresh"}
	for i, l := range later {
		for j, site := range sites {
			l, site := l, "urn:t:site:"+site
			lot := "L" + string(rune('a'+i)) + string(rune('a'+j))
			t.Run(l.name+" at "+site, func(t *testing.T) {
				s := open(t)
				svc := service(s)
				svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
				c := commission(lot, site)
				MustCapture(t, svc, wwDoc(append([]string{c}, l.events(lot, site)...)...))
				// The preview names what the refusal names.
				evs, err := s.FindEventsByID(ctx, "urn:t:ww:c-"+lot)
				if err != nil || len(evs) != 1 {
					t.Fatalf("the commissioning: %v %v", evs, err)
				}
				st, err := custody.StrandedBy(ctx, s.(custody.Store), wwDecoded(t, evs[0]))
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, e := range st {
					found = found || e.Refused && e.Event.EventID == "urn:t:ww:"+l.named+lot
				}
				if !found {
					t.Errorf("the declaration preview (StrandedBy) does not name urn:t:ww:%s%s as standing on nothing: %+v", l.named, lot, st)
				}
				wwRefused(t, s, svc, wwDoc(wwDeclared(c)), "urn:t:lot:"+lot, []string{"c-" + lot}, l.named+lot)
			})
		}
	}
}
