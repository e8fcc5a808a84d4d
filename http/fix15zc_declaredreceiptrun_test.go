package http_test

import (
	"strings"
	"testing"
)

// fix15zcDoc is an EPCIS document of events (JSON objects).
func fix15zcDoc(events ...string) []byte {
	return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-22T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
}

// fix15zcEvents is the new-user check's lot M1 (nu15g item 1) under lot:
// 10,000 kg commissioned at the mine LS; 4,000 kg shipped LS→R under B/L
// a (s1) and received at R for USSM (r1, 4,000 kg); with smelter (lot
// M2, item 2) 3,000 kg shipped under b and received for the smelter;
// then run x at R, naming no party, takes 3,500 kg into 1,000 kg of
// oxide. Events are named urn:t:<lot>:<name>: all of them in order, r1
// and x apart too; with declared r1 carries an errorDeclaration.
func fix15zcEvents(lot string, smelter, declared bool) (all []string, r1, x string) {
	ev := func(name, day, step, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:` + lot + `:` + name + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "` +
			map[bool]string{true: "ADD", false: "OBSERVE"}[step == "commissioning"] + `", "bizStep": "` + step + `", ` + extra + `}`
	}
	q := func(kg string) string {
		return `"quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}]`
	}
	ship := func(name, day, kg, bol string) string {
		return ev(name, day, "shipping", `"disposition": "in_transit", "bizLocation": {"id": "urn:t:site:LS"}, `+q(kg)+`,
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+lot+bol+`"}], "destinationList": [{"type": "location", "destination": "urn:t:site:R"}]`)
	}
	recv := func(name, day, kg, bol, owner, decl string) string {
		return ev(name, day, "receiving", `"disposition": "in_progress", "bizLocation": {"id": "urn:t:site:R"}, `+q(kg)+`,
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+lot+bol+`"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}]`+decl)
	}
	all = []string{ev("c", "1", "commissioning", `"bizLocation": {"id": "urn:t:site:LS"}, `+q("10000")+`, "ilmd": {"cm:commodity": "antimony_ore"}`),
		ship("s1", "2", "4000", "a")}
	decl := ""
	if declared {
		decl = `, "errorDeclaration": {"declarationTime": "2025-11-20T00:00:00Z", "reason": "incorrect_data"}`
	}
	r1 = recv("r1", "3", "4000", "a", "ussm", decl)
	all = append(all, r1)
	if smelter {
		all = append(all, ship("s2", "4", "3000", "b"), recv("r2", "5", "3000", "b", "smelter", ""))
	}
	x = `{"type": "TransformationEvent", "eventID": "urn:t:` + lot + `:x", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:R"},
	 "inputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 3500, "uom": "KGM"}],
	 "outputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `-OX", "quantity": 1000, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}}`
	return append(all, x), r1, x
}

// TestDeclaredReceiptUnderARun409 (issue 15, fix15zc; nu15g items 1 and
// 2): declaring the receipt r1 in error while run x at R took 3.5 t of
// the 4 t it received is refused 409 problem+json naming the run and
// telling to declare it too — for lot M1 it was taken (202) and the run's
// 3.5 t fell on the 6 t body at LS, which then read 6 − 3.5 = 2.5 t at R;
// for lot M2 (the smelter's 3 t part at R too) it answered 500 (the
// smelter's part 3 − 3.5 = −0.5 t). Declaring r1 and x in one document
// is taken (202), and the body then reads 6 t (M1) at LS.
func TestDeclaredReceiptUnderARun409(t *testing.T) {
	ts := MustServe(t, true, nil)
	for _, c := range []struct {
		lot     string
		smelter bool
	}{{"M1", false}, {"M2", true}} {
		all, _, x := fix15zcEvents(c.lot, c.smelter, false)
		if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, fix15zcDoc(all...), nil); resp.StatusCode != 202 {
			t.Fatalf("%s: capture: %d %s", c.lot, resp.StatusCode, rb)
		}
		_, declR1, _ := fix15zcEvents(c.lot, c.smelter, true)
		resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, fix15zcDoc(declR1), nil)
		p := mustProblem(t, resp, rb, 409)
		run := "urn:t:" + c.lot + ":x"
		for _, want := range []string{"recorded run " + run, "declare the run " + run + " in error first or in the same document"} {
			if !strings.Contains(p.Detail, want) {
				t.Errorf("%s: 409 detail lacks %q: %s", c.lot, want, p.Detail)
			}
		}
		declX := strings.TrimSuffix(x, "}") + `, "errorDeclaration": {"declarationTime": "2025-11-20T00:00:00Z", "reason": "incorrect_data"}}`
		if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, fix15zcDoc(declR1, declX), nil); resp.StatusCode != 202 {
			t.Errorf("%s: r1 and x declared together: %d %s; want 202", c.lot, resp.StatusCode, rb)
		}
	}
}
