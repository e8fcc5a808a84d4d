package http_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/storetest"
)

// TestLotGetUnmade (issue 8 §2, fixIi): a lot whose only commissioning
// is declared in error, though the run that fed on it stands, is not in
// the record: GET /api/v1/lots/{id} answers 410 naming the declaration,
// not 200 "consumed" with no owner.
func TestLotGetUnmade(t *testing.T) {
	ts := MustServe(t, true, nil)
	for _, d := range storetest.UnmadeLotDocuments {
		if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(d), nil); resp.StatusCode != 202 {
			t.Fatalf("capture: %d %s", resp.StatusCode, b)
		}
	}
	lot := ts.URL + "/api/v1/lots/" + url.PathEscape("urn:t:lot:U")
	// The lot, its trace, origin and verdicts read 410 alike, and no
	// certificate is signed for it (nu34: the POST signed one for 0 t
	// resting on no event, which verify-cert then passed).
	for _, c := range []struct{ method, url, secret string }{
		{"GET", lot, ""}, {"GET", lot + "/trace", ""}, {"GET", lot + "/origin", ""}, {"GET", lot + "/rules", ""},
		{"GET", lot + "/certificate", ""}, {"POST", lot + "/certificate", operatorSecret},
	} {
		resp, b := do(t, c.method, c.url, c.secret, nil, nil)
		p := mustProblem(t, resp, b, 410)
		for _, want := range []string{"urn:t:lot:U", "is not in the record", "urn:t:ev:U1", "declared in error at 2025-10-20", "incorrect_data"} {
			if !strings.Contains(p.Detail, want) {
				t.Errorf("%s %s: 410 detail %q does not name %q", c.method, c.url, p.Detail, want)
			}
		}
	}
	// The run's product stands: its origin answers 200.
	if resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:UP")+"/origin", "", nil, nil); resp.StatusCode != 200 {
		t.Errorf("product origin: %d %s", resp.StatusCode, b)
	}
}
