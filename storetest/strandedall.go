package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// demoDeclaration is an EPCIS document declaring the demo corridor's
// events ids (urn:critmin:demo:event:ID) in error, each as the corridor
// recorded it with an errorDeclaration added, with the corridor's header.
func demoDeclaration(t *testing.T, ids ...string) []byte {
	t.Helper()
	_, bodies, err := demo.Documents()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want["urn:critmin:demo:event:"+id] = true
	}
	var doc map[string]any
	var kept []any
	for _, b := range bodies {
		var d map[string]any
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		if doc == nil {
			doc = d
		}
		for _, ev := range d["epcisBody"].(map[string]any)["eventList"].([]any) {
			m := ev.(map[string]any)
			if id, _ := m["eventID"].(string); want[id] {
				if _, dup := m["errorDeclaration"]; dup {
					continue
				}
				delete(want, id)
				m["errorDeclaration"] = map[string]any{"declarationTime": "2025-11-20T00:00:00Z", "reason": "incorrect_data"}
				kept = append(kept, m)
			}
		}
	}
	if len(want) > 0 {
		t.Fatalf("demo events %v not found", want)
	}
	doc["epcisBody"] = map[string]any{"eventList": kept}
	b, _ := json.Marshal(doc)
	return b
}

// testDemoDeclarationJudgedWhole (issue 8 §2, fixAa item 1): in the demo
// corridor, 001 commissions REE-2025-001 and 005 inspects it; 006 packs
// it (with REE-2025-002) into MSKU1234565, 009 departs, 012 arrives, 014
// ships, 016 receives, 018 departs, 019 receives, 020 unpacks, 021
// inspects and 023 runs it (with REE-2025-002) into NdPr. Declaring 001
// and 005 together in one document removes both; every later event of
// the lot then stands on nothing, so the document is refused (409)
// naming each of them — not only the first — and nothing is stored:
// 9 events refused for (006, 009, 012, 014, 016, 018, 019, 020, 021),
// and the run 023, which would take nothing of REE-2025-001 (its
// REE-2025-002 input still makes its products), named beside them.
func testDemoDeclarationJudgedWhole(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	ctx := context.Background()
	if _, err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: demoDeclaration(t, "001", "005")})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("declaring demo 001 and 005 together: %v; want a conflict (409)", err)
	}
	msg := critmin.ErrorMessage(err)
	if !strings.Contains(msg, "9 later events standing on nothing") || !strings.Contains(msg, "would take nothing of lot urn:critmin:demo:lot:REE-2025-001") {
		t.Errorf("the refusal does not count the 9 events (006 … 021) refused for, nor name the run 023 that would take nothing:\n%s", msg)
	}
	for _, id := range []string{"006", "009", "012", "014", "016", "018", "019", "020", "021", "023"} {
		if !strings.Contains(msg, "urn:critmin:demo:event:"+id) {
			t.Errorf("the refusal does not name demo event %s:\n%s", id, msg)
		}
	}
	evs, ferr := s.FindEventsByID(ctx, "urn:critmin:demo:event:001")
	if ferr != nil {
		t.Fatal(ferr)
	}
	for _, ev := range evs {
		if ev.ErrorDeclaration != nil {
			t.Errorf("the refused declaration of 001 is stored")
		}
	}
}

// testDeclarationStrandsEveryDependent (issue 8 §2, fixAa items 1, 2, 4
// and 5): a declaration document is judged as a whole — every later live
// event it leaves standing on nothing, of any kind and transitively, is
// named in the refusal (409), not only the first of each lot; declared
// together with them the document is taken. Each lot is commissioned at
// mine-a (strandedCommission).
//   - A1 (item 2, a packing): Z10 (c10, 20 t) packed whole into
//     container urn:t:cont:Z10 at mine-a (p10). Declaring c10 and
//     commissioning Z10 anew (c10b) on 2025-10-04, after the packing of
//     2025-10-02: p10 would pack a lot that did not yet exist.
//   - A2 (items 1 and 5, every event of the lot): Z11 (c11, 20 t) shipped
//     5 t to pkkhi (s11a, 2025-10-02) and 5 t to pkbqm (s11b,
//     2025-10-03). Declaring c11: both shipments ship a lot no event
//     made, each named.
//   - A3 (items 1 and 2, every event of the lot, a packing among them):
//     Z12 (c12, 20 t) packed into urn:t:cont:Z12 (p12), unpacked (u12)
//     and inspected (i12) at mine-a. Declaring c12: p12 packs a lot no
//     event made, u12 unpacks it from a container nothing put it in, i12
//     inspects a lot not recorded — each named, not only p12.
//   - A4 (item 4, W3): Z13 (c13, 20 t) shipped whole to pkbqm (s13, B13)
//     and shipped on from pkkhi, a port on the way, to pkbqm (o13, under
//     the same bill B13, no receipt: a transshipment, a further leg of
//     the voyage; shipped on from its destination or under another bill
//     before a receipt is refused at capture since fixOa). Declaring s13:
//     the lot never left mine-a, so o13 ships from pkkhi where none of it
//     is. A4d likewise (Z17, s17 and o17 under B17, o17 bound for pklhe).
//   - A4b: as A4 with a receipt between: Z15 (c15, 20 t) shipped whole
//     to pkkhi (s15, B15), received there (r15, B15) and shipped on to
//     pkbqm (o15, B15b). Declaring s15: r15 receives under B15 what no
//     shipment then carried (a fresh capture refuses it: "was not
//     shipped on bill of lading"; nu32 t11d), and without it o15 ships
//     from pkkhi where none of Z15 is — both named.
//   - A5 (item 5, each shortfall): Z14 (c14, 20 t), 5 t shipped to
//     pkkhi (s14, B14) and received there (r14, 5 t), sampled there
//     twice (a14a, a14b). Declaring r14: no part of Z14 stands at pkkhi
//     (15 t at mine-a, 5 t at sea), so both samplings are named.
func testDeclarationStrandsEveryDependent(t *testing.T, open Opener) {
	ctx := context.Background()
	packing := strandedEv("p10", "2025-10-02", `"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "bizLocation": {"id": "urn:t:site:mine-a"},
  "parentID": "urn:t:cont:Z10", "childQuantityList": [{"epcClass": "urn:t:lot:Z10", "quantity": 20, "uom": "TNE"}]`)
	recommission := strandedEv("c10b", "2025-10-04", `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:Z10", "quantity": 20, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`)
	pack := func(id, at, action string) string {
		step := "packing"
		if action == "DELETE" {
			step = "unpacking"
		}
		return strandedEv(id, at, `"type": "AggregationEvent", "action": "`+action+`", "bizStep": "`+step+`", "bizLocation": {"id": "urn:t:site:mine-a"},
  "parentID": "urn:t:cont:Z12", "childQuantityList": [{"epcClass": "urn:t:lot:Z12", "quantity": 20, "uom": "TNE"}]`)
	}
	sample := func(id, at string) string {
		return strandedEv(id, at, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "sampling", "bizLocation": {"id": "urn:t:site:pkkhi"},
  "quantityList": [{"epcClass": "urn:t:lot:Z14"}],
  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Sb", "value": 40, "uom": "P1", "cm:basis": "dry"}]}]`)
	}
	cases := []struct {
		name      string
		record    []string
		declare   []string // events declared in error, in one document
		corrected []string // corrective events sent with them
		stranded  []string // every later event left standing on nothing
	}{
		{"A1 packing of a lot made later", []string{strandedCommission("c10", "Z10", "20"), packing},
			[]string{"c10"}, []string{recommission}, []string{"packing urn:t:zk:p10"}},
		{"A2 every shipment of the lot", []string{strandedCommission("c11", "Z11", "20"), strandedShip("s11a", "2025-10-02", "Z11", "5", "mine-a", "pkkhi", "B11a"),
			strandedShip("s11b", "2025-10-03", "Z11", "5", "mine-a", "pkbqm", "B11b")},
			[]string{"c11"}, nil, []string{"shipment urn:t:zk:s11a", "shipment urn:t:zk:s11b"}},
		{"A3 packed, unpacked, inspected", []string{strandedCommission("c12", "Z12", "20"), pack("p12", "2025-10-02", "ADD"), pack("u12", "2025-10-03", "DELETE"),
			strandedEv("i12", "2025-10-04", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "bizLocation": {"id": "urn:t:site:mine-a"}, "quantityList": [{"epcClass": "urn:t:lot:Z12"}]`)},
			[]string{"c12"}, nil, []string{"packing urn:t:zk:p12", "unpacking urn:t:zk:u12", "inspection urn:t:zk:i12"}},
		{"A4 onward shipment of a lot whose first shipment is declared", []string{strandedCommission("c13", "Z13", "20"),
			strandedShip("s13", "2025-10-02", "Z13", "20", "mine-a", "pkbqm", "B13"), strandedShip("o13", "2025-10-05", "Z13", "20", "pkkhi", "pkbqm", "B13")},
			[]string{"s13"}, nil, []string{"shipment urn:t:zk:o13"}},
		{"A4b onward shipment after a receipt", []string{strandedCommission("c15", "Z15", "20"),
			strandedShip("s15", "2025-10-02", "Z15", "20", "mine-a", "pkkhi", "B15"), strandedReceive("r15", "2025-10-04", "Z15", "20", "pkkhi", "B15"), strandedShip("o15", "2025-10-05", "Z15", "20", "pkkhi", "pkbqm", "B15b")},
			[]string{"s15"}, nil, []string{"receipt urn:t:zk:r15", "shipment urn:t:zk:o15"}},
		{"A4d onward same bol", []string{strandedCommission("c17", "Z17", "20"),
			strandedShip("s17", "2025-10-02", "Z17", "20", "mine-a", "pkbqm", "B17"), strandedShip("o17", "2025-10-05", "Z17", "20", "pkkhi", "pklhe", "B17")},
			[]string{"s17"}, nil, []string{"shipment urn:t:zk:o17"}},
		{"A5 each sampling where none stands", []string{strandedCommission("c14", "Z14", "20"), strandedShip("s14", "2025-10-02", "Z14", "5", "mine-a", "pkkhi", "B14"),
			strandedReceive("r14", "2025-10-04", "Z14", "5", "pkkhi", "B14"), sample("a14a", "2025-10-05"), sample("a14b", "2025-10-06")},
			[]string{"r14"}, nil, []string{"sampling urn:t:zk:a14a", "sampling urn:t:zk:a14b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := service(s)
			svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
			MustCapture(t, svc, retractDoc(c.record...))
			byID := map[string]string{}
			for _, ev := range c.record {
				var m map[string]any
				_ = json.Unmarshal([]byte(ev), &m)
				byID[strings.TrimPrefix(m["eventID"].(string), "urn:t:zk:")] = ev
			}
			var doc []string
			for _, id := range c.declare {
				doc = append(doc, strandedDeclared(t, byID[id]))
			}
			doc = append(doc, c.corrected...)
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(doc...))})
			if critmin.ErrorCode(err) != critmin.ECONFLICT {
				t.Fatalf("declaring %v: %v; want a conflict (409) naming %v", c.declare, err, c.stranded)
			}
			msg := critmin.ErrorMessage(err)
			for _, st := range c.stranded {
				if !strings.Contains(msg, "the "+st+" ") {
					t.Errorf("declaring %v: the message does not name %q:\n%s", c.declare, st, msg)
				}
			}
			var fields []string
			for _, fe := range critmin.ErrorFields(err) {
				fields = append(fields, fe.Reason)
			}
			for _, st := range c.stranded {
				id := st[strings.Index(st, " ")+1:]
				found := false
				for _, f := range fields {
					found = found || strings.Contains(f, " "+id+" ")
				}
				if !found {
					t.Errorf("declaring %v: no problem field names %s: %q", c.declare, id, fields)
				}
			}
			for _, id := range c.declare {
				evs, ferr := s.FindEventsByID(ctx, "urn:t:zk:"+id)
				if ferr != nil {
					t.Fatal(ferr)
				}
				for _, ev := range evs {
					if ev.ErrorDeclaration != nil {
						t.Errorf("declaring %v was refused, yet the declaration of %s is stored", c.declare, id)
					}
				}
			}
			for _, st := range c.stranded {
				id := strings.TrimPrefix(st[strings.Index(st, " ")+1:], "urn:t:zk:")
				doc = append(doc, strandedDeclared(t, byID[id]))
			}
			if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(doc...))}); err != nil {
				t.Fatalf("declaring %v with %v in one document: %v; want it taken", c.declare, c.stranded, err)
			}
		})
	}
}

// testStrandedListCapped (issue 8 §2, fixAa item 3): lot Z18 (c18, 20 t
// at mine-a) inspected 13 times at mine-a (i18-01 … i18-13, one a day
// from 2025-10-02). Declaring c18 leaves all 13 inspecting a lot no
// event records: the refusal (409) words the first custody.StrandedListed
// (10) of them, i18-01 … i18-10, and counts the rest: 13 − 10 = 3, "and
// 3 more"; its problem fields name all 13.
func testStrandedListCapped(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	record := []string{strandedCommission("c18", "Z18", "20")}
	for i := 1; i <= 13; i++ {
		n := fmt.Sprintf("%02d", i)
		record = append(record, strandedEv("i18-"+n, fmt.Sprintf("2025-10-%02d", i+1), `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "bizLocation": {"id": "urn:t:site:mine-a"}, "quantityList": [{"epcClass": "urn:t:lot:Z18"}]`))
	}
	MustCapture(t, svc, retractDoc(record...))
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(retractDoc(strandedDeclared(t, record[0])))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("declaring c18: %v; want a conflict (409)", err)
	}
	msg := critmin.ErrorMessage(err)
	if !strings.Contains(msg, "13 later events standing on nothing") || !strings.Contains(msg, "and 3 more") {
		t.Errorf("the message does not count 13 events, 3 of them not worded:\n%s", msg)
	}
	for i := 1; i <= 13; i++ {
		id := fmt.Sprintf("urn:t:zk:i18-%02d", i)
		if got := strings.Contains(msg, id+" "); got != (i <= 10) {
			t.Errorf("the message names %s: %v; want %v:\n%s", id, got, i <= 10, msg)
		}
	}
	named := map[string]bool{}
	for _, fe := range critmin.ErrorFields(err) {
		for i := 1; i <= 13; i++ {
			if id := fmt.Sprintf("urn:t:zk:i18-%02d", i); strings.Contains(fe.Reason, " "+id+" ") {
				named[id] = true
			}
		}
	}
	if len(named) != 13 {
		t.Errorf("the problem fields name %d of the 13 inspections: %v", len(named), named)
	}
}

// testStandingNamesEachShortfall (issue 8 §2, fixAa item 5): lot Z19,
// 20 t commissioned at mine-a (c19); 5 t shipped to pkkhi (s19a, B19a)
// and received there (r19a, 5 t), 5 t shipped to pkbqm (s19b, B19b) and
// received there (r19b, 5 t). One document then ships 8 t from pkkhi
// (x19a) and 8 t from pkbqm (x19b), where 5 t stand at each: two
// shortfalls, 8 > 5 at each site. The refusal names both (problem
// fields /epcisBody/eventList/0 and /1, each "only 5 t of its 20 t
// stood there"), not only the lot's first.
func testStandingNamesEachShortfall(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	MustCapture(t, svc, retractDoc(strandedCommission("c19", "Z19", "20"),
		strandedShip("s19a", "2025-10-02", "Z19", "5", "mine-a", "pkkhi", "B19a"), strandedReceive("r19a", "2025-10-04", "Z19", "5", "pkkhi", "B19a"),
		strandedShip("s19b", "2025-10-05", "Z19", "5", "mine-a", "pkbqm", "B19b"), strandedReceive("r19b", "2025-10-06", "Z19", "5", "pkbqm", "B19b")))
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(retractDoc(strandedShip("x19a", "2025-10-07", "Z19", "8", "pkkhi", "mine-b", "B19c"),
		strandedShip("x19b", "2025-10-08", "Z19", "8", "pkbqm", "mine-b", "B19d")))})
	if err == nil {
		t.Fatal("shipping 8 t from each of two sites where 5 t stand: taken; want refused")
	}
	got := map[string]bool{}
	for _, fe := range critmin.ErrorFields(err) {
		for i, site := range []string{"pkkhi", "pkbqm"} {
			if strings.HasPrefix(fe.Pointer, fmt.Sprintf("/epcisBody/eventList/%d/", i)) && strings.Contains(fe.Reason, "takes 8 t of it at urn:t:site:"+site+", but only 5 t of its 20 t stood there") {
				got[site] = true
			}
		}
	}
	if !got["pkkhi"] || !got["pkbqm"] {
		t.Errorf("the refusal names the shortfall at %v; want both, pkkhi and pkbqm (8 t taken where 5 t stood): %v", got, critmin.ErrorFields(err))
	}
}
