package http_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestEPCISOptions: OPTIONS on every /epcis path answers 204 without a
// token, its Allow naming OPTIONS and every method registered on the path,
// with the discovery headers of the EPCIS 2.0 REST binding (OpenAPI
// components/responses 204CaptureEndpointDiscovery and
// 204DefaultDiscoveryResponse).
func TestEPCISOptions(t *testing.T) {
	ts := MustServe(t, false, &ledger.Limits{MaxEvents: 7, MaxBytes: 12345})
	methods := map[string][]string{}
	for _, r := range ts.Routes() {
		m, p, _ := strings.Cut(r, " ")
		if p == "/epcis" || strings.HasPrefix(p, "/epcis/") {
			methods[p] = append(methods[p], m)
		}
	}
	if len(methods) < 10 {
		t.Fatalf("only %d /epcis paths registered: %v", len(methods), methods)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for path, ms := range methods {
		if !contains(ms, "OPTIONS") {
			t.Errorf("%s has no OPTIONS route (methods %v)", path, ms)
			continue
		}
		// An eventID with characters a URN carries.
		u := ts.URL + param.ReplaceAllString(path, "urn:uuid:6f7f1f30-0000-4000-8000-000000000001")
		resp, body := do(t, "OPTIONS", u, "", nil, nil)
		if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
			t.Errorf("OPTIONS %s: %d %q", path, resp.StatusCode, body)
			continue
		}
		allow := strings.Split(resp.Header.Get("Allow"), ", ")
		for _, m := range ms {
			if !contains(allow, m) {
				t.Errorf("OPTIONS %s: Allow %q lacks %s", path, resp.Header.Get("Allow"), m)
			}
		}
		if len(allow) != len(ms) {
			t.Errorf("OPTIONS %s: Allow %q, registered %v", path, resp.Header.Get("Allow"), ms)
		}
		want := map[string]string{
			"GS1-EPCIS-Version": "2.0.0", "GS1-EPCIS-Min": "2.0.0", "GS1-EPCIS-Max": "2.0.0",
			"GS1-CBV-Version": "2.0.0", "GS1-CBV-Min": "2.0.0", "GS1-CBV-Max": "2.0.0",
			"GS1-Extensions":          "cm=" + ledger.Namespace,
			"GS1-EPCIS-Capture-Limit": "7", "GS1-EPCIS-Capture-File-Size-Limit": "12345",
			"GS1-Capture-Error-Behaviour": "rollback, proceed",
		}
		for h, v := range want {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("OPTIONS %s: %s = %q, want %q", path, h, got, v)
			}
		}
	}
	if got := strings.Join(methods["/epcis/capture"], " "); !strings.Contains(got, "POST") || !strings.Contains(got, "GET") {
		t.Errorf("/epcis/capture methods %q", got)
	}
}
