package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestClaimCoveredNow (fix9d item 1): a claim is a record of the tonnes
// it debited; every view states it against what the lot holds now.
//
//	P1: Pakistan, 10 t at Nd 10 %; run R1 at mb → RES1, 1 t NdPr oxide at
//	Nd 80 % (only a run making the product earns, fix9r) → credit 10 × 0.10 × 0.9
//	= 0.9 t Nd (PAK).
//	R3: C (China, 10 t at Nd 20 % = 2 t Nd fed) → OX, 1 t at Nd 80 %,
//	claims PAK 100 %: 1 × 0.8 = 0.8 t ≤ 0.9, accepted (closing 0.1).
//	(C holds 2 t Nd so that OX's 1.2 t below is within what R3 was fed
//	and is not capped, docs/origin.md "element cap".)
//	A Mass report of 1.5 TNE on OX, dated after the claim, is taken (it
//	would claim 1.2 t > 0.9 if read as the claim's figure): OX now holds
//	1.5 × 0.8 = 1.2 t Nd; the claim stays 0.8 t, covering 0.8 ÷ 1.2 =
//	66.7 %, and 1 − 0.8 ÷ 1.2 = 33.3 % (0.4 t) is not covered.
//
// The origin JSON and CSV, the lots JSON and CSV, the lot page and the
// certificate all say so.
func TestClaimCoveredNow(t *testing.T) {
	ts, ox := claimCoveredNowServer(t)
	checks := []struct{ path, want string }{
		{"/api/v1/lots/" + ox + "/origin", `"notCovered": 0.333333`},
		{"/api/v1/lots/" + ox + "/origin?format=csv", "unclaimed,0.4,0.333333"},
		{"/api/v1/lots?format=csv", "accepted — covers 66.7 %: Pakistan 66.7 %; unclaimed 33.3 %"},
		{"/api/v1/lots", `"notCovered": 0.333333`},
		{"/lots/" + ox, "Pakistan 66.7 % unclaimed 33.3 %"},
		{"/lots", "PAK 66.7 % unclaimed 33.3 %"},
		{"/lots/" + ox, "the lot holds 1.2 t Nd now, 0.4 t of it"},
		{"/api/v1/lots/" + ox + "/certificate", "unclaimed: held beyond the claim"},
	}
	for _, c := range checks {
		resp, b := do(t, "GET", ts.URL+c.path, "", nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), c.want) {
			t.Errorf("GET %s: %d, want %q in:\n%.3000s", c.path, resp.StatusCode, c.want, b)
		}
		if strings.Contains(string(b), "PAK 100.0 %") || strings.Contains(string(b), "Pakistan 100 %") {
			t.Errorf("GET %s still prints the stated 100 %%", c.path)
		}
	}
}

// claimCoveredNowServer serves TestClaimCoveredNow's ledger: OX's claim,
// accepted, debited 0.8 t Nd and OX now holds 1.2 t (66.7 % covered,
// 33.3 % = 0.4 t unclaimed). It issues OX's certificate and returns the
// server and OX's id, path-escaped.
func claimCoveredNowServer(t *testing.T) (*testServer, string) {
	t.Helper()
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	feed := func(lot, iso, nd string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, day, in, out, commodity, nd, extra string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "` + commodity + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]` + extra + `}}`
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(feed("P1", "PAK", "10"), feed("C", "CHN", "20"))}); err != nil {
		t.Fatal(err)
	}
	decl := `{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd"], "conversionFactor": 0.9}],
 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`
	if resp, b := do(t, "PUT", ts.URL+"/api/v1/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance", operatorSecret, []byte(decl), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(run("R1", "05", "P1", "RES1", "ndpr_oxide", "80", ""))}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(run("R3", "07", "C", "OX", "ndpr_oxide", "80", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`))}); err != nil {
		t.Fatal(err)
	}
	weigh := `{"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "bizLocation": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:OX"}],
   "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 1.5, "uom": "TNE"}]}],
   "cm:massChangeReason": "restated after the claim"}` // +50 %: beyond the weighing tolerance, taken with a stated reason (custody.WeighingGainLimit)
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(weigh)}); err != nil {
		t.Fatalf("weighing OX after its claim: %v", err)
	}
	ox := url.PathEscape("urn:t:lot:OX")
	o, err := custody.Origin(ctx, ts.Store, "urn:t:lot:OX")
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimAccepted || abs(cl.Tonnes-0.8) > 1e-9 || abs(cl.Contains-1.2) > 1e-9 ||
		len(cl.ByCountry) != 1 || abs(cl.ByCountry[0].Share-0.8/1.2) > 1e-9 || abs(cl.NotCovered-(1-0.8/1.2)) > 1e-9 {
		t.Fatalf("OX's claim %+v; want accepted 0.8 t of 1.2 t, PAK 66.7 %%, 33.3 %% not covered", o.Claimed)
	}
	issueCert(t, ts.URL, ox) // Issued by a POST (fix14p): a GET serves it and writes nothing.
	return ts, ox
}

// TestClaimPartCoverWords (fix9ah item g): OX's claim (TestClaimCoveredNow:
// accepted, 0.8 t of the 1.2 t Nd OX holds now, 0.8 ÷ 1.2 = 66.7 %
// covered, 1 − 0.8 ÷ 1.2 = 33.3 % = 0.4 t beyond it) read status
// "accepted" beside "not covered 33.3 %", the words of a claim whose status
// is not_covered (it attributes nothing). Every view now words its status
// "accepted — covers 66.7 %" and the rest "unclaimed 33.3 %", and none says
// "not covered" of it: the origin JSON and CSV, the lots JSON and CSV,
// the lot page and list, and the certificate (JSON and page).
func TestClaimPartCoverWords(t *testing.T) {
	ts, ox := claimCoveredNowServer(t)
	const status = "accepted — covers 66.7 %"
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/api/v1/lots/" + ox + "/origin", []string{`"statusText": "` + status + `"`, `"status": "accepted"`}},
		{"/api/v1/lots/" + ox + "/origin?format=csv", []string{"claimed " + status + " Nd,country,,unclaimed,0.4,0.333333,claimed"}},
		{"/api/v1/lots/" + ox, []string{`"statusText": "` + status + `"`}},
		{"/api/v1/lots", []string{`"statusText": "` + status + `"`}},
		{"/api/v1/lots?format=csv", []string{status + ": Pakistan 66.7 %; unclaimed 33.3 %"}},
		{"/lots/" + ox, []string{"Pakistan 66.7 % unclaimed 33.3 % <span class=\"badge\">" + status + "</span>", "unclaimed 0.4 t (33.3 %) of the 1.2 t the lot holds now, held beyond the claim", ">" + status + "</span>", status + ": the lot holds 1.2 t Nd now, 0.4 t of it (33.333333 %) unclaimed, held beyond the claim"}},
		{"/lots", []string{"claimed (" + status + "): PAK 66.7 % unclaimed 33.3 %"}},
		{"/api/v1/lots/" + ox + "/certificate", []string{"claim " + status + ") — unclaimed: held beyond the claim", `"countryName": "unclaimed"`, `"statusText": "` + status + `"`}},
		{"/lots/" + ox + "/certificate", []string{"claim " + status + ") — unclaimed: held beyond the claim"}},
	} {
		resp, b := do(t, "GET", ts.URL+c.path, "", nil, nil)
		body := strings.ReplaceAll(string(b), "&#34;", `"`)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d %.500s", c.path, resp.StatusCode, b)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: want %q in:\n%.4000s", c.path, w, body)
			}
		}
		if strings.Contains(body, "not covered") || strings.Contains(body, "not_covered") {
			i := strings.Index(body, "not covered")
			if i < 0 {
				i = strings.Index(body, "not_covered")
			}
			t.Errorf("GET %s words the accepted claim's status or its rest \"not covered\": …%s…", c.path, body[max(0, i-200):min(len(body), i+100)])
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
