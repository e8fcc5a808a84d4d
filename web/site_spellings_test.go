package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// TestSiteSpellingsOneAccount (issue 9, new-user check 2): a site named by
// its GS1 Digital Link is the site its SGLN EPC URN names (GLN
// 4012345000108: company prefix 4012345, location reference 00010, check
// digit 8). Master data and the declaration are under
// urn:epc:id:sgln:4012345.00010.0; factor 0.9 on Nd.
//
//	R1 at the SGLN: P1 (Pakistan, 10 t at Nd 10 %) → credit 10 × 0.10 × 0.9 = 0.9 t.
//	R2 at the DL:   P2 (same)                      → credit 0.9 t.
//	October PAK credits 0.9 + 0.9 = 1.8 t (each run's oxide, 1.2 t at Nd
//	80 % = 0.96 t, holds its 0.9 t: fix9c, a run never credits more than
//	its products contain).
//	R3 at the DL:   C (China, 10 t) → OX, 1 t at Nd 80 % = 0.8 t claimed
//	                Pakistani: 0.8 ≤ 1.8, accepted; closing 1.8 − 0.8 = 1.0 t.
//
// The statement is the same under either spelling, in the API and on the
// site's page.
func TestSiteSpellingsOneAccount(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	const sgln, dl = "urn:epc:id:sgln:4012345.00010.0", "https://id.gs1.org/414/4012345000108"
	doc := func(events ...string) []byte {
		return []byte(strings.ReplaceAll(string(nu9Doc(events...)), "urn:t:site:mb", sgln))
	}
	feed := func(lot, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, day, site, in, out, q, commodity, nd, extra string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + q + `, "uom": "TNE"}],
   "bizLocation": {"id": "` + site + `"},
   "ilmd": {"cm:commodity": "` + commodity + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]` + extra + `}}`
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: doc(feed("P1", "PAK"), feed("P2", "PAK"), feed("C", "CHN"))}); err != nil {
		t.Fatal(err)
	}
	decl := `{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd"], "conversionFactor": 0.9}],
 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}]}`
	if resp, b := do(t, "PUT", ts.URL+"/api/v1/sites/"+url.PathEscape(sgln)+"/mass-balance", operatorSecret, []byte(decl), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: doc(run("R1", "05", sgln, "P1", "RES1", "1.2", "ndpr_oxide", "80", ""), run("R2", "06", dl, "P2", "RES2", "1.2", "ndpr_oxide", "80", ""))}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: doc(run("R3", "07", dl, "C", "OX", "1", "ndpr_oxide", "80", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`))}); err != nil {
		t.Fatalf("claim in a run at the site's Digital Link: %v", err)
	}
	for _, site := range []string{sgln, dl} {
		resp, b := do(t, "GET", ts.URL+"/api/v1/sites/"+url.PathEscape(site)+"/mass-balance/statement?period=2025-10&format=csv", "", nil, nil)
		if want := "ree,Nd,0.9,PAK,0,1.8,0.8,0,0,1"; resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("statement under %s: %d %s, want a line %s", site, resp.StatusCode, b, want)
		}
		resp, b = do(t, "GET", ts.URL+"/sites/"+url.PathEscape(site)+"/mass-balance?period=2025-10", "", nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), "urn:t:ev:R2") {
			t.Errorf("site page under %s: %d", site, resp.StatusCode)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:OX")+"/origin", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"status": "accepted"`) {
		t.Errorf("OX's claim: %d %.600s", resp.StatusCode, b)
	}
}
