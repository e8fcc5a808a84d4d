package http_test

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

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
