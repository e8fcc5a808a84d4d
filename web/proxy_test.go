package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	critminhttp "github.com/critmin/critmin/http"
)

// sessionCookie signs in over plain HTTP with the given forwarded
// headers and returns the session cookie's Set-Cookie line.
func sessionCookie(t *testing.T, ts *testServer, hdr map[string]string) string {
	t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
	for k, v := range hdr {
		h[k] = v
	}
	resp, body := send(t, "POST", ts.URL+"/login", []byte(url.Values{"token": {viewerSecret}, "next": {"/"}}.Encode()), h)
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, critminhttp.SessionCookie+"=") {
			return c
		}
	}
	t.Fatalf("no session cookie: %d %.300s", resp.StatusCode, body)
	return ""
}

// The session cookie is Secure when a trusted proxy (serve
// --trusted-proxy) says the client came over https, and not when the same
// header comes from a peer outside the trusted networks (anyone can send
// it); X-Forwarded-For from a trusted proxy names the client for the rate
// limit of expensive routes, and from an untrusted peer is ignored.
func TestTrustedProxy(t *testing.T) {
	https := map[string]string{"X-Forwarded-Proto": "https"}
	cases := []struct {
		name    string
		trusted string
		secure  bool
		// perClient: the rate limit counts the forwarded client, so a
		// second client is not throttled by the first one's burst.
		perClient bool
	}{
		{"no trusted proxy", "", false, false},
		{"peer not trusted", "10.0.0.0/8,192.168.1.1", false, false},
		{"peer trusted", "127.0.0.0/8", true, true},
		{"peer trusted, one address", "127.0.0.1", true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := MustServe(t, true, nil)
			proxies, err := critminhttp.ParseTrustedProxies(c.trusted)
			if err != nil {
				t.Fatal(err)
			}
			ts.SetTrustedProxies(proxies)
			if got := strings.Contains(sessionCookie(t, ts, https), "; Secure"); got != c.secure {
				t.Errorf("X-Forwarded-Proto: https → Secure %v, want %v", got, c.secure)
			}
			if strings.Contains(sessionCookie(t, ts, nil), "; Secure") {
				t.Error("plain HTTP without the header: cookie is Secure")
			}
			// Anonymous stockpile runs (public reads) for client .5 until
			// its bucket (ExpensiveBurst, refilled at ExpensiveRate) is
			// empty, then one for client .6.
			run := func(client string) int {
				resp, _ := send(t, "POST", ts.URL+"/api/v1/risk/stockpile", []byte(`{`), map[string]string{"Content-Type": "application/json", "X-Forwarded-For": "198.51.100.9, " + client})
				return resp.StatusCode
			}
			throttled := false
			for i := 0; i < 10*critminhttp.ExpensiveBurst && !throttled; i++ {
				throttled = run("203.0.113.5") == http.StatusTooManyRequests
			}
			if !throttled {
				t.Fatalf("client .5 never throttled")
			}
			// Three requests for .6 at once: with its own bucket none is
			// throttled; sharing .5's empty one (headers ignored), the
			// bucket refills one token a second, so at least one is.
			limited := 0
			for range 3 {
				if run("203.0.113.6") == http.StatusTooManyRequests {
					limited++
				}
			}
			if (limited > 0) == c.perClient {
				t.Errorf("another forwarded client: %d of 3 requests throttled (per-client limit %v)", limited, c.perClient)
			}
		})
	}
	if _, err := critminhttp.ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad CIDR is accepted")
	}
}
