package http_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestDeclarationZeroFactorNotMissing (issue 9, new-user check): a
// category stating "conversionFactor": 0 is refused as out of (0, 1] —
// its own reason, naming the field — not reported "missing"; a category
// without the field is the one reported missing. Neither is stored.
func TestDeclarationZeroFactorNotMissing(t *testing.T) {
	ts := MustServe(t, true, nil)
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb0") + "/mass-balance"
	body := `{"method": "credit", "carryForward": 1,
	 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9},
	                {"id": "sb", "inputs": ["antimony_ore"], "product": "antimony_trioxide", "elements": ["Sb"], FACTOR}],
	 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`
	for _, tc := range []struct{ name, factor, want, not string }{
		{"zero", `"conversionFactor": 0`, "0 is outside (0, 1]", "missing"},
		{"zero as 0.0", `"conversionFactor": 0.0`, "0 is outside (0, 1]", "missing"},
		{"absent", `"note": null`, "missing (required)", "outside"},
		{"null", `"conversionFactor": null`, "missing (required)", "outside"},
	} {
		b := strings.Replace(body, "FACTOR", tc.factor, 1)
		if tc.name == "absent" {
			b = strings.Replace(body, `, FACTOR`, "", 1)
		}
		resp, out := do(t, "PUT", base, operatorSecret, []byte(b), map[string]string{"Content-Type": "application/json"})
		p := mustProblem(t, resp, out, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != "/categories/1/conversionFactor" || !strings.Contains(p.Errors[0].Reason, tc.want) || strings.Contains(p.Errors[0].Reason, tc.not) {
			t.Errorf("%s: %s, want /categories/1/conversionFactor %q", tc.name, out, tc.want)
		}
	}
	resp, out := do(t, "GET", base, operatorSecret, nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("a refused declaration was stored: %d %s", resp.StatusCode, out)
	}
}
