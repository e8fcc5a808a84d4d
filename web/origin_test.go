package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// mbDoc: a Pakistani REE feed of 100 dry t at 4 % Nd and 1 % Pr enters the
// mass-balance site on 5 October 2025 (credit 5 t × 0.9 = 4.5 t Nd+Pr) and
// makes 2 t of NdPr oxide at 60 % Nd + 20 % Pr (1.6 t), all claimed
// Pakistani: closing balance 4.5 − 1.6 = 2.9 t (O1R, 4 t of unclaimed
// oxide made by a second event of the run, holds the rest: a run never
// credits more than its products contain, fix9c).
var mbDoc = mustReadFile("../testdata/massbalance/site-mb.jsonld")

// mbDeclaration is the credit declaration mbDoc's figures assume: ree
// concentrate → NdPr oxide on Nd+Pr at a conversion factor of 0.9, over
// October 2025, carried forward one period.
func mbDeclaration() *critmin.MassBalanceDeclaration {
	return &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
}

// mustCaptureDeclared captures mbDoc as the real server accepts it: the
// site's master data first (no event), so that its declaration d can be
// made, then the document, whose claim draws on d, while October 2025
// is open (the capture check refuses a claim at a site with no
// declaration, or booked in a period ended before the record time).
// Call it before any request: it sets the service's clock.
func mustCaptureDeclared(t *testing.T, ts *testServer, d *critmin.MassBalanceDeclaration) {
	t.Helper()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	head, _, _ := strings.Cut(mbDoc, `"eventList": [`)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + `"eventList": []}}`)}); err != nil {
		t.Fatal(err)
	}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, ts.Svc.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbDoc)}); err != nil {
		t.Fatal(err)
	}
}

// TestOriginPages: the lot page and the lot list show the same physical
// origin (by contained value) and, apart and labelled, the claimed origin.
func TestOriginPages(t *testing.T) {
	ts := MustServe(t, true, nil)
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	mustCaptureDeclared(t, ts, d)
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:O1"), "", nil, nil)
	for _, want := range []string{"Physical origin", "Pakistan 100.0 % (by contained value)", "Claimed origin — mass balance, not physical", "accepted", "run-balances"} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("lot page lacks %q", want)
		}
	}
	// The site's page: the statement of October — Pakistan: credits 4.5,
	// claims 1.6, closing 2.9 t Nd+Pr.
	resp, b = do(t, "GET", ts.URL+"/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance?period=2025-10", "", nil, nil)
	for _, want := range []string{"Category ree", "<td>Pakistan</td>", ">4.5<", ">1.6<", ">2.9<", "urn:t:ev:E1"} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("mass-balance page lacks %q: %d", want, resp.StatusCode)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/lots", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Pakistan 100.0 % (by contained value)") || !strings.Contains(string(b), "claimed (accepted)") {
		t.Errorf("lots page lacks the origins")
	}
}

// TestRollingAveragePage: at a rolling-average site the statement keeps
// the balance: October, Pakistan: opening 0 + credits 4.5 − claims 1.6 −
// expired 0 = closing 2.9 t Nd+Pr, and the Pakistani share of the input
// over the window is 100 %.
func TestRollingAveragePage(t *testing.T) {
	ts := MustServe(t, true, nil)
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", Method: critmin.MassBalanceRollingAverage, CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	mustCaptureDeclared(t, ts, d)
	resp, b := do(t, "GET", ts.URL+"/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance?period=2025-10", "", nil, nil)
	for _, want := range []string{"<td>Pakistan</td><td class=\"num\">0</td><td class=\"num\">4.5</td><td class=\"num\">1.6</td><td class=\"num\">0</td><td class=\"num\">2.9</td>", "<td class=\"num\">100", "declaration version 1", "method rolling_average"} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("rolling-average page lacks %q: %d", want, resp.StatusCode)
		}
	}
}

// TestLotPageNamesRun: the lot page's anomalies name a run by its
// transformationID and link its event. Run urn:t:run:MO-9 makes 10 t at
// 12 % Nd = 1.2 t Nd from 50 t at 2 % = 1 t: element gain.
func TestLotPageNamesRun(t *testing.T) {
	ts := MustServe(t, true, nil)
	body := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:M", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	   "quantityList": [{"epcClass": "urn:t:lot:M", "quantity": 50, "uom": "TNE"}],
	   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "MMR", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 2, "cm:unit": "%", "cm:basis": "dry"}]}},
	  {"type": "TransformationEvent", "eventID": "urn:t:ev:G9", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:MO-9",
	   "inputQuantityList": [{"epcClass": "urn:t:lot:M", "quantity": 50, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 10, "uom": "TNE"}],
	   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ree_carbonate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 12, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:Z"), "", nil, nil)
	for _, want := range []string{"run urn:t:run:MO-9 (event urn:t:ev:G9) at urn:t:site:cb", `href="/events/urn:t:ev:G9"`} {
		// Identifiers in anomaly texts are labelled, the ID in the title
		// (withIDs puts it back).
		if resp.StatusCode != 200 || !strings.Contains(withIDs(string(b)), want) {
			t.Errorf("lot page lacks %q: %d", want, resp.StatusCode)
		}
	}
}
