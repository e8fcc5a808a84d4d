package http_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestDeclarationTypeErrorPointer (issue 9): a value of the wrong JSON
// type inside a list is named with its list index: a string
// conversionFactor in the second category is /categories/1/
// conversionFactor, not /categories/conversionFactor; one in a period's
// from (a number) is /periods/1/from.
func TestDeclarationTypeErrorPointer(t *testing.T) {
	ts := MustServe(t, true, nil)
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	two := `{"method": "credit", "carryForward": 1,
	 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9},
	                {"id": "sb", "inputs": ["antimony_ore"], "product": "antimony_trioxide", "elements": ["Sb"], "conversionFactor": "0.8"}],
	 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}]}`
	for _, tc := range []struct{ name, body, field string }{
		{"string factor", two, "/categories/1/conversionFactor"},
		{"first category", strings.Replace(two, `"conversionFactor": 0.9`, `"conversionFactor": "0.9"`, 1), "/categories/0/conversionFactor"},
		{"number date", strings.Replace(strings.Replace(two, `"from": "2025-11-01"`, `"from": 20251101`, 1), `"0.8"`, `0.8`, 1), "/periods/1/from"},
		{"object for a list", strings.Replace(two, `"elements": ["Sb"]`, `"elements": {"Sb": 1}`, 1), "/categories/1/elements"},
	} {
		resp, b := do(t, "PUT", base, operatorSecret, []byte(tc.body), map[string]string{"Content-Type": "application/json"})
		if p := mustProblem(t, resp, b, 400); len(p.Errors) == 0 || p.Errors[0].Pointer != tc.field {
			t.Errorf("%s: %s, want pointer %s", tc.name, b, tc.field)
		}
	}
}
