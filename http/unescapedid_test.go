package http_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestUnescapedIdentifierInPath (issue 9, second new-user check, 7): a
// Digital Link site put into a path without escaping
// (/api/v1/sites/https://id.gs1.org/414/4012345000085/mass-balance) was
// answered by a bare 307 the client could not follow with its body; it is
// a 400 naming the path and how to escape it. The escaped path still
// reaches the handler (a declaration with no categories: 400 naming
// /categories, not the path).
func TestUnescapedIdentifierInPath(t *testing.T) {
	ts := MustServe(t, true, nil)
	body := []byte(`{"method": "credit", "categories": [], "periods": []}`)
	h := map[string]string{"Content-Type": "application/json"}
	resp, b := do(t, "PUT", ts.URL+"/api/v1/sites/https://id.gs1.org/414/4012345000085/mass-balance", operatorSecret, body, h)
	if p := mustProblem(t, resp, b, 400); len(p.Errors) == 0 || p.Errors[0].Pointer != "path" || !strings.Contains(p.Errors[0].Reason, "https%3A%2F%2Fid.gs1.org") {
		t.Errorf("unescaped Digital Link: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "PUT", ts.URL+"/api/v1/sites/"+url.PathEscape("https://id.gs1.org/414/4012345000085")+"/mass-balance", operatorSecret, body, h)
	if p := mustProblem(t, resp, b, 400); len(p.Errors) == 0 || p.Errors[0].Pointer == "path" {
		t.Errorf("escaped Digital Link: %d %s", resp.StatusCode, b)
	}
}
