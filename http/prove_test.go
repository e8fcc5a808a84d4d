package http_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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
	if resp.StatusCode != 200 || json.Unmarshal(b, &tr) != nil || len(tr.Nodes) != 4 || len(tr.Edges) != 4 {
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
	resp, cert := do(t, "GET", ts.URL+nd+"/certificate", "", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("certificate: %d", resp.StatusCode)
	}
	if _, err := custody.VerifyCertificate(cert, pub, nil); err != nil {
		t.Errorf("served certificate does not verify with the served key: %v", err)
	}
}

// TestBrowserProvePages reads the lot page's genealogy, origin and rule
// verdicts, and the printable certificate, in Chromium.
func TestBrowserProvePages(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("lot page", chromedp.Navigate(ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")), chromedp.WaitVisible(chromedp.CSS("#genealogy-graph")))
	if n := p.count("#genealogy-graph rect.node"); n != 4 {
		t.Errorf("genealogy graph has %d nodes; want the oxide, two concentrates, one container", n)
	}
	if n := p.count("#genealogy-graph path.edge.transformation"); n != 2 {
		t.Errorf("%d transformation edges", n)
	}
	if o := p.text("#origin-table"); !strings.Contains(o, "Pakistan") || !strings.Contains(o, "100 %") {
		t.Errorf("origin table: %q", o)
	}
	if v := p.text("#verdicts"); strings.Count(v, "pass") != 4 {
		t.Errorf("verdicts: %q", v)
	}
	p.do("certificate", chromedp.Click(chromedp.CSS("#certificate-link")), chromedp.WaitVisible(chromedp.CSS("#cert-provenance")))
	if prov := p.text("#cert-provenance"); !strings.Contains(prov, "Pakistan") || !strings.Contains(prov, "Nd") {
		t.Errorf("certificate provenance: %q", prov)
	}
	if n := p.count("#cert-events tr"); n < 5 {
		t.Errorf("certificate lists %d event rows", n)
	}
}
