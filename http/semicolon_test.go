package http_test

import (
	"strings"
	"testing"
)

// TestSemicolonInQueryIsQueryParameterProblem (issue 14, fix14 item 5):
// a ";" in a query string was refused with the generic
// ValidationException on /epcis, and "a;b" named as the parameter. It is
// now the binding's QueryParameterException on /epcis (a 400 naming the
// parameter before the ";" and saying what to write instead), and on
// /api a 400 naming it the same way; a bad %-escape alike.
func TestSemicolonInQueryIsQueryParameterProblem(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, true, nil)
	for _, c := range []struct{ method, path, typ, param, reason string }{
		{"GET", "/epcis/events?EQ_bizStep=shipping;x=1", "epcisException:QueryParameterException", "EQ_bizStep", `contains ";"`},
		{"GET", "/epcis/events?a;b", "epcisException:QueryParameterException", "a", `contains ";"`},
		{"GET", "/epcis/events?perPage=2&MATCH_epc=x;y", "epcisException:QueryParameterException", "MATCH_epc", `write a ";" inside a value as %3B`},
		{"GET", "/epcis/events?EQ_bizStep=%zz", "epcisException:QueryParameterException", "EQ_bizStep", `invalid URL escape "%zz"`},
		{"GET", "/api/v1/lots?status=a;b", "about:blank", "status", `contains ";"`},
		{"POST", "/api/v1/risk/stockpile?x=1;y=2", "about:blank", "x", `contains ";"`},
	} {
		resp, b := do(t, c.method, ts.URL+c.path, viewerSecret, []byte(`{}`), jsonCT)
		p := mustProblem(t, resp, b, 400)
		if p.Type != c.typ || len(p.Errors) != 1 || p.Errors[0].Pointer != c.param ||
			!strings.Contains(p.Errors[0].Reason, "malformed query parameter") || !strings.Contains(p.Errors[0].Reason, c.reason) {
			t.Errorf("%s %s: %s; want %s naming %q (%s)", c.method, c.path, b, c.typ, c.param, c.reason)
		}
	}
}

// TestEmptyParameterNameNamed (issue 14, new-user check: "?=5" on
// /api/v1/lots answered '": unknown query parameter (…)"', naming nobody):
// a parameter with an empty name is refused on every route — API, EPCIS
// query, page — as "an empty parameter name", before any route's check.
func TestEmptyParameterNameNamed(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, true, nil)
	for _, c := range []struct{ method, path, typ string }{
		{"GET", "/api/v1/lots?=5", "about:blank"},
		{"GET", "/api/v1/lots?status=active&=", "about:blank"},
		{"GET", "/epcis/events?=5", "epcisException:QueryParameterException"},
		{"POST", "/api/v1/risk/stockpile?=1", "about:blank"},
	} {
		resp, b := do(t, c.method, ts.URL+c.path, viewerSecret, []byte(`{}`), jsonCT)
		p := mustProblem(t, resp, b, 400)
		if p.Type != c.typ || len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Reason, "an empty parameter name") ||
			strings.HasPrefix(p.Detail, ":") || strings.HasPrefix(p.Detail, `"`) {
			t.Errorf("%s %s: %s; want %s naming an empty parameter name", c.method, c.path, b, c.typ)
		}
	}
}
