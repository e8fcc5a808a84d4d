package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTokenNameRefusesControlAndBidi: names with a newline, NUL, ESC, a
// right-to-left override (U+202E) or a zero-width joiner could spoof the
// token listing; each is refused with a 400 naming the field.
func TestTokenNameRefusesControlAndBidi(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for _, name := range []string{"a\nadmin  admin", "nul\x00x", "esc\x1b[2J", "evil\u202etxt.exe", "zw\u200dj", "ls\u2028x"} {
		body, _ := json.Marshal(map[string]string{"name": name, "role": "viewer"})
		resp, b := do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, body, jsonCT)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Pointer, "name") || !strings.Contains(p.Errors[0].Reason, "control, format or bidirectional") {
			t.Errorf("name %q: %s", name, b)
		}
	}
	// An ordinary non-ASCII name is still accepted.
	resp, b := do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, []byte(`{"name": "Tōkyō port – ops", "role": "viewer"}`), jsonCT)
	if resp.StatusCode != 201 {
		t.Errorf("plain non-ASCII name: %d %s", resp.StatusCode, b)
	}
}

// TestTokenExpiryErrors: body errors are RFC 6901 pointers ("/name",
// "/expires_in") and each expiry refusal gives its real reason.
func TestTokenExpiryErrors(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for _, c := range []struct{ body, pointer, reason string }{
		{`{"name": "a", "role": "viewer", "expires_in": "-5h"}`, "/expires_in", "not after now"},
		{`{"name": "a", "role": "viewer", "expires_in": "999999999h"}`, "/expires_in", "too long"},
		{`{"name": "a", "role": "viewer", "expires_in": "100000h"}`, "/expires_in", "too long"},
		{`{"name": "a", "role": "viewer", "expires_in": "soon"}`, "/expires_in", "not a duration"},
		{`{"name": "a", "role": "viewer", "expires_at": "tomorrow"}`, "/expires_at", "RFC 3339"},
		{`{"name": "a", "role": "viewer", "expires_at": "2001-01-01T00:00:00Z"}`, "/expires_at", "future"},
		{`{"name": "", "role": "viewer"}`, "/name", "1 to 64"},
		// nu14 item 8: "." and ".." are resolved away in /tokens/NAME/revoke
		// and "/" splits it, so such a token could not be revoked there.
		{`{"name": ".", "role": "viewer"}`, "/name", "must not be . or .."},
		{`{"name": "..", "role": "viewer"}`, "/name", "must not be . or .."},
		{`{"name": "a/b", "role": "viewer"}`, "/name", "contain /"},
		// nu14 cosmetic: expires_at is capped like expires_in (10 years).
		{`{"name": "a", "role": "viewer", "expires_at": "9999-12-31T23:59:59Z"}`, "/expires_at", "too far ahead"},
	} {
		resp, b := do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, []byte(c.body), jsonCT)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != c.pointer || !strings.Contains(p.Errors[0].Reason, c.reason) {
			t.Errorf("%s: %s; want %s: …%s…", c.body, b, c.pointer, c.reason)
		}
		// One wording for every field (issue 14, new-user check: 'invalid
		// token request: field "name" …' beside 'field "expires_in" …').
		want := `field "` + c.pointer[1:] + `" (` + c.pointer + `): `
		if !strings.HasPrefix(p.Detail, want) {
			t.Errorf("%s: detail %q; want it to begin %q", c.body, p.Detail, want)
		}
	}
}

// TestQueryBodyTooLargeType: a named query over its 64 KiB limit is a 413
// of the plain HTTP type, not capture's CaptureLimitExceededException.
func TestQueryBodyTooLargeType(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	big := []byte(`{"name": "q", "query": {"EQ_bizStep": ["` + strings.Repeat("x", 70<<10) + `"]}}`)
	resp, b := do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, big, jsonCT)
	if p := mustProblem(t, resp, b, 413); p.Type != "about:blank" || !strings.Contains(p.Detail, "65,536") {
		t.Errorf("oversized named query: %s", b)
	}
}

// TestCaptureTrailingTextDetail: a capture body with text after the JSON
// document is refused with a detail that begins with the reason, not ": ".
func TestCaptureTrailingTextDetail(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": []}} garbage`
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), map[string]string{"Content-Type": "application/ld+json"})
	if resp.StatusCode != 400 && resp.StatusCode != 202 {
		t.Fatalf("trailing text: %d %s", resp.StatusCode, b)
	}
	if strings.Contains(string(b), `"detail":": `) || strings.Contains(string(b), `"detail": ": `) {
		t.Errorf("detail begins with an empty pointer: %s", b)
	}
	if resp.StatusCode == 202 {
		t.Errorf("trailing text accepted: %s", b)
	}
	if !strings.Contains(string(b), "data after the end of the document") {
		t.Errorf("detail does not say why: %s", b)
	}
}

// TestQueryNumbersStrict: GE_quantity=1_000 (and hex, Inf) are refused
// naming the parameter rather than read as numbers.
func TestQueryNumbersStrict(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for _, v := range []string{"1_000", "0x1p3", "Inf"} {
		resp, b := do(t, "GET", ts.URL+"/epcis/events?GE_quantity="+v, viewerSecret, nil, nil)
		if p := mustProblem(t, resp, b, 400); len(p.Errors) == 0 || p.Errors[0].Pointer != "GE_quantity" {
			t.Errorf("GE_quantity=%s: %s", v, b)
		}
	}
	if resp, b := do(t, "GET", ts.URL+"/epcis/events?GE_quantity=1000", viewerSecret, nil, nil); resp.StatusCode != 200 {
		t.Errorf("GE_quantity=1000: %d %s", resp.StatusCode, b)
	}
}
