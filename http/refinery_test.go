package http_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/refinery"
)

const flotationProblem = `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
 {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`

func TestRefineryAPI(t *testing.T) {
	ts := MustServe(t, false, nil)
	base := ts.URL + "/api/v1/refinery"

	resp, b := do(t, "POST", base+"/reconcile", viewerSecret, []byte(flotationProblem), nil)
	var res refinery.Result
	if resp.StatusCode != 200 || json.Unmarshal(b, &res) != nil {
		t.Fatalf("reconcile: %d %s", resp.StatusCode, b)
	}
	if res.DOF != 2 || len(res.Streams) != 3 || res.Streams[1].ID != "conc" || !res.Streams[1].Mass.SD.Known() {
		t.Errorf("reconcile result: %s", b)
	}
	// The balance closes on the published figures: feed = conc + tail.
	m := func(i int) float64 { return float64(res.Streams[i].Mass.Value) }
	if d := m(0) - m(1) - m(2); d > 1e-6 || d < -1e-6 {
		t.Errorf("reconciled masses do not balance: %g", d)
	}

	bad := strings.Replace(flotationProblem, `"sd": 0.3`, `"sd": -1`, 1)
	resp, b = do(t, "POST", base+"/reconcile", viewerSecret, []byte(bad), nil)
	p := mustProblem(t, resp, b, 400)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/streams/1/mass_t/sd" {
		t.Errorf("bad sd: %+v", p)
	}

	demo, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, "GET", base+"/demo", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("demo: %d", resp.StatusCode)
	}
	resp, b = do(t, "POST", base+"/close", viewerSecret, body, nil)
	mustProblem(t, resp, b, 403)
	resp, b = do(t, "POST", base+"/close", operatorSecret, body, nil)
	var closed struct{ Action, Actor, Hash, Problem string }
	if resp.StatusCode != 201 || json.Unmarshal(b, &closed) != nil || closed.Action != "close" || closed.Actor != "operator" || closed.Hash == "" {
		t.Fatalf("close: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "POST", base+"/close", operatorSecret, body, nil)
	mustProblem(t, resp, b, 409)

	reopen := func(token, reason string) ([]byte, int) {
		req, _ := json.Marshal(map[string]string{"site": demo.Site, "period": demo.Period, "reason": reason})
		resp, b := do(t, "POST", base+"/reopen", token, req, nil)
		return b, resp.StatusCode
	}
	if b, code := reopen(operatorSecret, "wrong assay"); code != 403 {
		t.Errorf("reopen by operator: %d %s", code, b)
	}
	if b, code := reopen(adminSecret, ""); code != 400 {
		t.Errorf("reopen without reason: %d %s", code, b)
	}
	if b, code := reopen(adminSecret, "wrong assay on the NdPr oxide lot"); code != 201 {
		t.Fatalf("reopen: %d %s", code, b)
	}
	resp, b = do(t, "GET", base+"/report?site="+demo.Site+"&period="+demo.Period, viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	resp, b = do(t, "POST", base+"/close", adminSecret, body, nil)
	if resp.StatusCode != 201 {
		t.Fatalf("close again: %d %s", resp.StatusCode, b)
	}

	resp, b = do(t, "GET", base+"/periods?site="+demo.Site, viewerSecret, nil, nil)
	var trail struct {
		Records []struct{ Action, Actor, Reason string }
		Chain   string
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &trail) != nil || len(trail.Records) != 3 || trail.Chain != "verified" || trail.Records[1].Reason != "wrong assay on the NdPr oxide lot" {
		t.Errorf("periods: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", base+"/report?format=csv&site="+demo.Site+"&period="+demo.Period, viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(b), "closed_by,admin (admin)") {
		t.Errorf("csv report: %d %.400s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", base+"/report?format=xlsx&site="+demo.Site+"&period="+demo.Period, viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "PK") {
		t.Errorf("xlsx report: %d", resp.StatusCode)
	}
	resp, b = do(t, "GET", base+"/recoveries?element=Nd&site="+demo.Site+"&period="+demo.Period, viewerSecret, nil, nil)
	var recs []refinery.Recovery
	if resp.StatusCode != 200 || json.Unmarshal(b, &recs) != nil || len(recs) == 0 || recs[0].Stream != "lace_product" || recs[1].Stream != "ndpr_oxide" || recs[1].Fraction < 0.9 {
		t.Errorf("recoveries: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", base+"/recoveries?element=Nd&site="+demo.Site+"&period=2025-01", viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	resp, b = do(t, "GET", base+"/periods?bogus=1", viewerSecret, nil, nil)
	mustProblem(t, resp, b, 400)
	// A flowsheet naming another site than ?site= is refused, not
	// silently filed under the query's site.
	resp, b = do(t, "POST", base+"/reconcile?site=urn:critmin:demo:site:refinery-mo&period=2025-10", viewerSecret, refinery.DemoMonthJSON(), nil)
	mustProblem(t, resp, b, 400)
	if !strings.Contains(string(b), "/site") {
		t.Errorf("site mismatch: %s, want /site named", b)
	}
	// A period that is not a month is a 400 naming it, not a 404.
	for _, path := range []string{"/report?site=" + demo.Site + "&period=13-2025", "/recoveries?element=Nd&site=" + demo.Site + "&period=2025-13", "/periods?period=2025-1"} {
		resp, b = do(t, "GET", base+path, viewerSecret, nil, nil)
		mustProblem(t, resp, b, 400)
		if !strings.Contains(string(b), "YYYY-MM") {
			t.Errorf("%s: %s, want the period named", path, b)
		}
	}
}

// TestRefineryUndeterminedAPI: a close whose Sb recovery cannot be
// determined (flux without an Sb assay, residue unmeasured) is a 400
// naming the flux's grade, and nothing is closed: the recoveries query
// for that period is then a 404, never a NaN 500.
func TestRefineryUndeterminedAPI(t *testing.T) {
	ts := MustServe(t, false, nil)
	base := ts.URL + "/api/v1/refinery"
	doc := `{"site":"urn:critmin:test:site:roaster","period":"2026-01","elements":["Sb"],"nodes":[{"id":"sb_roaster"}],"streams":[
{"id":"sb_feed","to":"sb_roaster","mass_t":{"value":10,"sd":0.1},"grade_pct":{"Sb":{"value":10,"sd":0.2}}},
{"id":"flux","to":"sb_roaster","mass_t":{"value":1,"sd":0.05}},
{"id":"sb_trioxide","from":"sb_roaster","mass_t":{"value":1.1,"sd":0.01},"grade_pct":{"Sb":{"value":83,"sd":0.5}}},
{"id":"sb_residue","from":"sb_roaster"}]}`
	resp, b := do(t, "POST", base+"/close", operatorSecret, []byte(doc), nil)
	p := mustProblem(t, resp, b, 400)
	found := false
	for _, e := range p.Errors {
		found = found || e.Pointer == "/streams/1/grade_pct/Sb"
	}
	if !found || !strings.Contains(string(b), "Sb grade of stream flux is unobservable") {
		t.Errorf("close: %s", b)
	}
	resp, b = do(t, "GET", base+"/recoveries?site=urn:critmin:test:site:roaster&element=Sb&period=2026-01", viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	// The reconciliation itself answers, with nulls and no NaN.
	resp, b = do(t, "POST", base+"/reconcile", viewerSecret, []byte(doc), nil)
	if resp.StatusCode != 200 || strings.Contains(string(b), "NaN") || !strings.Contains(string(b), `"unaccounted_t": null`) {
		t.Errorf("reconcile: %d %.300s", resp.StatusCode, b)
	}
}
