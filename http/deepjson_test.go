package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/critmin/critmin/jsonstrict"
)

// TestDeepJSONBodyRefused (new-user check 14f item 3): a 20 KB body of
// 10,001 nested arrays inside a known field took half a second of CPU and
// 100 MB per request before its 400. It is refused 400 problem+json naming
// the limit (jsonstrict.MaxDepth, 64) at the pointer of the first array
// past it, on every JSON route the check named: risk/corridor (a viewer's),
// certificates/status and plans.
func TestDeepJSONBodyRefused(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for _, c := range []struct{ path, field, token string }{
		{"/api/v1/risk/corridor", "tonnes_per_year", viewerSecret},
		{"/api/v1/certificates/status", "credentialSubject", viewerSecret},
		{"/api/v1/plans", "scenarios", operatorSecret},
	} {
		body := `{"` + c.field + `":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`
		resp, b := do(t, "POST", ts.URL+c.path, c.token, []byte(body), map[string]string{"Content-Type": "application/json"})
		p := mustProblem(t, resp, b, http.StatusBadRequest)
		if len(p.Errors) == 0 || !strings.HasPrefix(p.Errors[0].Pointer, "/"+c.field+"/0/0") || !strings.Contains(p.Errors[0].Reason, "deeper than 64") {
			t.Errorf("%s: %+v; want the pointer under /%s and the limit %d named", c.path, p.Errors, c.field, jsonstrict.MaxDepth)
		}
	}
}
