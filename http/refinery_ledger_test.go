package http_test

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/refinery"
)

// The demo refinery fed by the demo corridor's lots, through the API: the
// flowsheet is posted with ?site=&period= and its check-in and check-out
// come from the ledger (events 023/024 at refinery-mo in October 2025);
// reconcile, report and close all take that path.
func TestRefineryFromLedgerAPI(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	flow, err := os.ReadFile("../refinery/demo/refinery-mo.json")
	if err != nil {
		t.Fatal(err)
	}
	site := "urn:critmin:demo:site:refinery-mo"
	q := "?site=" + url.QueryEscape(site) + "&period=2025-10"
	base := ts.URL + "/api/v1/refinery"

	resp, b := do(t, "POST", base+"/reconcile"+q, viewerSecret, flow, nil)
	var res refinery.Result
	if resp.StatusCode != 200 || json.Unmarshal(b, &res) != nil {
		t.Fatalf("reconcile from ledger: %d %s", resp.StatusCode, b)
	}
	var oxide *refinery.StreamResult
	for i := range res.Streams {
		if res.Streams[i].ID == "ndpr_oxide" {
			oxide = &res.Streams[i]
		}
	}
	// NDPR-2025-001: 2,530 kg at moisture 0 → 2.53 t, measured, from event 023.
	if oxide == nil || oxide.Mass.Measured == nil || *oxide.Mass.Measured != 2.53 || !strings.Contains(strings.Join(oxide.Mass.Source, " "), "urn:critmin:demo:event:02") {
		t.Fatalf("ndpr_oxide from the ledger: %+v", oxide)
	}
	if res.Site != site || res.Period != "2025-10" {
		t.Errorf("result site/period %q %q", res.Site, res.Period)
	}

	resp, b = do(t, "POST", base+"/report"+q+"&format=csv", viewerSecret, flow, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "ndpr_oxide") {
		t.Errorf("report from ledger: %d %.200s", resp.StatusCode, b)
	}
	resp, b = do(t, "POST", base+"/reconcile?site="+url.QueryEscape(site), viewerSecret, flow, nil)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(p.Detail, "site and period") {
		t.Errorf("site without period: %+v", p)
	}
	resp, b = do(t, "POST", base+"/reconcile?site="+url.QueryEscape(site)+"&period=2025-09", viewerSecret, flow, nil)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(p.Detail, "no measurements") {
		t.Errorf("a month without measurements: %+v", p)
	}

	// Just determined (dof 0): a close needs a reason.
	resp, b = do(t, "POST", base+"/close"+q, operatorSecret, flow, nil)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(p.Detail, "no degree of freedom") {
		t.Errorf("dof-0 close without a reason: %+v", p)
	}
	resp, b = do(t, "POST", base+"/close"+q+"&accept=unchecked+month", operatorSecret, flow, nil)
	var closed struct{ Site, Period, Action, Hash string }
	if resp.StatusCode != 201 || json.Unmarshal(b, &closed) != nil || closed.Site != site || closed.Period != "2025-10" || closed.Action != "close" {
		t.Fatalf("close from ledger: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", base+"/report"+q, viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), closed.Hash) {
		t.Errorf("closed report: %d %.300s", resp.StatusCode, b)
	}
}
