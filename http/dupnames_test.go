package http_test

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestRepeatedAndCaseVariantNamesRefused: a JSON body with a member name
// given twice (at the top or nested) or a field name in another case is
// refused with 400 naming its pointer, and nothing is stored (issue 14:
// "role":"viewer","role":"admin" gave an admin token, "Role":"admin" too,
// and "EXPIRES_IN":"" a token that never expires; a capture with bizStep
// twice was stored with the last one).
func TestRepeatedAndCaseVariantNamesRefused(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := context.Background()
	doc, err := os.ReadFile("../demo/corridor/01-pakistan-mines-to-ports.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	capture := strings.Replace(string(doc), `"bizStep": "commissioning",`, `"bizStep": "shipping", "bizStep": "receiving",`, 1)
	mb := "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance"
	for _, c := range []struct{ method, path, body, ptr string }{
		{"POST", "/api/v1/tokens", `{"name":"d1","role":"viewer","role":"admin"}`, "/role"},
		{"POST", "/api/v1/tokens", `{"name":"d2","Role":"admin"}`, "/Role"},
		{"POST", "/api/v1/tokens", `{"name":"d3","role":"viewer","expires_in":"1h","EXPIRES_IN":""}`, "/EXPIRES_IN"},
		{"POST", "/api/v1/risk/stockpile", `{"commodity":"antimony","commodity":"tungsten","start_year":2025,"years":1}`, "/commodity"},
		{"POST", "/api/v1/risk/stockpile", `{"Commodity":"antimony","start_year":2025,"years":1}`, "/Commodity"},
		{"POST", "/api/v1/plans", `{"prices_as_of":"2025-01-01","prices_as_of":"2026-01-01"}`, "/prices_as_of"},
		{"POST", "/api/v1/plans", `{"Prices_As_Of":"2025-01-01"}`, "/Prices_As_Of"},
		{"PUT", mb, `{"categories":[],"periods":[],"method":"credit","method":"rolling"}`, "/method"},
		{"PUT", mb, `{"categories":[],"periods":[],"Method":"credit"}`, "/Method"},
		{"PUT", mb, `{"categories":[{"id":"a","id":"b"}],"periods":[]}`, "/categories/0/id"},
		{"POST", "/api/v1/trade/contracts", `{"id":"C1","id":"C2"}`, "/id"},
		{"POST", "/api/v1/trade/contracts", `{"ID":"C1"}`, "/ID"},
		{"POST", "/api/v1/trade/contracts", `{"id":"C1","payables":[{"element":"Cu","element":"Au"}]}`, "/payables/0/element"},
		{"POST", "/epcis/capture", capture, "/epcisBody/eventList/0/bizStep"},
	} {
		before, _ := ts.Store.ListTokens(ctx)
		hdr := jsonCT
		if c.path == "/epcis/capture" {
			hdr = map[string]string{"Content-Type": "application/ld+json"}
		}
		resp, b := do(t, c.method, ts.URL+c.path, adminSecret, []byte(c.body), hdr)
		if resp.StatusCode == 202 || resp.StatusCode/100 == 2 {
			t.Errorf("%s %s %s: accepted %d %s", c.method, c.path, c.body, resp.StatusCode, b)
			continue
		}
		if resp.StatusCode != 400 || !strings.Contains(string(b), c.ptr) {
			t.Errorf("%s %s %s: %d %s, want 400 naming %s", c.method, c.path, c.body, resp.StatusCode, b, c.ptr)
		}
		after, _ := ts.Store.ListTokens(ctx)
		if len(after) != len(before) {
			t.Errorf("%s: a refused request stored a token", c.body)
		}
	}
	if jobs := ts.PlanJobs(); len(jobs) != 0 {
		t.Errorf("a refused request started %d plan jobs", len(jobs))
	}
	resp, b := do(t, "GET", ts.URL+"/events", adminSecret, nil, nil)
	if resp.StatusCode == 200 && strings.Contains(string(b), "receiving") {
		t.Errorf("the refused capture stored an event: %s", b)
	}
}
