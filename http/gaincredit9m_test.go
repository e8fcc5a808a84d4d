package http_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// gain9mDoc is mbMaster with events: feed lot (country, 100 t dry at Nd 4
// % + Pr 1 %) and run runs, each a TransformationEvent at mb on date
// feeding in of lot from into out t of oxide at Nd nd % + Pr pr % (claim:
// ILMD claim terms).
func gain9mFeed(lot, country string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + country + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

func gain9mRun(id, date, from, in, out, outT, nd, pr, claim string) string {
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + date + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:` + id + `",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + from + `", "quantity": ` + in + `, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + outT + `, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": ` + pr + `, "cm:unit": "%", "cm:basis": "dry"}]` + claim + `}}`
}

func gain9mDoc(events ...string) []byte {
	return []byte(strings.Replace(mbMaster, `"eventList": []`, `"eventList": [`+strings.Join(events, ",\n")+`]`, 1))
}

// TestGainEarnsNoCreditHTTP (issue 9, fix9m): the statement's credit is
// bounded by what the run's products hold capped per element at what its
// inputs held, so a gain earns no credit, and a claim resting on the gain
// is refused over HTTP; a run's input line of 0 is refused at its
// pointer.
//
//	Q, Pakistan, 100 t at Nd 4 % + Pr 1 % → 4 t Nd, 1 t Pr in
//	run G (Oct 5): 100 t of Q → OG 6 t at Nd 10 % + Pr 60 %: Nd 0.6 t ≤ 4,
//	  Pr 3.6 t > 1 (element_gain) → OG counts 0.6 + 1 = 1.6 t
//	credit, element by element (fix9ad): Nd min(100 × 4 % × 0.9 = 3.6,
//	  0.6) + Pr min(100 × 1 % × 0.9 = 0.9, 1) = 0.6 + 0.9 = 1.5 t PAK
//	  (fix9m: Σ min(4.5, 1.6) = 1.6 t; before fix9m: 6 × 70 % = 4.2 t);
//	  October: opening 0, credits 1.5, claims 0, closing 1.5
//	run H (Oct 6): 100 t of Chinese C → H 2.5 t at Nd 60 % + Pr 20 % = 2 t
//	  claimed Pakistan: 2 > 1.5, refused 400, shortfall 2 − 1.5 = 0.5 t
//	  (before fix9m: accepted against 4.2 t)
func TestGainEarnsNoCreditHTTP(t *testing.T) {
	ts := MustServe(t, true, nil)
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	if resp, b := do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "0.9", 1)), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: gain9mDoc(gain9mFeed("Q", "PAK"), gain9mFeed("C", "CHN"), gain9mRun("G", "2025-10-05", "Q", "100", "OG", "6", "10", "60", ""))}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", base+"/statement?period=2025-10&format=csv", "", nil, nil)
	if want := "urn:t:site:mb,2025-10,ree,Nd+Pr,0.9,PAK,0,1.5,0,0,0,1.5"; resp.StatusCode != 200 || !strings.Contains(string(b), want) {
		t.Errorf("statement CSV: %d %s, want a line %s", resp.StatusCode, b, want)
	}
	resp, b = do(t, "GET", base+"/statement?period=2025-10", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Nd 0.6 t, Pr 1 t in 6 t of ndpr_oxide (lot urn:t:lot:OG), capped at what its inputs held (element_gain: Pr 3.6 t counted as 1 t; a gain earns no credit); Nd 3.6 t cut to 0.6 t, Pr 0.9 t kept") {
		t.Errorf("statement JSON: %d %s, want G's note with the capped Pr 1 t and Nd cut to 0.6 t", resp.StatusCode, b)
	}
	claim := `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, gain9mDoc(gain9mRun("H", "2025-10-06", "C", "100", "H", "2.5", "60", "20", claim)), nil)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(string(b), "lot urn:t:lot:H claims 2 t Nd+Pr") || !strings.Contains(string(b), "shortfall 0.5 t") {
		t.Errorf("H, 2 t claimed on 1.5 t: %+v, want refused, shortfall 0.5 t", p)
	}
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, gain9mDoc(gain9mRun("Z", "2025-10-06", "C", "0", "Z", "1", "60", "20", "")), nil)
	p := mustProblem(t, resp, b, 400)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/epcisBody/eventList/0/inputQuantityList/0/quantity" || p.Errors[0].Reason != "a run's input of 0 takes nothing; leave the lot out" {
		t.Errorf("input of 0: %s, want refused at /epcisBody/eventList/0/inputQuantityList/0/quantity", b)
	}
}
