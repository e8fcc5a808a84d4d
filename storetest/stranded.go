package storetest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// Events of the stranded-dependents cases (issue 15, fix15zk): each lot
// is commissioned at mine-a with 20 t (or 10 t), and a later event rests
// on an event that is then declared in error.
func strandedEv(id, at, body string) string {
	return `{"eventID": "urn:t:zk:` + id + `", "eventTime": "` + at + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", ` + body + `}`
}

func strandedCommission(id, lot string, tonnes string) string {
	return strandedEv(id, "2025-10-01", `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`)
}

func strandedShip(id, at, lot, tonnes, from, to, bol string) string {
	return strandedEv(id, at, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:`+from+`"},
  "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}], "destinationList": [{"type": "location", "destination": "urn:t:site:`+to+`"}]`)
}

func strandedReceive(id, at, lot, tonnes, site, bol string) string {
	return strandedEv(id, at, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "bizLocation": {"id": "urn:t:site:`+site+`"},
  "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
}

// strandedDeclared is the event (JSON) with an errorDeclaration.
func strandedDeclared(t *testing.T, ev string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(ev), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}
	b, _ := json.Marshal(m)
	return string(b)
}

// testDeclarationStrandsDependents (issue 15, fix15zk; issue 8 §2): a
// declaration in error that would leave a later live event of the lot
// standing on nothing is refused (409) naming each such event, its kind
// and why, and nothing is stored; declared together with those events it
// is taken.
//   - W1: Z1 commissioned (c1, 20 t at mine-a), shipped 20 t to pkkhi
//     (s1). Without c1 no event records Z1: s1 would ship a lot that was
//     never made ("in transit" from nothing).
//   - W2: Z2 commissioned (c2, 10 t); run x2 at mine-a takes 10 t into
//     8 t of P2; P2 shipped 8 t to pkkhi (s2). Without x2, P2 is never
//     made and s2 ships nothing.
//   - W3: Z3 (c3, 20 t) shipped whole to pkkhi (s3, B3), received there
//     (r3, 20 t), inspected there (i3), shipped on to pkbqm (o3, 20 t).
//     Without r3 the lot is at sea: i3 happens where it is not. (o3
//     then reads as a further leg of the voyage, a transshipment at
//     pkkhi, which the capture rules take: CBV 2.0 shipping; declared
//     with r3 and i3 it stands.)
//   - W4a: Z4 (c4, 20 t); 5 t shipped to pkkhi (s4, B4) and received
//     there (r4, 5 t: a part); sampled there (a4). Without r4 no part of
//     Z4 stands at pkkhi (its body, 20 − 5 = 15 t, is at mine-a): the
//     sample would move onto the body.
//   - W4b: Z5 (c5, 20 t) packed into container urn:t:cont:Z5 at mine-a
//     (p5), unpacked there (u5). Without p5 the unpacking takes Z5 out of
//     a container nothing put it in.
func testDeclarationStrandsDependents(t *testing.T, open Opener) {
	ctx := context.Background()
	sampling := strandedEv("a4", "2025-10-06", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "sampling", "bizLocation": {"id": "urn:t:site:pkkhi"},
  "quantityList": [{"epcClass": "urn:t:lot:Z4"}],
  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Sb", "value": 40, "uom": "P1", "cm:basis": "dry"}]}]`)
	agg := func(id, at, action string) string {
		step := "packing"
		if action == "DELETE" {
			step = "unpacking"
		}
		return strandedEv(id, at, `"type": "AggregationEvent", "action": "`+action+`", "bizStep": "`+step+`", "bizLocation": {"id": "urn:t:site:mine-a"},
  "parentID": "urn:t:cont:Z5", "childQuantityList": [{"epcClass": "urn:t:lot:Z5", "quantity": 20, "uom": "TNE"}]`)
	}
	run := strandedEv("x2", "2025-10-03", `"type": "TransformationEvent", "bizStep": "commissioning", "transformationID": "urn:t:zk:xform:2", "bizLocation": {"id": "urn:t:site:mine-a"},
  "inputQuantityList": [{"epcClass": "urn:t:lot:Z2", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:P2", "quantity": 8, "uom": "TNE"}],
  "ilmd": {"cm:commodity": "antimony_ore"}`)
	cases := []struct {
		name     string
		record   []string
		declare  string   // the event declared in error
		stranded []string // the later events it strands: eventID suffix and kind
		lot      string   // a lot the refusal names
	}{
		{"W1 commissioning then shipment", []string{strandedCommission("c1", "Z1", "20"), strandedShip("s1", "2025-10-05", "Z1", "20", "mine-a", "pkkhi", "B1")},
			"c1", []string{"shipment urn:t:zk:s1"}, "urn:t:lot:Z1"},
		{"W2 run then product shipped", []string{strandedCommission("c2", "Z2", "10"), run, strandedShip("s2", "2025-10-05", "P2", "8", "mine-a", "pkkhi", "B2")},
			"x2", []string{"shipment urn:t:zk:s2"}, "urn:t:lot:P2"},
		{"W3 whole receipt then inspection and onward shipment", []string{strandedCommission("c3", "Z3", "20"), strandedShip("s3", "2025-10-02", "Z3", "20", "mine-a", "pkkhi", "B3"),
			strandedReceive("r3", "2025-10-05", "Z3", "20", "pkkhi", "B3"),
			strandedEv("i3", "2025-10-06", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "bizLocation": {"id": "urn:t:site:pkkhi"}, "quantityList": [{"epcClass": "urn:t:lot:Z3"}]`),
			strandedShip("o3", "2025-10-07", "Z3", "20", "pkkhi", "pkbqm", "B3b")},
			"r3", []string{"inspection urn:t:zk:i3"}, "urn:t:lot:Z3"},
		{"W4 part receipt then sampling", []string{strandedCommission("c4", "Z4", "20"), strandedShip("s4", "2025-10-02", "Z4", "5", "mine-a", "pkkhi", "B4"),
			strandedReceive("r4", "2025-10-05", "Z4", "5", "pkkhi", "B4"), sampling},
			"r4", []string{"sampling urn:t:zk:a4"}, "urn:t:lot:Z4"},
		{"W4 packing then unpacking", []string{strandedCommission("c5", "Z5", "20"), agg("p5", "2025-10-02", "ADD"), agg("u5", "2025-10-03", "DELETE")},
			"p5", []string{"unpacking urn:t:zk:u5"}, "urn:t:lot:Z5"},
		// Later events that name another lot too (nu30a): the shipment of
		// Z6 and Z7 together (20 + 20 t) rests on Z6's commissioning as
		// much as a shipment of Z6 alone does; so does an inspection of
		// both, and a run taking 10 t of each.
		{"shipment of two lots", []string{strandedCommission("c6", "Z6", "20"), strandedCommission("c7", "Z7", "20"),
			strandedEv("s6", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:Z6", "quantity": 20, "uom": "TNE"}, {"epcClass": "urn:t:lot:Z7", "quantity": 20, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B6"}], "destinationList": [{"type": "location", "destination": "urn:t:site:pkkhi"}]`)},
			"c6", []string{"shipment urn:t:zk:s6"}, "urn:t:lot:Z6"},
		{"inspection of two lots", []string{strandedCommission("c8", "Z8", "20"), strandedCommission("c9", "Z9", "20"),
			strandedEv("i8", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:Z8"}, {"epcClass": "urn:t:lot:Z9"}]`)},
			"c8", []string{"inspection urn:t:zk:i8"}, "urn:t:lot:Z8"},
		// A receipt rests on its shipment (nu32 t11d): Z10 (c10, 20 t)
		// shipped whole to pkkhi under B10 (s10) and received there
		// under B10 (r10). Without s10, r10 receives under B10 what no
		// shipment under it carried — captured fresh it is refused "was
		// not shipped on bill of lading" — and the lot would read at
		// mine-a while r10 holds 20 t of it at pkkhi.
		{"W5 shipment then its receipt", []string{strandedCommission("c10", "Z10", "20"), strandedShip("s10", "2025-10-02", "Z10", "20", "mine-a", "pkkhi", "B10"),
			strandedReceive("r10", "2025-10-05", "Z10", "20", "pkkhi", "B10")},
			"s10", []string{"receipt urn:t:zk:r10"}, "urn:t:lot:Z10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := service(s)
			svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store)) // as critmin serve runs it
			MustCapture(t, svc, retractDoc(c.record...))
			byID := map[string]string{}
			for _, ev := range c.record {
				var m map[string]any
				_ = json.Unmarshal([]byte(ev), &m)
				byID[strings.TrimPrefix(m["eventID"].(string), "urn:t:zk:")] = ev
			}
			lotBefore := mustLot(t, s, c.lot)
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(strandedDeclared(t, byID[c.declare])))})
			if critmin.ErrorCode(err) != critmin.ECONFLICT {
				t.Fatalf("declaring %s alone: %v; want a conflict (409) naming %v", c.declare, err, c.stranded)
			}
			msg := critmin.ErrorMessage(err)
			for _, st := range c.stranded {
				if !strings.Contains(msg, "the "+st+" ") {
					t.Errorf("declaring %s: the message does not name %q:\n%s", c.declare, st, msg)
				}
			}
			if !strings.Contains(msg, "in the same document") || !strings.Contains(msg, "standing on nothing") {
				t.Errorf("declaring %s: the message does not say why and what to do:\n%s", c.declare, msg)
			}
			// Nothing stored: the event is not declared, the lot unchanged.
			evs, ferr := s.FindEventsByID(ctx, "urn:t:zk:"+c.declare)
			if ferr != nil {
				t.Fatal(ferr)
			}
			for _, ev := range evs {
				if ev.ErrorDeclaration != nil {
					t.Errorf("declaring %s was refused, yet the declaration is stored", c.declare)
				}
			}
			if got := mustLot(t, s, c.lot); got.EventCount != lotBefore.EventCount || got.Status != lotBefore.Status || got.WetTonnes != lotBefore.WetTonnes {
				t.Errorf("lot %s after the refusal: %d events, %s, %v t; want as before: %d, %s, %v t", c.lot, got.EventCount, got.Status, got.WetTonnes,
					lotBefore.EventCount, lotBefore.Status, lotBefore.WetTonnes)
			}
			// Declared together with what depends on it: taken.
			all := []string{strandedDeclared(t, byID[c.declare])}
			for _, st := range c.stranded {
				id := strings.TrimPrefix(st[strings.Index(st, " ")+1:], "urn:t:zk:")
				all = append(all, strandedDeclared(t, byID[id]))
			}
			if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(all...))}); err != nil {
				t.Fatalf("declaring %s with %v in one document: %v; want it taken", c.declare, c.stranded, err)
			}
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}

// testDemoCommissioningStrandsShipment (issue 15, fix15zk): in the demo
// corridor, event 026 commissions REE-2025-003 at Port Qasim and the
// shipment 027 ships it. Declaring 026 in error alone (no corrective
// commissioning) would leave 027 shipping a lot no event made: refused
// (409) naming 027. With its corrective 026c in the same document it is
// taken (RetractInOneDocumentChecks).
func testDemoCommissioningStrandsShipment(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	if _, err := demo.Load(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(TestdataDir, "retract", "demo-026-declared-then-026c.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	body := doc["epcisBody"].(map[string]any)
	var kept []any
	for _, ev := range body["eventList"].([]any) {
		if _, ok := ev.(map[string]any)["errorDeclaration"]; ok {
			kept = append(kept, ev)
		}
	}
	body["eventList"] = kept
	b, _ = json.Marshal(doc)
	_, err = svc.Capture(context.Background(), ledger.CaptureRequest{Body: b})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "urn:critmin:demo:event:027") {
		t.Fatalf("declaring demo event 026 alone: %v; want a conflict (409) naming the shipment 027", err)
	}
}
