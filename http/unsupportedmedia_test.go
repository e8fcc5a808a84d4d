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

// TestAPIJSONRoutesRefuseLDJSON (issue 14, new-user check: POST
// /api/v1/risk/stockpile accepted application/ld+json; the JSON routes
// require application/json): every POST/PUT/PATCH route under /api/
// refuses application/ld+json (and any other +json) with a 415 naming
// Content-Type; EPCIS capture still takes application/ld+json.
func TestAPIJSONRoutesRefuseLDJSON(t *testing.T) {
	ts := MustServe(t, false, nil)
	param := regexp.MustCompile(`\{[^}]+\}`)
	n := 0
	for _, pattern := range ts.Server.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || (method != "POST" && method != "PUT" && method != "PATCH") || !strings.HasPrefix(path, "/api/") {
			continue
		}
		url := ts.URL + param.ReplaceAllString(strings.TrimSuffix(path, "{$}"), "x")
		for _, ct := range []string{"application/ld+json", "application/vnd.other+json"} {
			if ct == "application/ld+json" && strings.HasPrefix(path, "/api/v1/certificates/") {
				continue // a certificate is JSON-LD (TestCertificateVerify… send it so)
			}
			resp, b := do(t, method, url, adminSecret, []byte(`{}`), map[string]string{"Content-Type": ct})
			if resp.StatusCode == 415 {
				n++
				continue
			}
			// A 400 on a body field (a JSON Pointer) means the body was
			// read as JSON; routes that take no body ("takes no body")
			// or only query parameters answer about those instead.
			if strings.Contains(string(b), "Content-Type") || resp.StatusCode < 300 || (resp.StatusCode == 400 && strings.Contains(string(b), `"pointer":"/`)) {
				t.Errorf("%s as %s: %d %s; want 415 naming Content-Type", pattern, ct, resp.StatusCode, b)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d refusals of +json types; the walk found too few", n)
	}
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", adminSecret, []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-20T08:00:00Z", "epcisBody": {"eventList": []}}`), map[string]string{"Content-Type": "application/ld+json"})
	if resp.StatusCode == 415 {
		t.Errorf("capture as application/ld+json: %d %s; want it read", resp.StatusCode, b)
	}
}
