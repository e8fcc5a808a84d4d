package http_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestDeclarationKeysCaseSensitive (issue 9, new-user check):
// encoding/json matches keys case-insensitively and keeps the last
// spelling, so a declaration with "conversionfactor": 0.5 beside
// "conversionFactor": 0.9 was stored at 0.5. The API refuses a key in
// the wrong case and a key stated twice, naming it by its JSON Pointer;
// nothing is stored. Other bodies read by the shared decoder (a token
// request) are held to the same rule.
func TestDeclarationKeysCaseSensitive(t *testing.T) {
	ts := MustServe(t, true, nil)
	const site = "urn:epc:id:sgln:0614141.00001.0"
	cat := `{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9%s}`
	periods := `"periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]`
	for _, c := range []struct{ method, path, body, ptr, want string }{
		{"PUT", "/api/v1/sites/" + site + "/mass-balance", `{"categories": [` + strings.Replace(cat, "%s", `, "conversionfactor": 0.5`, 1) + `], ` + periods + `}`, "/categories/0/conversionfactor", `member names are case-sensitive, the field is "conversionFactor"`},
		{"PUT", "/api/v1/sites/" + site + "/mass-balance", `{"categories": [` + strings.Replace(cat, "%s", `, "conversionFactor": 0.5`, 1) + `], ` + periods + `}`, "/categories/0/conversionFactor", "given twice"},
		{"PUT", "/api/v1/sites/" + site + "/mass-balance", `{"Categories": [` + strings.Replace(cat, "%s", "", 1) + `], ` + periods + `}`, "/Categories", `the field is "categories"`},
		{"POST", "/api/v1/tokens", `{"name": "n", "role": "viewer", "Role": "admin"}`, "/Role", `the field is "role"`},
	} {
		resp, b := do(t, c.method, ts.URL+c.path, adminSecret, []byte(c.body), jsonCT)
		p := mustProblem(t, resp, b, 400)
		found := false
		for _, e := range p.Errors {
			found = found || e.Pointer == c.ptr && strings.Contains(e.Reason, c.want)
		}
		if !found {
			t.Errorf("%s %s: %s, want %s: %s", c.method, c.body, b, c.ptr, c.want)
		}
	}
	if _, err := ts.Store.MassBalanceVersions(context.Background(), site); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("a refused declaration was stored: %v", err)
	}
	toks, err := ts.Store.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 3 {
		t.Errorf("a refused request stored a token: %d tokens", len(toks))
	}
}
