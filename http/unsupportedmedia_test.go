package http_test

import (
	"regexp"
	"strings"
	"testing"
)

// Every JSON route of the API given a body of another media type answers
// 415 Unsupported Media Type naming Content-Type, never 400: the body may
// be well formed, it is its declared type the route does not take (RFC
// 9110 §15.5.16), as capture and the EPCIS queries already answer. The
// walk covers every registered POST, PUT and PATCH route under /api/ and
// /epcis/, so a new JSON route is held to it.
func TestJSONRoutesUnsupportedMediaType(t *testing.T) {
	ts := MustServe(t, false, nil)
	param := regexp.MustCompile(`\{[^}]+\}`)
	n := 0
	for _, pattern := range ts.Server.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || (method != "POST" && method != "PUT" && method != "PATCH") || !(strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/epcis/")) {
			continue
		}
		url := ts.URL + param.ReplaceAllString(strings.TrimSuffix(path, "{$}"), "x")
		resp, b := do(t, method, url, adminSecret, []byte(`{}`), map[string]string{"Content-Type": "text/plain"})
		if strings.Contains(string(b), `"pointer":"Content-Type"`) || strings.Contains(string(b), `"pointer": "Content-Type"`) {
			n++
			if resp.StatusCode != 415 {
				t.Errorf("%s as text/plain: %d %s; want 415", pattern, resp.StatusCode, b)
			}
		} else if resp.StatusCode == 400 && strings.Contains(string(b), "Content-Type") {
			t.Errorf("%s as text/plain: %d %s; want 415", pattern, resp.StatusCode, b)
		}
	}
	if n < 10 {
		t.Errorf("only %d JSON routes refused text/plain; the walk found too few", n)
	}
}
