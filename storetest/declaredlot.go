package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// declaredLotEv is an event of the declared-lot cases (issue 8 §2,
// fixIi), IDs under urn:t:ii:.
func declaredLotEv(id, at, body string) string {
	return `{"eventID": "urn:t:ii:` + id + `", "eventTime": "` + at + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", ` + body + `}`
}

func declaredLotRun(id, at, lot, tonnes, out, outTonnes string) string {
	return declaredLotEv(id, at, `"type": "TransformationEvent", "bizStep": "commissioning", "transformationID": "urn:t:ii:xform:`+id+`", "bizLocation": {"id": "urn:t:site:mine-a"},
  "inputQuantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:`+out+`", "quantity": `+outTonnes+`, "uom": "TNE"}],
  "ilmd": {"cm:commodity": "antimony_ore"}`)
}

// testDeclaredLotRefused (issue 8 §2, fixIi): lot L is commissioned with
// 10 t at mine-a (c) and run R1 takes all 10 t of it into 8 t of P1 (r1).
// L's commissioning is then declared in error: taken, R1 read as taking
// nothing (docs/epcis.md, "taking nothing"). L no longer exists in the
// record, so any later event that draws on L — a run, a shipment, a
// packing, a receipt, an inspection — is refused, naming L and that its
// commissioning is declared in error; nothing is stored.
func testDeclaredLotRefused(t *testing.T, open Opener) {
	ctx := context.Background()
	commission := declaredLotEv("c", "2025-10-01", `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`)
	later := []struct{ name, ev string }{
		{"run", declaredLotRun("r2", "2025-10-05", "L", "5", "P2", "4")},
		{"shipment", declaredLotEv("s", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 5, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:II1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:pkkhi"}]`)},
		{"packing", declaredLotEv("p", "2025-10-05", `"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "bizLocation": {"id": "urn:t:site:mine-a"},
  "parentID": "urn:t:cont:II1", "childQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 5, "uom": "TNE"}]`)},
		{"receipt", declaredLotEv("v", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "bizLocation": {"id": "urn:t:site:pkkhi"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 5, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:II1"}]`)},
		{"inspection", declaredLotEv("i", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L"}]`)},
		{"claim", declaredLotEv("k", "2025-10-05", `"type": "ObjectEvent", "action": "ADD", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L"}], "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}`)},
		{"unpacking", declaredLotEv("u", "2025-10-05", `"type": "AggregationEvent", "action": "DELETE", "bizStep": "unpacking", "bizLocation": {"id": "urn:t:site:mine-a"},
  "parentID": "urn:t:cont:II1", "childQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 5, "uom": "TNE"}]`)},
	}
	for _, c := range later {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := service(s)
			svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
			MustCapture(t, svc, retractDoc(commission, declaredLotRun("r1", "2025-10-03", "L", "10", "P1", "8")))
			MustCapture(t, svc, retractDoc(strandedDeclared(t, commission)))
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(c.ev))})
			if code := critmin.ErrorCode(err); code != critmin.ECONFLICT && code != critmin.EINVALID {
				t.Fatalf("%s of lot L after its commissioning was declared in error: %v; want it refused", c.name, err)
			}
			msg := critmin.ErrorMessage(err)
			if !strings.Contains(msg, "urn:t:lot:L") || !strings.Contains(msg, "declared in error") {
				t.Errorf("the refusal does not name lot L and that its commissioning is declared in error:\n%s", msg)
			}
			// Nothing stored.
			var m map[string]any
			_ = json.Unmarshal([]byte(c.ev), &m)
			if evs, _ := s.FindEventsByID(ctx, m["eventID"].(string)); len(evs) > 0 {
				t.Errorf("the %s was refused, yet it is stored", c.name)
			}
		})
	}
	// A corrective after the run in the document comes too late: a
	// document names a lot from the event that makes it on
	// (checkLotRecorded), and the refusal says why the lot is not there.
	t.Run("run before its corrective in one document", func(t *testing.T) {
		s := open(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		MustCapture(t, svc, retractDoc(commission, declaredLotRun("r1", "2025-10-03", "L", "10", "P1", "8")))
		MustCapture(t, svc, retractDoc(strandedDeclared(t, commission)))
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(later[0].ev, strings.Replace(commission, "urn:t:ii:c", "urn:t:ii:cc", 1)))})
		if msg := critmin.ErrorMessage(err); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "lot urn:t:lot:L is not in the record: its commissioning, event urn:t:ii:c (2025-10-01), was declared in error on 2025-10-20") {
			t.Fatalf("a run of L before its corrective in one document: %v; want a conflict naming the declaration", err)
		}
	})
	// In one document with the declaration: the run is refused as well.
	t.Run("run in the declaring document", func(t *testing.T) {
		s := open(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		MustCapture(t, svc, retractDoc(commission, declaredLotRun("r1", "2025-10-03", "L", "10", "P1", "8")))
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(strandedDeclared(t, commission), later[0].ev))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "declared in error by this document") {
			t.Fatalf("declaring c with a run of L in one document: %v; want a conflict naming the declaration", err)
		}
	})
	// R1 re-sent unchanged after the declaration is a duplicate, taken
	// as before (nothing new is drawn).
	t.Run("stored run re-sent", func(t *testing.T) {
		s := open(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		r1 := declaredLotRun("r1", "2025-10-03", "L", "10", "P1", "8")
		MustCapture(t, svc, retractDoc(commission, r1))
		MustCapture(t, svc, retractDoc(strandedDeclared(t, commission)))
		MustCapture(t, svc, retractDoc(r1))
	})
	// A lot made by a run declared in error is not in the record either:
	// Q commissioned 10 t (q), run x takes 10 t of Q into 8 t of N;
	// x declared in error (nothing later rests on N). A shipment of N is
	// refused naming the run.
	t.Run("product of a declared run", func(t *testing.T) {
		s := open(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		q := declaredLotEv("q", "2025-10-01", `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 10, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`)
		x := declaredLotRun("x", "2025-10-03", "Q", "10", "N", "8")
		MustCapture(t, svc, retractDoc(q, x))
		MustCapture(t, svc, retractDoc(strandedDeclared(t, x)))
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(declaredLotEv("sn", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:N", "quantity": 8, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:II2"}], "destinationList": [{"type": "location", "destination": "urn:t:site:pkkhi"}]`)))})
		msg := critmin.ErrorMessage(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "urn:t:lot:N is not in the record: the run that made it, event urn:t:ii:x") {
			t.Fatalf("shipping N, made by a run declared in error: %v; want a conflict naming the run", err)
		}
	})
}

// testDeclaredLotCorrected (issue 8 §2, fixIi): as testDeclaredLotRefused,
// L (10 t, c) fed whole to R1 (r1: 10 t of L into 8 t of P1), c declared
// in error; then a corrective commissioning cc re-creates L with 10 t at
// mine-a. R1 still stands and took 10 t of L, so L holds
// 10 − 10 = 0 t: a run R2 taking 5 t of L is refused, short
// 5 − 0 = 5 t; so it is with cc and R2 in one document, and with cc given
// as the declaration's corrective event in the declaring document.
func testDeclaredLotCorrected(t *testing.T, open Opener) {
	ctx := context.Background()
	body := `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`
	commission := declaredLotEv("c", "2025-10-01", body)
	corrective := declaredLotEv("cc", "2025-10-01", body)
	r1 := declaredLotRun("r1", "2025-10-03", "L", "10", "P1", "8")
	r2 := declaredLotRun("r2", "2025-10-05", "L", "5", "P2", "4")
	cases := []struct {
		name string
		docs [][]string // captured in turn; the last is refused
	}{
		{"corrective then run", [][]string{{strandedDeclared(t, commission)}, {corrective}, {r2}}},
		{"corrective and run in one document", [][]string{{strandedDeclared(t, commission)}, {corrective, r2}}},
		{"declared with its corrective, then run", [][]string{{strandedDeclared(t, commission), corrective}, {r2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := service(s)
			svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
			MustCapture(t, svc, retractDoc(commission, r1))
			for _, d := range c.docs[:len(c.docs)-1] {
				MustCapture(t, svc, retractDoc(d...))
			}
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(c.docs[len(c.docs)-1]...))})
			if code := critmin.ErrorCode(err); code != critmin.EINVALID && code != critmin.ECONFLICT {
				t.Fatalf("run R2 taking 5 t of L, which R1 emptied: %v; want it refused", err)
			}
			// L holds 10 t (cc) − 10 t (R1) = 0 t; R2 takes 5 t.
			msg := critmin.ErrorMessage(err)
			for _, want := range []string{"input lot urn:t:lot:L: 5 t consumed here but only 0 t of its 10 t remain", "10 t consumed by urn:t:ii:xform:r1"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the refusal does not say %q:\n%s", want, msg)
				}
			}
		})
	}
}

// testCorrectiveShortfall (issue 8 §2, fixIi): lot L commissioned 10 t
// at mine-a (c); a later event takes all 10 t of it. c is declared in
// error with a corrective commissioning cc of 4 t in the same document.
// The later event would then take 10 t of a lot holding 4 t: the
// declaration is refused (409) naming the shortfall, 10 − 4 = 6 t, not
// "lot not known".
func testCorrectiveShortfall(t *testing.T, open Opener) {
	ctx := context.Background()
	body := func(tonnes string) string {
		return `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": ` + tonnes + `, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`
	}
	commission := declaredLotEv("c", "2025-10-01", body("10"))
	decl := strandedDeclared(t, commission)
	var m map[string]any
	_ = json.Unmarshal([]byte(decl), &m)
	m["errorDeclaration"].(map[string]any)["correctiveEventIDs"] = []string{"urn:t:ii:cc"}
	b, _ := json.Marshal(m)
	decl = string(b)
	corrective := declaredLotEv("cc", "2025-10-01", body("4"))
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
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(decl, corrective))})
			msg := critmin.ErrorMessage(err)
			if critmin.ErrorCode(err) != critmin.ECONFLICT {
				t.Fatalf("declaring c with a 4 t corrective under a %s of 10 t: %v; want a conflict", c.name, err)
			}
			// cc holds 4 t; the event takes 10 t: 10 − 4 = 6 t short.
			for _, want := range []string{"the " + c.name + " urn:t:ii:", "of lot urn:t:lot:L", "10 t of it at urn:t:site:mine-a", "only 4 t of its 4 t stood there then", "6 t short"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the refusal does not say %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "lot not known") {
				t.Errorf("the refusal says the lot is not known, not the shortfall:\n%s", msg)
			}
			// A corrective dated after the event: the lot did not stand
			// then, its commissioning declared in error.
			late := declaredLotEv("cc", "2025-10-06", body("4"))
			_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(decl, late))})
			msg = critmin.ErrorMessage(err)
			// The corrective makes L only on 2025-10-06, after the
			// stored event drew on it on 2025-10-05: refused (409) as
			// late (custody lateMaker, LotMadeAfterActed), naming the
			// corrective, the earlier event and the date to give it —
			// not "record its corrective commissioning first" of a lot
			// left standing on nothing, the document holding one (the
			// stranding claimRounds found once the late corrective was
			// set aside is its consequence, fixSs); nothing stored.
			if critmin.ErrorCode(err) != critmin.ECONFLICT || strings.Contains(msg, "lot not known") || strings.Contains(msg, "standing on nothing") ||
				!strings.Contains(msg, "is dated after the "+c.name+" urn:t:ii:") || !strings.Contains(msg, "date the event that makes the lot before 2025-10-05T00:00:00Z") ||
				!strings.Contains(msg, "lot urn:t:lot:L is not in the record before 2025-10-06") {
				t.Errorf("declaring c with a corrective dated after the %s: %v; want a conflict naming the late corrective and the earlier event", c.name, err)
			}
			if evs, _ := s.FindEventsByID(ctx, "urn:t:ii:cc"); len(evs) > 0 {
				t.Errorf("the late corrective was refused, yet it is stored")
			}
		})
	}
}

// testTwoDeclarationsPointers (issue 8 §2, fixIi): a document declaring
// two events in error, each of which would strand a later shipment
// (lots Y1 and Y2, each commissioned 20 t at mine-a and shipped whole to
// pkkhi), is refused naming each refusal at its own declaration:
// /epcisBody/eventList/0 for y1's, /epcisBody/eventList/1 for y2's.
func testTwoDeclarationsPointers(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	c1, c2 := strandedCommission("y1", "Y1", "20"), strandedCommission("y2", "Y2", "20")
	MustCapture(t, svc, retractDoc(c1, c2, strandedShip("ys1", "2025-10-05", "Y1", "20", "mine-a", "pkkhi", "BY1"), strandedShip("ys2", "2025-10-05", "Y2", "20", "mine-a", "pkkhi", "BY2")))
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(retractDoc(strandedDeclared(t, c1), strandedDeclared(t, c2)))})
	var ce *critmin.Error
	if !errors.As(err, &ce) || ce.Code != critmin.ECONFLICT {
		t.Fatalf("declaring y1 and y2: %v; want a conflict", err)
	}
	at := map[string]string{} // the declared event each pointer's refusal names
	for _, f := range ce.Fields {
		for _, id := range []string{"urn:t:zk:y1", "urn:t:zk:y2"} {
			if strings.Contains(f.Reason, "declaring "+id+" in error") {
				at[id] = f.Pointer
			}
		}
	}
	if at["urn:t:zk:y1"] != "/epcisBody/eventList/0" || at["urn:t:zk:y2"] != "/epcisBody/eventList/1" {
		t.Errorf("pointers of the refusals: %v; want y1's at /epcisBody/eventList/0 and y2's at /epcisBody/eventList/1\n%+v", at, ce.Fields)
	}
	// y1 and y2 declared alone with their shipments (taken), then each
	// declared again with another reason: refused 409, each second
	// declaration named at its own place, not one for both.
	MustCapture(t, svc, retractDoc(strandedDeclared(t, c1), strandedDeclared(t, c2),
		strandedDeclared(t, strandedShip("ys1", "2025-10-05", "Y1", "20", "mine-a", "pkkhi", "BY1")), strandedDeclared(t, strandedShip("ys2", "2025-10-05", "Y2", "20", "mine-a", "pkkhi", "BY2"))))
	again := strings.ReplaceAll(retractDoc(strandedDeclared(t, c1), strandedDeclared(t, c2)), `"reason":"incorrect_data"`, `"reason":"did_not_occur"`)
	_, err = svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(again)})
	if !errors.As(err, &ce) || ce.Code != critmin.ECONFLICT {
		t.Fatalf("declaring y1 and y2 again: %v; want a conflict", err)
	}
	var ptrs []string
	for _, f := range ce.Fields {
		ptrs = append(ptrs, f.Pointer)
	}
	if got := strings.Join(ptrs, " "); got != "/epcisBody/eventList/0/errorDeclaration /epcisBody/eventList/0/eventID /epcisBody/eventList/1/errorDeclaration /epcisBody/eventList/1/eventID" {
		t.Errorf("declaring y1 and y2 again: pointers %q; want each declaration's errorDeclaration and eventID at its own place", got)
	}
	if msg := ce.Message; !strings.Contains(msg, "2 declarations refused") || !strings.Contains(msg, "urn:t:zk:y1 is already declared in error") {
		t.Errorf("declaring y1 and y2 again: message %q; want it to count both and name the first", msg)
	}
}
