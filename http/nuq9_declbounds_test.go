package http_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestDeclarationBoundsRefused (nuq9): a mass-balance declaration whose
// conversion factor is absurdly small (1e-320, a subnormal; 0.0005, below
// critmin.MinConversionFactor 0.001), whose claim periods leave a gap while
// credits carry forward is refused with a 400 naming the
// member by its JSON pointer and the reason; nothing is stored (the site's
// versions, counted before and after, stay none).
func TestDeclarationBoundsRefused(t *testing.T) {
	ts := MustServe(t, true, nil)
	site := "urn:t:site:mbq9"
	base := ts.URL + "/api/v1/sites/" + url.PathEscape(site) + "/mass-balance"
	cat := `{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": FACTOR}`
	oct := `{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}`
	versions := func() int {
		vs, err := ts.Store.MassBalanceVersions(context.Background(), site)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return len(vs)
	}
	for _, tc := range []struct {
		name, factor, carry, periods, pointer string
		words                                 []string
	}{
		{"subnormal factor", "1e-320", "1", oct, "/categories/0/conversionFactor", []string{"1e-320", "below the minimum 0.001"}},
		{"factor under the minimum", "0.0005", "1", oct, "/categories/0/conversionFactor", []string{"0.0005", "below the minimum 0.001"}},
		{"factor above 1", "1.166", "1", oct, "/categories/0/conversionFactor", []string{"1.166 is outside (0, 1]"}},
		// October ends 2025-11-01; the next period starts 2025-12-01: a
		// month no period holds, across which carry-forward 1 would keep
		// October's credit usable (carry-forward counts declared periods).
		{"gap while credits carry forward", "0.9", "1", oct + `, {"id": "2025-12", "from": "2025-12-01", "to": "2026-01-01"}`, "/periods/1/from",
			[]string{"2025-12-01", "period \"2025-10\" ends on 2025-11-01", "carryForward 1", "contiguous"}},
		// 2025-01-01 to 2125-01-01: 100 × 365 + 24 leap days (2028…2124, not 2100) = 36 524 days.
	} {
		body := `{"method": "credit", "carryForward": ` + tc.carry + `, "categories": [` + strings.Replace(cat, "FACTOR", tc.factor, 1) + `], "periods": [` + tc.periods + `]}`
		before := versions()
		resp, out := do(t, "PUT", base, operatorSecret, []byte(body), map[string]string{"Content-Type": "application/json"})
		p := mustProblem(t, resp, out, 400)
		found := false
		for _, e := range p.Errors {
			ok := e.Pointer == tc.pointer
			for _, w := range tc.words {
				ok = ok && strings.Contains(e.Reason, w)
			}
			found = found || ok
		}
		if !found {
			t.Errorf("%s: no error at %s naming %q: %s", tc.name, tc.pointer, tc.words, out)
		}
		if after := versions(); after != before {
			t.Errorf("%s: %d versions stored by a refused declaration", tc.name, after-before)
		}
	}
}
