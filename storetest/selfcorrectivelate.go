package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testSelfCorrectiveBesideConflict (issue 8 §2, fixSs item 1; EPCIS 2.0
// §7.4.1.2): lot L is commissioned 10 t at mine-a (c, 2025-10-01) and
// shipped whole (s, 2025-10-05). A document declares c in error without
// a corrective — on its own a conflict (409: s would stand on nothing) —
// and declares s in error naming s itself as its corrective. The
// self-reference is the document's fault whatever else it holds: 400 at
// /epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0, under
// either behaviour, and nothing stored; the preview (Validate) names it
// too.
func testSelfCorrectiveBesideConflict(t *testing.T, open Opener) {
	ctx := context.Background()
	commission := declaredLotEv("c", "2025-10-01", `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`)
	ship := declaredLotEv("s", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:SS1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:pkkhi"}]`)
	self := declaredWith(t, ship, "urn:t:ii:s")
	const field = "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"
	for _, behaviour := range []string{critmin.BehaviourRollback, critmin.BehaviourProceed} {
		t.Run(behaviour, func(t *testing.T) {
			s := open(t)
			svc := service(s)
			svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
			MustCapture(t, svc, retractDoc(commission, ship))
			body := []byte(retractDoc(strandedDeclared(t, commission), self))
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: body})
			if critmin.ErrorCode(err) != critmin.EINVALID {
				t.Fatalf("a declaration naming itself as corrective beside a conflicting one: %v; want a 400", err)
			}
			found := false
			for _, f := range critmin.ErrorFields(err) {
				found = found || f.Pointer == field && strings.Contains(f.Reason, "an event cannot correct itself")
			}
			if !found {
				t.Errorf("no error at %s: %+v", field, critmin.ErrorFields(err))
			}
			for _, id := range []string{"urn:t:ii:c", "urn:t:ii:s"} {
				if evs, _ := s.FindEventsByID(ctx, id); len(evs) != 1 || evs[0].DeclaredInError != nil {
					t.Errorf("the refused document changed %s: %+v", id, evs)
				}
			}
			if behaviour != critmin.BehaviourRollback {
				return
			}
			errs, err := svc.Validate(ctx, body)
			if err != nil {
				t.Fatalf("the preview: %v; want each event's errors", err)
			}
			found = false
			for _, f := range errs[1] {
				found = found || f.Pointer == field && strings.Contains(f.Reason, "an event cannot correct itself")
			}
			if !found {
				t.Errorf("the preview names no error at %s: %+v", field, errs)
			}
		})
	}
}

// testLateCorrectiveNamed (issue 8 §2, fixSs item 2; EPCIS 2.0
// §7.4.1.2): lot L is commissioned 10 t at mine-a (c, 2025-10-01) and
// a stored shipment or packing takes it (2025-10-05). A document declares
// c in error with its corrective commissioning cc dated 2025-10-06,
// after the stored event drew on L: refused 409, and the refusal names
// what is wrong — the corrective is late ("date the event that makes the
// lot before 2025-10-05T00:00:00Z") — not "record its corrective
// commissioning first" nor "standing on nothing", the document holding
// one. Nothing is stored.
func testLateCorrectiveNamed(t *testing.T, open Opener) {
	ctx := context.Background()
	body := func(tonnes string) string {
		return `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": ` + tonnes + `, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`
	}
	commission := declaredLotEv("c", "2025-10-01", body("10"))
	decl := declaredWith(t, commission, "urn:t:ii:cc")
	late := declaredLotEv("cc", "2025-10-06", body("10"))
	later := []struct{ name, ev string }{
		{"shipment", declaredLotEv("s", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:II1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:pkkhi"}]`)},
		{"packing", declaredLotEv("p", "2025-10-05", `"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "bizLocation": {"id": "urn:t:site:mine-a"},
  "parentID": "urn:t:cont:II1", "childQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}]`)},
	}
	for _, c := range later {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := service(s)
			svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
			MustCapture(t, svc, retractDoc(commission, c.ev))
			for _, order := range [][]string{{decl, late}, {late, decl}} {
				_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(order...))})
				msg := critmin.ErrorMessage(err)
				if critmin.ErrorCode(err) != critmin.ECONFLICT {
					t.Fatalf("declaring c with a corrective dated after the %s: %v; want a conflict", c.name, err)
				}
				for _, want := range []string{"lot urn:t:lot:L is not in the record before 2025-10-06", "event urn:t:ii:cc (2025-10-06T00:00:00Z), is dated after the " + c.name + " urn:t:ii:", "date the event that makes the lot before 2025-10-05T00:00:00Z"} {
					if !strings.Contains(msg, want) {
						t.Errorf("the refusal does not say %q:\n%s", want, msg)
					}
				}
				for _, not := range []string{"record its corrective commissioning first", "standing on nothing"} {
					if strings.Contains(msg, not) {
						t.Errorf("the refusal says %q, though the document holds a corrective (it is late):\n%s", not, msg)
					}
				}
				if evs, _ := s.FindEventsByID(ctx, "urn:t:ii:cc"); len(evs) > 0 {
					t.Errorf("the late corrective was refused, yet it is stored")
				}
				if evs, _ := s.FindEventsByID(ctx, "urn:t:ii:c"); len(evs) != 1 || evs[0].DeclaredInError != nil {
					t.Errorf("the refused declaration changed c: %+v", evs)
				}
			}
		})
	}
}

// testGainingCorrectiveReceiptNamed (issue 8 §2, fixSs item 2): lot Z
// commissioned 10 t at mine-a (c), shipped whole to pkkhi under bill of
// lading G1 (s), received there (r, 10 t) and shipped on to pkbqm (o,
// 10 t). A document declares r in error with a corrective receipt rc of
// 12 t: 2 t more than the 10 t shipped, a +20 % gain, beyond what two
// weighbridges can differ by. The refusal names that gain — what is
// really wrong —, not o left standing on nothing, which only follows
// from setting rc aside (claimRounds names the events it set aside
// before a refusal of the document that follows). Nothing is stored.
func testGainingCorrectiveReceiptNamed(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	commission := strandedCommission("gc", "Z", "10")
	receipt := strandedReceive("gr", "2025-10-10", "Z", "10", "pkkhi", "G1")
	MustCapture(t, svc, retractDoc(commission, strandedShip("gs", "2025-10-05", "Z", "10", "mine-a", "pkkhi", "G1"), receipt,
		strandedShip("go", "2025-10-12", "Z", "10", "pkkhi", "pkbqm", "G2")))
	gain := strandedReceive("grc", "2025-10-10", "Z", "12", "pkkhi", "G1")
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(declaredWith(t, receipt, "urn:t:zk:grc"), gain))})
	msg := critmin.ErrorMessage(err)
	if err == nil {
		t.Fatal("a corrective receipt of 12 t of a 10 t shipment was taken; want it refused")
	}
	// 12 − 10 = 2 t gained of 10 t shipped: +20.0 %.
	for _, want := range []string{"/epcisBody/eventList/1/quantityList/0/quantity", "received at 12 t but was shipped at 10 t", "a gain of +20.0 %"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "standing on nothing") {
		t.Errorf("the refusal names what follows from setting the corrective aside, not its gain:\n%s", msg)
	}
	if evs, _ := s.FindEventsByID(ctx, "urn:t:zk:grc"); len(evs) > 0 {
		t.Errorf("the refused corrective receipt is stored")
	}
	if evs, _ := s.FindEventsByID(ctx, "urn:t:zk:gr"); len(evs) != 1 || evs[0].DeclaredInError != nil {
		t.Errorf("the refused declaration changed the receipt: %+v", evs)
	}
}
