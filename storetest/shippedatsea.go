package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A lot or container at sea is not sent on before it is received (issue
// 8, new-user finding fixOa item 1): lot 10 t packed 6 t into C1 and 4 t
// into C2, [C1, C2] shipped from the mine to Karachi under B1 and not
// received there, then [C1] alone shipped Karachi → Houston under BX was
// accepted — the views showed 10 t in transit under BX, and verify said
// ok. C1 is at sea under B1: nothing of it stands at Karachi, nor
// anywhere, until B1's receipt.

// saPlace states where an event happens, in one member or in the usual
// two: "all" (readPoint and bizLocation), "source" (a sourceList entry
// of type location alone), "readPoint" or "bizLocation" alone.
func saPlace(field, site string) string {
	switch field {
	case "source":
		return `"sourceList": [{"type": "location", "source": "` + site + `"}]`
	case "readPoint":
		return `"readPoint": {"id": "` + site + `"}`
	case "bizLocation":
		return `"bizLocation": {"id": "` + site + `"}`
	}
	return `"readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}`
}

// saLeave is an ObjectEvent of bizStep step (shipping, departing) on day
// (2025-10-dd) leaving from site as field states it (saPlace) for dest,
// under bill of lading bol ("" none), naming containers boxes in its
// epcList and lots "lot:kg" in its quantityList.
func saLeave(id, step, bol, site, field, dest string, day int, boxes []string, lots ...string) string {
	var parts []string
	if len(boxes) > 0 {
		parts = append(parts, `"epcList": ["`+strings.Join(boxes, `", "`)+`"]`)
	}
	var qs []string
	for _, l := range lots {
		lot, kg, _ := strings.Cut(l, ":")
		qs = append(qs, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+kg+`, "uom": "KGM"}`)
	}
	if len(qs) > 0 {
		parts = append(parts, `"quantityList": [`+strings.Join(qs, ", ")+`]`)
	}
	parts = append(parts, saPlace(field, site), `"destinationList": [{"type": "location", "destination": "`+dest+`"}]`)
	if bol != "" {
		parts = append(parts, `"bizTransactionList": [{"type": "bol", "bizTransaction": "`+bol+`"}]`)
	}
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "%s", "disposition": "in_transit", %s}`,
		id, day, step, strings.Join(parts, ", "))
}

// testShippedOnWhileAtSea: lot OA, 10,000 kg at mb, 6,000 kg packed
// into C1 and 4,000 kg into C2 on Oct 2; [C1, C2] shipped from mb to
// khi under B1 on Oct 3 (the whole 6 + 4 = 10 t in transit), the trip's
// place stated in each member in turn (readPoint and bizLocation; a
// source location alone; readPoint alone; bizLocation alone), each in
// its own store. Not received at khi, every event below, on Oct 5, is
// refused 409 at the member stating where it happens, naming the lot,
// bill B1 and its shipping event and that it must first be received,
// and nothing is stored:
//   - [C1] shipped from khi (the trip's destination) to hou under BX —
//     the finding — and with its place stated in each member alone;
//   - the line "OA 6,000 kg" shipped from khi under BX (the lot itself);
//   - [C1] shipped from khi under B1 itself, and with no bill: from the
//     destination before the receipt;
//   - [C1] departing from khi under BX;
//   - [C1] and the line "OA 6,000 kg" shipped from the port (neither
//     where the trip left nor its destination) under BX: under another
//     bill from anywhere.
//
// The same when only [C1] was shipped under B1 (its 6 t at sea, 4 t at
// mb): [C1], or the line, shipped from khi is refused naming B1's
// shipping and that nothing was received at khi — not as a part
// carrying more than the 4 t left at mb.
//
// Then (the legitimate case) [C1, C2] received at khi under B1 on Oct 5
// and [C1] shipped from khi to hou under BX on Oct 6 are taken: C1's 6 t
// in transit under BX, 10 − 6 = 4 t (C2) at khi; verify is clean. The
// receipt declared in error afterwards is accepted (the onward shipment
// is flagged, not re-judged), and verify is clean.
func testShippedOnWhileAtSea(t *testing.T, open Opener) {
	const mb, khi, port, hou = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:port", "urn:t:site:hou"
	const b1, bx = "urn:t:bol:B1", "urn:t:bol:BX"
	const lot, ship1 = "urn:t:lot:OA", "urn:t:ev:oa-ship1"
	type refusal struct {
		what, ev, pointer string
		box               bool // the refusal names C1
	}
	const at = "/epcisBody/eventList/0/"
	refusals := []refusal{
		{"[C1] from khi under BX", saLeave("oa-on", "shipping", bx, khi, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
		{"[C1] from khi under BX, stated by a source location alone", saLeave("oa-on", "shipping", bx, khi, "source", hou, 5, []string{cbC1}), at + "sourceList/0", true},
		{"[C1] from khi under BX, stated by readPoint alone", saLeave("oa-on", "shipping", bx, khi, "readPoint", hou, 5, []string{cbC1}), at + "readPoint", true},
		{"[C1] from khi under BX, stated by bizLocation alone", saLeave("oa-on", "shipping", bx, khi, "bizLocation", hou, 5, []string{cbC1}), at + "bizLocation", true},
		{"OA 6,000 kg by a line from khi under BX", saLeave("oa-on", "shipping", bx, khi, "all", hou, 5, nil, "OA:6000"), at + "bizLocation", false},
		{"OA 6,000 kg by a line from khi under BX, stated by a source location alone", saLeave("oa-on", "shipping", bx, khi, "source", hou, 5, nil, "OA:6000"), at + "sourceList/0", false},
		{"[C1] from khi under B1 itself", saLeave("oa-on", "shipping", b1, khi, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
		{"[C1] from khi with no bill", saLeave("oa-on", "shipping", "", khi, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
		{"[C1] departing from khi under BX", saLeave("oa-on", "departing", bx, khi, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
		{"[C1] from port under BX", saLeave("oa-on", "shipping", bx, port, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
		{"OA 6,000 kg by a line from port under BX, stated by readPoint alone", saLeave("oa-on", "shipping", bx, port, "readPoint", hou, 5, nil, "OA:6000"), at + "readPoint", false},
	}
	for _, first := range []string{"all", "source", "readPoint", "bizLocation"} {
		t.Run("trip from mb stated by "+first, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			MustCapture(t, svc, ctDoc(csLot("OA"), ctPack("oa-pack1", "ADD", cbC1, 2, "OA:6000"), ctPack("oa-pack2", "ADD", cbC2, 2, "OA:4000")))
			MustCapture(t, svc, ctDoc(saLeave("oa-ship1", "shipping", b1, mb, first, khi, 3, []string{cbC1, cbC2})))
			// 6 t (C1) + 4 t (C2) = the whole 10 t at sea, 0 t at mb.
			tsWant(t, s, "[C1, C2] shipped under B1", lot, 0, 10, 0)
			for i, r := range refusals {
				// Each its own eventID: a wrongly accepted one must not
				// make the next refused as a reused ID.
				ev := strings.Replace(r.ev, `"urn:t:ev:oa-on"`, `"urn:t:ev:oa-on-`+twoDigits(i)+`"`, 1)
				words := []string{lot, b1, ship1, "received"}
				if r.box {
					words = append(words, cbC1)
				}
				ctRefusedWith(t, s, r.what+" while at sea under B1 (trip stated by "+first+")", ctDoc(ev), critmin.ECONFLICT, r.pointer, words...)
			}
			tsWant(t, s, "the refusals", lot, 0, 10, 0)
		})
	}
	t.Run("a part at sea", func(t *testing.T) {
		// [C1] alone shipped under B1: its 6 t are at sea, 10 − 6 = 4 t
		// (C2) stay at mb; nothing of OA stands at khi.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("OA"), ctPack("oa-pack1", "ADD", cbC1, 2, "OA:6000"), ctPack("oa-pack2", "ADD", cbC2, 2, "OA:4000")))
		MustCapture(t, svc, ctDoc(saLeave("oa-ship1", "shipping", b1, mb, "all", khi, 3, []string{cbC1})))
		tsWant(t, s, "[C1] shipped under B1", lot, 4, 6, 0)
		for i, r := range []refusal{
			{"[C1] from khi under BX", saLeave("oa-on", "shipping", bx, khi, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
			{"[C1] from khi under BX, stated by a source location alone", saLeave("oa-on", "shipping", bx, khi, "source", hou, 5, []string{cbC1}), at + "sourceList/0", true},
			{"OA 6,000 kg by a line from khi under BX, stated by a source location alone", saLeave("oa-on", "shipping", bx, khi, "source", hou, 5, nil, "OA:6000"), at + "sourceList/0", false},
		} {
			ev := strings.Replace(r.ev, `"urn:t:ev:oa-on"`, `"urn:t:ev:oa-on-`+twoDigits(i)+`"`, 1)
			words := []string{lot, b1, ship1, "has not been received at " + khi}
			if r.box {
				words = append(words, cbC1)
			}
			ctRefusedWith(t, s, r.what+" while C1's 6 t are at sea under B1", ctDoc(ev), critmin.ECONFLICT, r.pointer, words...)
		}
		tsWant(t, s, "the refusals", lot, 4, 6, 0)
	})
	t.Run("a container at sea where part of the lot was received", func(t *testing.T) {
		// issue 8, fixOa gap (a): [C1, C2] shipped under B1, [C1] alone
		// received at khi — 6 t (C1) at khi, 4 t (C2) still at sea under
		// B1. A dispatch of [C2] from khi under BX fitted within the 6 t
		// standing at khi and was taken; C2 was never received there.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("OA"), ctPack("oa-pack1", "ADD", cbC1, 2, "OA:6000"), ctPack("oa-pack2", "ADD", cbC2, 2, "OA:4000")))
		MustCapture(t, svc, ctDoc(saLeave("oa-ship1", "shipping", b1, mb, "all", khi, 3, []string{cbC1, cbC2})))
		MustCapture(t, svc, ctDoc(ctRecvAt("oa-recv1", b1, khi, 5, []string{cbC1})))
		// C1's 6 t received at khi; C2's 10 − 6 = 4 t at sea under B1.
		tsWant(t, s, "[C1] received at khi under B1", lot, 0, 4, 6)
		for i, r := range []refusal{
			{"[C2] from khi under BX", saLeave("oa-on", "shipping", bx, khi, "all", hou, 6, []string{cbC2}), at + "bizLocation", true},
			{"[C2] from khi under BX, stated by a source location alone", saLeave("oa-on", "shipping", bx, khi, "source", hou, 6, []string{cbC2}), at + "sourceList/0", true},
			{"[C2] from khi with no bill", saLeave("oa-on", "shipping", "", khi, "all", hou, 6, []string{cbC2}), at + "bizLocation", true},
			{"[C2] departing from khi under BX", saLeave("oa-on", "departing", bx, khi, "all", hou, 6, []string{cbC2}), at + "bizLocation", true},
			{"[C2] loading at khi under BX", saLeave("oa-on", "loading", bx, khi, "all", hou, 6, []string{cbC2}), at + "bizLocation", true},
			{"[C1, C2] from khi under BX", saLeave("oa-on", "shipping", bx, khi, "all", hou, 6, []string{cbC1, cbC2}), at + "bizLocation", true},
		} {
			ev := strings.Replace(r.ev, `"urn:t:ev:oa-on"`, `"urn:t:ev:oa-on-`+twoDigits(i)+`"`, 1)
			ctRefusedWith(t, s, r.what+" while C2 is at sea under B1", ctDoc(ev), critmin.ECONFLICT, r.pointer, lot, cbC2, b1, ship1, "not been received")
		}
		tsWant(t, s, "the refusals", lot, 0, 4, 6)
		// The legitimate case: [C1], received at khi, shipped on under
		// BX: C1's 6 t leave khi, C2's 4 t stay at sea under B1 —
		// 4 + 6 = 10 t in transit, 0 t at khi.
		MustCapture(t, svc, ctDoc(saLeave("oa-on", "shipping", bx, khi, "all", hou, 6, []string{cbC1})))
		l := mustLot(t, s, lot)
		if atKhi, _ := custody.StandingMass(l, khi); !ctNear(lsInTransit(l), 10) || !ctNear(atKhi, 0) {
			t.Errorf("after [C1] shipped on from khi under BX: %v t in transit, %v t standing at khi (parts %+v); want 4 + 6 = 10 t in transit, 6 − 6 = 0 t at khi", lsInTransit(l), atKhi, l.Parts)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("loaded or transported under another bill while at sea", func(t *testing.T) {
		// issue 8, fixOa gap (b): [C1, C2] at sea under B1, not received.
		// A loading at khi (the trip's destination) under any bill, and
		// a loading or transporting under another bill anywhere, are
		// refused as a shipping is; a transporting under B1 itself (a
		// further leg of the trip) is taken.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("OA"), ctPack("oa-pack1", "ADD", cbC1, 2, "OA:6000"), ctPack("oa-pack2", "ADD", cbC2, 2, "OA:4000")))
		MustCapture(t, svc, ctDoc(saLeave("oa-ship1", "shipping", b1, mb, "all", khi, 3, []string{cbC1, cbC2})))
		for i, r := range []refusal{
			{"[C1] loading at khi under BX", saLeave("oa-on", "loading", bx, khi, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
			{"[C1] loading at khi with no bill", saLeave("oa-on", "loading", "", khi, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
			{"[C1] loading at port under BX", saLeave("oa-on", "loading", bx, port, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
			{"[C1] transporting at port under BX", saLeave("oa-on", "transporting", bx, port, "all", hou, 5, []string{cbC1}), at + "bizLocation", true},
			{"OA 6,000 kg by a line transporting under BX, readPoint alone", saLeave("oa-on", "transporting", bx, port, "readPoint", hou, 5, nil, "OA:6000"), at + "readPoint", false},
		} {
			ev := strings.Replace(r.ev, `"urn:t:ev:oa-on"`, `"urn:t:ev:oa-on-`+twoDigits(i)+`"`, 1)
			words := []string{lot, b1, ship1, "received"}
			if r.box {
				words = append(words, cbC1)
			}
			if strings.Contains(r.what, "transporting") {
				words = append(words, "transported", "another bill of lading")
			} else {
				words = append(words, "loaded")
			}
			ctRefusedWith(t, s, r.what+" while at sea under B1", ctDoc(ev), critmin.ECONFLICT, r.pointer, words...)
		}
		// 6 + 4 = 10 t still at sea under B1.
		tsWant(t, s, "the refusals", lot, 0, 10, 0)
		MustCapture(t, svc, ctDoc(saLeave("oa-tr", "transporting", b1, port, "all", khi, 5, []string{cbC1, cbC2})))
		tsWant(t, s, "a transporting under B1", lot, 0, 10, 0)
	})
	t.Run("received, then shipped on", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("OA"), ctPack("oa-pack1", "ADD", cbC1, 2, "OA:6000"), ctPack("oa-pack2", "ADD", cbC2, 2, "OA:4000")))
		MustCapture(t, svc, ctDoc(saLeave("oa-ship1", "shipping", b1, mb, "all", khi, 3, []string{cbC1, cbC2})))
		recv := ctRecvAt("oa-recv1", b1, khi, 5, []string{cbC1, cbC2})
		MustCapture(t, svc, ctDoc(recv))
		// Received whole: 6 + 4 = 10 t at khi, nothing at sea.
		tsWant(t, s, "[C1, C2] received at khi under B1", lot, 0, 0, 10)
		MustCapture(t, svc, ctDoc(saLeave("oa-on", "shipping", bx, khi, "all", hou, 6, []string{cbC1})))
		// C1's 6 t leave khi under BX; 10 − 6 = 4 t (C2) stay at khi.
		tsWant(t, s, "[C1] shipped on from khi under BX", lot, 0, 6, 4)
		l := mustLot(t, s, lot)
		var underBX float64
		for _, p := range l.Parts {
			if p.Status == critmin.PartInTransit && p.BillOfLading == bx {
				underBX += p.Mass()
			}
		}
		if l.Status == critmin.LotInTransit {
			underBX += l.RemainingWetTonnes()
		}
		if !ctNear(underBX, 6) {
			t.Errorf("OA in transit under BX: %v t (parts %+v); want C1's 6 t", underBX, l.Parts)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
		// The receipt declared in error afterwards, alone, would leave
		// the onward [C1] drawing on the body at sea under B1: refused
		// 409 naming it, as when the lot moves by lines (fixPa, n8b item
		// 6; before, it was taken and the onward [C1] carried the whole
		// 10 t body under BX). Declared with the onward shipment it is
		// taken: 10 t at sea under B1.
		cfRefused(t, svc, "the receipt declared in error alone", ctDoc(declaredWith(t, recv)), "urn:t:ev:oa-on")
		tsWant(t, s, "the refused declaration", lot, 0, 6, 4)
		MustCapture(t, svc, ctDoc(declaredWith(t, recv), declaredWith(t, saLeave("oa-on", "shipping", bx, khi, "all", hou, 6, []string{cbC1}))))
		tsWant(t, s, "the receipt and the onward shipment declared", lot, 0, 10, 0)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify after the receipt declared in error: %v %v", rep.Problem, rep.Difference)
		}
	})
}

// saOnwardSetup records lot OB, 10,000 kg at mb: 6,000 kg packed into C1
// on Oct 2, [C1] shipped to khi under B1 on Oct 3 (a 6 t part), received
// there under B1 on Oct 5, and shipped on alone from khi to hou under BX
// on Oct 6 — an onward part, leaving from the receipt.
func saOnwardSetup(t *testing.T, svc *ledger.Service) {
	t.Helper()
	const mb, khi, hou = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou"
	MustCapture(t, svc, ctDoc(csLot("OB"), ctPack("ob-pack1", "ADD", cbC1, 2, "OB:6000")))
	MustCapture(t, svc, ctDoc(saLeave("ob-ship1", "shipping", "urn:t:bol:B1", mb, "all", khi, 3, []string{cbC1})))
	MustCapture(t, svc, ctDoc(ctRecvAt("ob-recv1", "urn:t:bol:B1", khi, 5, []string{cbC1})))
	MustCapture(t, svc, ctDoc(saLeave("ob-on", "shipping", "urn:t:bol:BX", khi, "all", hou, 6, []string{cbC1})))
}

// saOnwardContainers wants lot OB's parts to name the containers their
// trips carried them in: the first trip's part and the onward part both
// C1 (the onward part named none: cosmetic finding of fixOa). Figures:
// 6 t received at khi and shipped on, so the onward part carries 6 t.
func saOnwardContainers(t *testing.T, s critmin.Store, when string) {
	t.Helper()
	l := mustLot(t, s, "urn:t:lot:OB")
	var first, onward *critmin.LotPart
	for i := range l.Parts {
		switch p := &l.Parts[i]; p.ShipEventID {
		case "urn:t:ev:ob-ship1":
			first = p
		case "urn:t:ev:ob-on":
			onward = p
		}
	}
	if first == nil || onward == nil || onward.OnwardOf != "urn:t:ev:ob-ship1" {
		t.Fatalf("%s: OB's parts %+v; want the first trip's part and an onward part of it", when, l.Parts)
	}
	if len(first.Containers) != 1 || len(onward.Containers) != 1 || onward.Containers[0] != first.Containers[0] || !ctNear(onward.Tonnes, 6) {
		t.Errorf("%s: first part's containers %v, onward part's %v (%v t); want C1 on both and 6 t onward", when, first.Containers, onward.Containers, onward.Tonnes)
	}
}

// testOnwardPartContainers: an onward part names the containers it left
// in, as the first trip's part does (saOnwardSetup, saOnwardContainers).
func testOnwardPartContainers(t *testing.T, open Opener) {
	s := open(t)
	saOnwardSetup(t, custody.NewService(s))
	saOnwardContainers(t, s, "C1 shipped on from khi")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
