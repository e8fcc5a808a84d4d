package http_test

import (
	"strings"
	"testing"
)

// TestRefusalHintsAreAccepted (issue 14, new-user check): a refusal
// whose hint suggests a value the same field refuses. step=1e-400 on the
// NSR comparison said "give 0 or a larger number: give a per-cent step in
// (0, 100)" — 0 is refused there; step=abc offered "-2.5" as an example;
// a mass-balance conversionFactor of 1e-400 said "give 0" where the
// factor must be above 0. Each reason here must not suggest the values
// listed, and each such value, sent, must indeed be refused (so the test
// fails if the field's range changes and the list goes stale).
func TestRefusalHintsAreAccepted(t *testing.T) {
	ts := MustServe(t, true, nil)
	nsr := "/api/v1/trade/nsr?grades=Nd:1%25&step="
	mb := "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance"
	for _, c := range []struct {
		method, path, body, field string
		refused                   []string // values the field refuses, never to be suggested
		suggests                  []string // how a suggestion of each reads
	}{
		{"GET", nsr + "1e-400", "", "step", []string{"0", "-2.5"}, []string{"give 0", "-2.5"}},
		{"GET", nsr + "abc", "", "step", []string{"0", "-2.5"}, []string{"give 0", "-2.5"}},
		{"PUT", mb, `{"categories":[{"id":"a","conversionFactor":1e-400}],"periods":[]}`, "/categories/0/conversionFactor", nil, []string{"give 0"}},
	} {
		resp, b := do(t, c.method, ts.URL+c.path, adminSecret, []byte(c.body), jsonCT)
		p := mustProblem(t, resp, b, 400)
		for _, e := range p.Errors {
			if e.Pointer != c.field {
				continue
			}
			for _, s := range c.suggests {
				if strings.Contains(e.Reason, s) {
					t.Errorf("%s %s: %s: %q suggests %q, which the field refuses", c.method, c.path, c.field, e.Reason, s)
				}
			}
		}
		for _, v := range c.refused {
			resp, b := do(t, "GET", ts.URL+nsr+v, adminSecret, nil, nil)
			mustProblem(t, resp, b, 400)
		}
	}
}
