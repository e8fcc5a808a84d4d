package http_test

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/storetest"
	"github.com/critmin/critmin/storetest/unchecked"
)

// TestLotListUnmade (issue 8 §2, fixMm): lot urn:t:lot:U is not in the
// record (storetest.UnmadeLotDocuments: its commissioning declared in
// error while the run that fed on it stands). The lot list and its CSV
// mark it so — status not_in_record, holding nothing — as GET
// /api/v1/lots/{id} answers 410, never "consumed"; a list by status
// leaves it out. Lot urn:t:lot:L of storetest.LateMakerDocuments, made
// again on 2025-10-10 after run r1 drew on it on 2025-10-05 (a store
// written before capture refused that), reads the same everywhere: 410,
// not in the record in the list — never in stock with 10 t.
func TestLotListUnmade(t *testing.T) {
	ts := serveUnmadeLots(t)
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lots: %d %s", resp.StatusCode, b)
	}
	var list struct {
		Lots []struct {
			ID          string  `json:"id"`
			Status      string  `json:"status"`
			WetTonnes   float64 `json:"wetTonnes"`
			Remaining   float64 `json:"remainingWetTonnes"`
			NotInRecord string  `json:"notInRecord"`
		} `json:"lots"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range list.Lots {
		if l.ID != "urn:t:lot:U" && l.ID != "urn:t:lot:L" {
			continue
		}
		seen[l.ID] = true
		if l.Status != "not_in_record" || l.WetTonnes != 0 || l.Remaining != 0 || !strings.Contains(l.NotInRecord, "not in the record") {
			t.Errorf("lot %s in the list: %+v; want status not_in_record, holding 0 t, saying why", l.ID, l)
		}
	}
	if !seen["urn:t:lot:U"] || !seen["urn:t:lot:L"] {
		t.Errorf("the list shows %v of U and L; want both, marked", seen)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("lots CSV: %d %v", resp.StatusCode, err)
	}
	for _, r := range rows[1:] {
		if (r[0] == "urn:t:lot:U" || r[0] == "urn:t:lot:L") && (r[2] != "not_in_record" || r[3] != "0") {
			t.Errorf("CSV row of %s: status %q, wet_t %q; want not_in_record, 0", r[0], r[2], r[3])
		}
	}
	for _, status := range []string{"consumed", "in_stock"} {
		_, b = do(t, "GET", ts.URL+"/api/v1/lots?status="+status, "", nil, nil)
		var got struct {
			Lots []struct {
				ID string `json:"id"`
			} `json:"lots"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for _, l := range got.Lots {
			if l.ID == "urn:t:lot:U" || l.ID == "urn:t:lot:L" {
				t.Errorf("lots with status %s list %s, not in the record", status, l.ID)
			}
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:L"), "", nil, nil)
	p := mustProblem(t, resp, b, 410)
	for _, want := range []string{"is not in the record", "urn:t:ii:cc", "2025-10-10", "urn:t:ii:r1", "2025-10-05"} {
		if !strings.Contains(p.Detail, want) {
			t.Errorf("GET lot L: 410 detail %q does not name %q", p.Detail, want)
		}
	}
}

// TestLotListStatusFilters (issue 8 §2, fixSs): every status the lot
// list prints is a filter it takes (critmin.LotStatuses), and the
// OpenAPI enum of ?status= lists the same. status=not_in_record lists
// lots U and L (storetest.UnmadeLotDocuments, LateMakerDocuments), in
// JSON and CSV, total 2 — and no lot in the record; with a commodity
// they are not of, or a location (they are at none), it lists none. A
// status the list never prints is refused 400 naming every one.
func TestLotListStatusFilters(t *testing.T) {
	ts := serveUnmadeLots(t)
	type page struct {
		Lots []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"lots"`
		Total int `json:"total"`
	}
	list := func(query string) page {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+"/api/v1/lots?"+query, "", nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("lots?%s: %d %s", query, resp.StatusCode, b)
		}
		var p page
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	printed := map[string]bool{}
	for _, l := range list("limit=1000").Lots {
		printed[l.Status] = true
	}
	for st := range printed {
		for _, l := range list("status=" + st + "&limit=1000").Lots {
			if l.Status != st {
				t.Errorf("status=%s lists %s of status %s", st, l.ID, l.Status)
			}
		}
	}
	got := list("status=not_in_record")
	ids := map[string]bool{}
	for _, l := range got.Lots {
		ids[l.ID] = true
		if l.Status != "not_in_record" {
			t.Errorf("status=not_in_record lists %s of status %s", l.ID, l.Status)
		}
	}
	if got.Total != 2 || len(ids) != 2 || !ids["urn:t:lot:U"] || !ids["urn:t:lot:L"] {
		t.Errorf("status=not_in_record: total %d, lots %v; want U and L, total 2", got.Total, ids)
	}
	if p := list("status=not_in_record&limit=1&offset=1"); p.Total != 2 || len(p.Lots) != 1 {
		t.Errorf("status=not_in_record page 2 of 1: total %d, %d lots; want 2, 1", p.Total, len(p.Lots))
	}
	if p := list("status=not_in_record&commodity=copper_cathode"); p.Total != 0 || len(p.Lots) != 0 {
		t.Errorf("status=not_in_record of another commodity: %+v; want none", p)
	}
	if p := list("status=not_in_record&location=urn:t:site:mine-a"); p.Total != 0 || len(p.Lots) != 0 {
		t.Errorf("status=not_in_record at a site: %+v; want none (they are at none)", p)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots?status=not_in_record&format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(rows) != 3 {
		t.Fatalf("lots CSV of status not_in_record: %d %v, %d rows; want a header and 2", resp.StatusCode, err, len(rows))
	}
	for _, r := range rows[1:] {
		if r[2] != "not_in_record" {
			t.Errorf("CSV row %v; want status not_in_record", r)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?status=lost", "", nil, nil)
	p := mustProblem(t, resp, b, 400)
	if !strings.Contains(p.Detail, "consumed, in_stock, in_transit, not_in_record, unknown") {
		t.Errorf("status=lost: %q; want every status named", p.Detail)
	}
	_, b = do(t, "GET", ts.URL+"/api/v1/openapi.json", "", nil, nil)
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/lots", "/api/v1/transit"} {
		params := spec["paths"].(map[string]any)[path].(map[string]any)["get"].(map[string]any)["parameters"].([]any)
		var enum []string
		for _, p := range params {
			p := p.(map[string]any)
			if p["name"] == "status" {
				for _, v := range p["schema"].(map[string]any)["enum"].([]any) {
					enum = append(enum, v.(string))
				}
			}
		}
		if strings.Join(enum, ",") != strings.Join(critmin.LotStatuses, ",") {
			t.Errorf("OpenAPI %s status enum %v; want %v", path, enum, critmin.LotStatuses)
		}
	}
}

// serveUnmadeLots serves a store holding the two lots not in the record
// both tests read: U of storetest.UnmadeLotDocuments, captured through
// the API, and L of storetest.LateMakerDocuments, stored unchecked one
// minute apart from 2025-11-01 as a store written before capture
// refused a late maker would hold it.
func serveUnmadeLots(t *testing.T) *testServer {
	t.Helper()
	ts := MustServe(t, true, nil)
	for _, d := range storetest.UnmadeLotDocuments {
		if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(d), nil); resp.StatusCode != 202 {
			t.Fatalf("capture: %d %s", resp.StatusCode, b)
		}
	}
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range storetest.LateMakerDocuments {
		unchecked.MustStore(t, ts.Store, d, now.Add(time.Duration(i)*time.Minute))
	}
	return ts
}
