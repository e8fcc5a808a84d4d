package http_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
)

func TestProveAPI(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	nd := "/api/v1/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")
	resp, b := do(t, "GET", ts.URL+nd+"/trace?depth=3", "", nil, nil)
	var tr struct {
		Nodes []struct{ ID string } `json:"nodes"`
		Edges []struct {
			Kind         string   `json:"kind"`
			FromQuantity *float64 `json:"fromQuantity"`
		} `json:"edges"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &tr) != nil || len(tr.Nodes) != 5 || len(tr.Edges) != 5 {
		// The oxide, two concentrates, their container and the voyage (bill of
		// lading KHI-HOU-2025-0901); two feeds, two packings, one shipping.
		t.Errorf("trace: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+nd+"/trace?direction=up", "", nil, nil)
	if p := mustProblem(t, resp, b, 400); p.Errors[0].Pointer != "direction" {
		t.Errorf("bad direction: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+nd+"/origin", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"key": "PAK"`) || !strings.Contains(string(b), `"share": 1`) {
		t.Errorf("origin: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+nd+"/origin?format=csv", "", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "lot,quantity,dimension,key,name,tonnes,share") {
		t.Errorf("origin CSV: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+nd+"/rules", "", nil, nil)
	if resp.StatusCode != 200 || strings.Count(string(b), `"status": "pass"`) != 4 {
		t.Errorf("rules: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:no:lot")+"/origin", "", nil, nil)
	mustProblem(t, resp, b, 404)
	_, kb := do(t, "GET", ts.URL+"/api/v1/signing-key", "", nil, nil)
	var key struct{ PublicKey string }
	if json.Unmarshal(kb, &key) != nil {
		t.Fatalf("signing key: %s", kb)
	}
	pub, err := custody.ParsePublicKey(key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	resp, cert := do(t, "POST", ts.URL+nd+"/certificate", operatorSecret, nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("certificate: %d", resp.StatusCode)
	}
	if _, err := custody.VerifyCertificate(cert, pub, nil); err != nil {
		t.Errorf("served certificate does not verify with the served key: %v", err)
	}
}
