package http_test

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

func demoDocs() ([]string, [][]byte, error) { return demo.Documents() }

func TestMineralAPI(t *testing.T) {
	ts := MustServe(t, false, nil)
	captureCorridor(t, ts)
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001"), viewerSecret, nil, nil)
	var lot struct {
		Commodity string   `json:"commodity"`
		Status    string   `json:"status"`
		WetTonnes float64  `json:"wetTonnes"`
		Parents   []string `json:"parents"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &lot) != nil || lot.Commodity != "ndpr_oxide" || len(lot.Parents) != 2 || lot.WetTonnes != 2.53 {
		t.Errorf("lot: %d %s", resp.StatusCode, b)
	}
	// A Digital Link lot id carries slashes; percent-encoded it is one segment.
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("https://id.gs1.org/01/09520123456788/10/CU2025001")+"/events", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || strings.Count(string(b), `"eventID": "urn:critmin`) < 6 {
		t.Errorf("digital-link lot events: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:no:lot"), viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	resp, b = do(t, "GET", ts.URL+"/api/v1/transit", viewerSecret, nil, nil)
	var transit struct {
		Total int `json:"total"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &transit) != nil || transit.Total != 2 {
		t.Errorf("transit: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?format=csv&commodity=ree_concentrate", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "id,commodity,status") || strings.Count(string(b), "\n") != 4 {
		t.Errorf("csv: %s", b)
	}
	// Figures at six decimals, trailing zeros dropped (docs/origin.md):
	// no "20.000" style padding in wet_t or dry_t.
	if recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll(); err != nil || len(recs) < 2 {
		t.Errorf("csv: %v %s", err, b)
	} else {
		for _, r := range recs[1:] {
			for _, v := range r[3:5] {
				if strings.Contains(v, ".") && strings.HasSuffix(v, "0") {
					t.Errorf("lot %s: figure %q has trailing zeros", r[0], v)
				}
			}
		}
	}
	for _, q := range []string{"status=lost", "limit=0", "offset=-1", "colour=red"} {
		resp, b := do(t, "GET", ts.URL+"/api/v1/lots?"+q, viewerSecret, nil, nil)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || !strings.HasPrefix(q, p.Errors[0].Pointer) {
			t.Errorf("%s: %s", q, b)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/sites", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"unLocode": "PKKHI"`) {
		t.Errorf("sites: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/parties", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Frontier Works Organization") {
		t.Errorf("parties: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/metrics", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `critmin_http_requests_total{method="GET",route="GET /api/v1/sites",status="200"} 1`) ||
		!strings.Contains(string(b), "critmin_events_captured_total 29") {
		t.Errorf("metrics: %s", b)
	}
}

// TestOpenAPIMatchesRoutes checks that the OpenAPI document describes
// exactly the /api/v1 routes the server registers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := MustServe(t, false, nil)
	resp, b := do(t, "GET", ts.URL+"/api/v1/openapi.json", "", nil, nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &doc) != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi: %d %s", resp.StatusCode, b)
	}
	var documented, registered []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	for _, r := range ts.Routes() {
		if strings.Contains(r, " /api/v1/") {
			registered = append(registered, r)
		}
	}
	sort.Strings(documented)
	sort.Strings(registered)
	if strings.Join(documented, "\n") != strings.Join(registered, "\n") {
		t.Errorf("documented:\n%s\nregistered:\n%s", strings.Join(documented, "\n"), strings.Join(registered, "\n"))
	}
}
