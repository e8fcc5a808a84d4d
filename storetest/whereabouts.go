package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testWhereabouts (issue 15, fix15c items 1 and 2): the capture check
// (custody.CaptureClaimCheck, custody/whereabouts.go) refuses, for the API
// as for the forms and the import, an event where its lot is not. Lot W,
// 30,000 kg commissioned at s1 on 1 Oct.
//
//  1. Shipping W from s2 on 2 Oct, or packing it there: W is at s1
//     (since its commissioning) → refused under bizLocation, nothing
//     stored.
//  2. Shipping W from s1 to s2 under B/L BW on 2 Oct: accepted; W is in
//     transit.
//  3. On 5 Oct, W at sea: a sampling at s2 (its destination, before
//     receipt), a run at s2 feeding it, and a sampling at s1 (which it
//     left) → each refused, naming the shipping event.
//     A transporting event read at vessel V1 on 6 Oct (no destination):
//     accepted, W stays bound for s2 — a receipt at s1 is refused.
//  4. Receiving W at s2 on 10 Oct: accepted. A sampling at s2 on 11 Oct:
//     accepted; a sampling at s1 on 11 Oct 12:00 is refused (W is at
//     s2). A sampling at s2 dated 5 Oct, captured after the receipt:
//     still refused (W was at sea on 5 Oct).
//  5. Shipping W from s1 on 12 Oct: refused (W is at s2, last placed
//     there by the sampling of 11 Oct); from s2 back to s1: accepted.
//
// In 1, a run carrying a mass-balance claim is refused alike, and an
// ObjectEvent ADD of W at s2 (plain or claiming) is refused 409: a claim
// exempts no event from the check (fix9r).
func testWhereabouts(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s)
	const lot, s1, s2 = "urn:t:lot:W", "urn:t:site:s1", "urn:t:site:s2"
	MustCapture(t, svc, docOf(strings.Replace(commissionEv("urn:t:ev:W0", "2025-10-01T00:00:00Z", lot, "30000", "ree_concentrate", "PAK"), "urn:critmin:site:mine-b", s1, 1)))
	ship := func(id, at, from, to string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}],
		 "readPoint": {"id": "` + from + `"}, "bizLocation": {"id": "` + from + `"}, "destinationList": [{"type": "location", "destination": "` + to + `"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + id[len(id)-2:] + `"}]}`
	}
	sample := func(id, at, site string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "sampling", "quantityList": [{"epcClass": "` + lot + `"}], "bizLocation": {"id": "` + site + `"}}`
	}
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:Wp", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizStep": "packing", "parentID": "urn:t:container:CW", "childQuantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + s2 + `"}}`
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:Wr", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizLocation": {"id": "` + s2 + `"},
	 "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:WX", "quantity": 1000, "uom": "KGM"}]}`
	receive := `{"type": "ObjectEvent", "eventID": "urn:t:ev:Wv", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "` + lot + `", "quantity": 29950, "uom": "KGM"}],
	 "bizLocation": {"id": "` + s2 + `"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:W1"}]}`
	refused := func(what, ev, id, want string) {
		t.Helper()
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(docOf(ev))})
		// Where the record puts the lot differs: a conflict with the
		// record, ECONFLICT (409; issue 15, fix15w).
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant ECONFLICT with %q", what, err, want)
		}
		if _, err := s.FindEventsByID(ctx, id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: the refused event was stored (%v)", what, err)
		}
	}
	// 1. W is at s1.
	atS1 := "lot " + lot + " is at " + s1 + " at 2025-10-02T00:00:00Z (since commissioning, event urn:t:ev:W0"
	refused("shipping from s2 a lot at s1", ship("urn:t:ev:Wx", "2025-10-02T00:00:00Z", s2, s1), "urn:t:ev:Wx", atS1)
	refused("packing at s2 a lot at s1", pack, "urn:t:ev:Wp", atS1)
	// A run at s2 feeding W, at s1 and never shipped, is refused too
	// (fix15f item 1: the run took the whole lot and moved it to s2), and
	// so is an observation of no step there; nothing is stored.
	runAtS2 := strings.Replace(run, "2025-10-05T00:00:00Z", "2025-10-02T00:00:00Z", 1)
	refused("a run at s2 feeding a lot at s1", strings.Replace(runAtS2, "urn:t:ev:Wr", "urn:t:ev:Wr0", 1), "urn:t:ev:Wr0",
		atS1+" on 2025-10-01T00:00:00Z), not at "+s2+": it can be fed to a run only where it is")
	refused("an observation at s2 of a lot at s1", `{"type": "ObjectEvent", "eventID": "urn:t:ev:Wo", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "`+s2+`"}}`, "urn:t:ev:Wo", atS1)
	// A claim exempts nothing (fix9r item 1): the same run carrying a
	// mass-balance claim (cm:originClaim) is refused alike, not taken.
	claimRun := strings.Replace(strings.Replace(runAtS2, "urn:t:ev:Wr", "urn:t:ev:Wrc", 1), "urn:t:lot:WX", "urn:t:lot:WXC", 1)
	claimRun = strings.Replace(claimRun, `"uom": "KGM"}]}`, `"uom": "KGM"}], "ilmd": {"cm:commodity": "ndpr_oxide", "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`, 1)
	if !strings.Contains(claimRun, "cm:originClaim") {
		t.Fatal("test set-up: claim not written")
	}
	refused("a run at s2 with a claim feeding a lot at s1", claimRun, "urn:t:ev:Wrc", atS1+" on 2025-10-01T00:00:00Z), not at "+s2+": it can be fed to a run only where it is")
	// An ObjectEvent ADD of W (already placed at s1) at s2 — plain or
	// claiming — would move it there without a shipment: refused as a
	// conflict with the record of where W is (409), nothing stored.
	for _, c := range []struct{ id, ilmd string }{{"urn:t:ev:Wa", ""}, {"urn:t:ev:Wac", `, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}`}} {
		add := `{"type": "ObjectEvent", "eventID": "` + c.id + `", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
		 "quantityList": [{"epcClass": "` + lot + `"}], "bizLocation": {"id": "` + s2 + `"}` + c.ilmd + `}`
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(docOf(add))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), atS1+" on 2025-10-01T00:00:00Z), not at "+s2) {
			t.Errorf("ADD of W at s2 (%s):\n got %v\nwant ECONFLICT naming where W is", c.id, err)
		}
		if _, err := s.FindEventsByID(ctx, c.id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("the refused ADD %s was stored (%v)", c.id, err)
		}
	}
	if l, err := s.FindLot(ctx, lot); err != nil || l.Status == critmin.LotConsumed || l.Location != s1 {
		t.Errorf("after the refused run and ADDs lot W is %+v (%v), want at s1, not consumed", l, err)
	}
	// 2. Shipped from s1 to s2.
	MustCapture(t, svc, docOf(ship("urn:t:ev:W1", "2025-10-02T00:00:00Z", s1, s2)))
	// 3. At sea on 5 Oct.
	atSea := "lot " + lot + " is in transit at 2025-10-05T00:00:00Z (shipping from " + s1 + " to " + s2 + ", event urn:t:ev:W1 on 2025-10-02T00:00:00Z)"
	refused("sampling at the destination before receipt", sample("urn:t:ev:Ws", "2025-10-05T00:00:00Z", s2), "urn:t:ev:Ws", atSea+", not at "+s2)
	refused("a run at the destination feeding a lot at sea", run, "urn:t:ev:Wr", atSea+", not at "+s2)
	refused("sampling at the port it left", sample("urn:t:ev:Wt", "2025-10-05T00:00:00Z", s1), "urn:t:ev:Wt", atSea+", not at "+s1)
	// A leg seen on the way (transporting, read at a vessel, no
	// destination): accepted, and the lot stays bound for s2.
	MustCapture(t, svc, docOf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:Wg", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "transporting", "disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`"}], "readPoint": {"id": "urn:t:vessel:V1"}}`))
	// (No bill of lading, so that the receipt check does not judge it.)
	noBOL := `{"type": "ObjectEvent", "eventID": "urn:t:ev:Wq", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "` + lot + `"}], "bizLocation": {"id": "` + s1 + `"}}`
	refused("receiving at s1, not the destination", noBOL, "urn:t:ev:Wq", "lot "+lot+" is in transit at 2025-10-07T00:00:00Z (transporting from urn:t:vessel:V1 to "+s2+", event urn:t:ev:Wg")
	// 4. Received at s2.
	MustCapture(t, svc, docOf(receive))
	MustCapture(t, svc, docOf(sample("urn:t:ev:Wu", "2025-10-11T00:00:00Z", s2)))
	// The refusal names the event that put the lot at s2 — the receipt —
	// not the later sampling there (issue 15, fix15b).
	refused("sampling at s1 a lot received at s2", sample("urn:t:ev:Wz", "2025-10-11T12:00:00Z", s1), "urn:t:ev:Wz",
		"lot "+lot+" is at "+s2+" at 2025-10-11T12:00:00Z (since receiving, event urn:t:ev:Wv on 2025-10-10T00:00:00Z), not at "+s1+": it can be sampled, weighed or inspected only where it is")
	refused("a back-dated sampling at sea, after the receipt", sample("urn:t:ev:Ws", "2025-10-05T00:00:00Z", s2), "urn:t:ev:Ws", atSea)
	// 5. W is at s2 since the receipt.
	refused("shipping from s1 a lot received at s2", ship("urn:t:ev:Wy", "2025-10-12T00:00:00Z", s1, s2), "urn:t:ev:Wy",
		"lot "+lot+" is at "+s2+" at 2025-10-12T00:00:00Z (since receiving, event urn:t:ev:Wv")
	MustCapture(t, svc, docOf(ship("urn:t:ev:W2", "2025-10-12T00:00:00Z", s2, s1)))
}
