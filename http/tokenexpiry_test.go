package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	critminhttp "github.com/critmin/critmin/http"
)

// TestTokenExpiryAtLeastAMinute (new-user check 14f item 9): "token
// create --expires 1ns" and "expires_in":"1ns" made a token already
// expired and printed its secret. An expiry under
// critminhttp.MinTokenLifetime (1 minute) is refused naming the field; a
// minute exactly is the shortest accepted. POST /api/v1/tokens refuses
// "1ns" and "59s" and stores no token.
func TestTokenExpiryAtLeastAMinute(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ at, in, field string }{
		{"", "1ns", "expires_in"},
		{"", "1ms", "expires_in"},
		{"", "59s", "expires_in"},
		{"2026-11-30T12:00:30Z", "", "expires_at"},
		{"2026-11-30T11:00:00Z", "", "expires_at"},
	} {
		_, err := critminhttp.ParseExpiry(c.at, c.in, now)
		if err == nil || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), "at least a minute") {
			t.Errorf("at %q in %q: %v; want refused naming %s", c.at, c.in, err, c.field)
		}
	}
	if got, err := critminhttp.ParseExpiry("", "1m", now); err != nil || !got.Equal(now.Add(time.Minute)) {
		t.Errorf("1m: %v %v", got, err)
	}
	if got, err := critminhttp.ParseExpiry("2026-11-30T12:01:00Z", "", now); err != nil || !got.Equal(now.Add(time.Minute)) {
		t.Errorf("a minute from now: %v %v", got, err)
	}
	ts := MustServe(t, false, nil)
	for _, in := range []string{"1ns", "59s"} {
		resp, b := do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, []byte(`{"name": "short-`+strings.TrimSuffix(in, "s")+`", "role": "viewer", "expires_in": "`+in+`"}`), map[string]string{"Content-Type": "application/json"})
		if p := mustProblem(t, resp, b, http.StatusBadRequest); len(p.Errors) != 1 || p.Errors[0].Pointer != "/expires_in" {
			t.Errorf("%s: %+v", in, p.Errors)
		}
	}
	toks, err := ts.Store.ListTokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if strings.HasPrefix(tk.Name, "short-") {
			t.Errorf("refused token %s stored", tk.Name)
		}
	}
}
