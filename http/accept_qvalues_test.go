package http

import "testing"

// TestNegotiateMediaQValues: the Accept header is weighed as RFC 9110
// §12.5.1 says — each offered type takes the q of the most specific range
// that matches it, q=0 excludes, the highest weight wins (then the
// client's order, then the server's).
func TestNegotiateMediaQValues(t *testing.T) {
	for _, c := range []struct {
		accept string
		want   string // "" = not acceptable (406)
	}{
		{"", "application/ld+json"},
		{"*/*", "application/ld+json"},
		{"application/xml", "application/xml"},
		{"text/xml", "text/xml"},
		{"application/json", "application/json"},
		// The user's case: XML weighed 0.1, JSON 1.
		{"application/xml;q=0.1, application/json", "application/json"},
		{"application/xml;q=0.9, application/json;q=0.5", "application/xml"},
		// q=0 means not acceptable.
		{"application/xml;q=0", ""},
		{"application/xml;q=0, application/json;q=0, application/ld+json;q=0, text/xml;q=0", ""},
		{"application/xml;q=0, */*", "application/ld+json"},
		{"application/json;q=0, application/ld+json;q=0, */*;q=0.2", "application/xml"},
		// A specific range overrides a wildcard: */* at 1 beats XML at 0.9.
		{"application/xml;q=0.9, */*", "application/ld+json"},
		{"*/*;q=0.1, application/xml", "application/xml"},
		// text/* matches text/xml only.
		{"text/*, application/json;q=0.5", "text/xml"},
		{"text/html", ""},
		{"text/html, application/xml;q=0.001", "application/xml"},
		// Equal weights: the client's order.
		{"application/xml, application/json", "application/xml"},
		{"application/json, application/xml", "application/json"},
		// Case and spaces are not significant; a parameter does not hide
		// the type.
		{"Application/XML ; Q=0.5 , application/json;charset=utf-8;q=0.4", "application/xml"},
		// An element with a q that is no qvalue (RFC 9110 §12.4.2: 0 to 1,
		// three decimals at most) is left out, the rest still count.
		{"application/xml;q=2, application/json;q=0.3", "application/json"},
		{"application/xml;q=0.0001, application/json;q=0.3", "application/json"},
		{"application/xml;q=abc", "application/ld+json"},
	} {
		got, ok := negotiateMedia(c.accept, queryResultTypes)
		if !ok {
			got = ""
		}
		if got != c.want {
			t.Errorf("Accept %q: %q, want %q", c.accept, got, c.want)
		}
	}
}
