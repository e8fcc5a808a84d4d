package http_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// mbDoc: a Pakistani REE feed of 100 dry t at 4 % Nd and 1 % Pr enters the
// mass-balance site on 5 October 2025 (credit 5 t × 0.9 = 4.5 t Nd+Pr) and
// makes 2 t of NdPr oxide at 60 % Nd + 20 % Pr (1.6 t), all claimed
// Pakistani: closing balance 4.5 − 1.6 = 2.9 t. A second event of the run
// (E1b, same transformationID) makes O1R, 4 t at 62 % Nd + 15 % Pr =
// 3.08 t, no claim: the run's products hold 4.68 t, at least the credit
// (at factor 0.9 or 0.93), so it is not bounded by them (fix9c).
var mbDoc = mustReadFile("../testdata/massbalance/site-mb.jsonld")

// mbMaster is mbDoc's master data alone (no event): it makes the site
// known, so that its declaration, which mbDoc's claim draws on, can be
// made before the claim is captured (the capture check refuses a claim
// at a site with no declaration).
var mbMaster = func() string {
	head, _, _ := strings.Cut(mbDoc, `"eventList": [`)
	return head + `"eventList": []}}`
}()

const mbDecl = `{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": %s}],
 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}]}`

func TestMassBalanceAPI(t *testing.T) {
	ts := MustServe(t, true, nil)
	// Captured while October is open (the claim check refuses a claim
	// booked in a period that ended before the capture's record time).
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	resp, b := do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "1.5", 1)), map[string]string{"Content-Type": "application/json"})
	if p := mustProblem(t, resp, b, 400); p.Errors[0].Pointer != "/categories/0/conversionFactor" {
		t.Errorf("bad factor: %s", b)
	}
	resp, b = do(t, "GET", base, "", nil, nil)
	mustProblem(t, resp, b, 404)
	resp, b = do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "0.9", 1)), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	// The claim draws on the declaration: declared first, as the capture
	// check requires.
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbDoc)}); err != nil {
		t.Fatal(err)
	}
	resp, b = do(t, "GET", base+"/statement?period=2025-10&format=csv", "", nil, nil)
	want := "urn:t:site:mb,2025-10,ree,Nd+Pr,0.9,PAK,0,4.5,1.6,0,0,2.9"
	if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
		t.Errorf("statement CSV: %d %s, want a line %s", resp.StatusCode, b, want)
	}
	resp, b = do(t, "GET", base+"/statement?period=2025-12", "", nil, nil)
	mustProblem(t, resp, b, 400)
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:O1")+"/origin", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"status": "accepted"`) || !strings.Contains(string(b), `"claimed"`) {
		t.Errorf("origin with claim: %s", b)
	}
	// The lot list, its CSV and the lot JSON show the same origin: the
	// oxide is physically 100 % Pakistani by contained value, and claimed.
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?format=csv", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "urn:t:lot:O1,ndpr_oxide") || !strings.Contains(string(b), "Pakistan 100.0 % (by contained value),accepted: Pakistan 100.0 %") {
		t.Errorf("lots CSV: %s", b)
	}
	// Risk ledger sourcing reads the same origin, in contained metal: the
	// oxide's 2 t × 60 % + O1R's 4 t × 62 % = 1.2 + 2.48 = 3.68 t Nd, all
	// Pakistani (HHI 10,000), none of unknown origin.
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/exposure?commodity=rare%20earths&format=csv", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "ledger_origin_share_Nd,ndpr_oxide,2025-10,ledger,PAK,1,10000") {
		t.Errorf("ledger sourcing: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/exposure?commodity=rare%20earths", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"element_tonnes": 3.68`) || strings.Contains(string(b), `"unknown_origin_tonnes": 1`) {
		t.Errorf("ledger sourcing JSON: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:O1"), "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"basis": "contained_value"`) || !strings.Contains(string(b), `"claimedOrigin"`) {
		t.Errorf("lot JSON: %s", b)
	}
}

// TestStatementFigures: figures print at six decimals at most
// (custody.FigureDecimals). At a conversion factor of 0.93 the feed's
// credit, bounded element by element by what run E1's products hold
// (fix9ad), is Nd min(100 × 4 % × 0.93 = 3.72, O1 2 × 60 % + O1R 4 × 62 %
// = 3.68) + Pr min(100 × 1 % × 0.93 = 0.93, 2 × 20 % + 4 × 15 % = 1.0) =
// 4.61 t; O1 claims 1.6 t; closing 4.61 − 1.6 = 3.01 t, which binary
// floating point holds as 3.0100000000000002: the CSV and the JSON print
// 3.01.
func TestStatementFigures(t *testing.T) {
	ts := MustServe(t, true, nil)
	// Captured while October is open (the claim check refuses a claim
	// booked in a period that ended before the capture's record time).
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	if resp, b := do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "0.93", 1)), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbDoc)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", base+"/statement?period=2025-10&format=csv", "", nil, nil)
	if want := "urn:t:site:mb,2025-10,ree,Nd+Pr,0.93,PAK,0,4.61,1.6,0,0,3.01,"; resp.StatusCode != 200 || !strings.Contains(string(b), want) {
		t.Errorf("statement CSV: %d %s, want a line %s", resp.StatusCode, b, want)
	}
	resp, b = do(t, "GET", base+"/statement?period=2025-10", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "\"closing\": 3.01\n") || strings.Contains(string(b), "0000000") {
		t.Errorf("statement JSON: %d %s", resp.StatusCode, b)
	}
}

// TestDeclarationFieldErrors: a missing conversion factor says it is
// missing, an unknown element is named, each with its field.
func TestDeclarationFieldErrors(t *testing.T) {
	ts := MustServe(t, true, nil)
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	noFactor := strings.Replace(mbDecl, `, "conversionFactor": %s`, "", 1)
	resp, b := do(t, "PUT", base, operatorSecret, []byte(noFactor), map[string]string{"Content-Type": "application/json"})
	if p := mustProblem(t, resp, b, 400); p.Errors[0].Pointer != "/categories/0/conversionFactor" || !strings.Contains(p.Errors[0].Reason, "missing (required)") {
		t.Errorf("missing factor: %s", b)
	}
	xx := strings.Replace(strings.Replace(mbDecl, "%s", "0.9", 1), `"Pr"]`, `"Xx"]`, 1)
	resp, b = do(t, "PUT", base, operatorSecret, []byte(xx), map[string]string{"Content-Type": "application/json"})
	if p := mustProblem(t, resp, b, 400); p.Errors[0].Pointer != "/categories/0/elements/1" || !strings.Contains(p.Errors[0].Reason, `"Xx" is not a chemical element symbol`) {
		t.Errorf("unknown element: %s", b)
	}
}
