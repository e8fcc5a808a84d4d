package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
)

// TestBodyErrorsNameFieldAndReason walks every JSON-body route of /api/v1
// with bad bodies — the wrong kind of document, cut short, trailing data,
// null, an unknown field, a field of the wrong type — and wants each
// answered 400 problem+json whose errors all carry a pointer and a reason
// and whose detail names the first field in words ("field \"name\" (/name):
// …", "the request body: …") with no bare leading pointer and none of
// Go's type names (issue 14: "/foo: …" and "not a certificate: json:
// cannot unmarshal array into Go value of type custody.Certificate").
// The route list is checked against the server's registrations, so a new
// body route without a case fails.
func TestBodyErrorsNameFieldAndReason(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	type bad struct{ body, ptr, words string }
	common := []bad{
		{`[]`, "body", "the request body"},
		{`"x"`, "body", "the request body"},
		{`{`, "body", "the request body"},
		{`{} x`, "body", "the request body"},
		{`null`, "body", "the request body"},
	}
	unknown := bad{`{"zzUnknownField": 1}`, "/zzUnknownField", `field "zzUnknownField" (/zzUnknownField)`}
	routes := map[string][]bad{
		"POST /api/v1/plans":                     {unknown, {`{"scenarios": "x"}`, "/scenarios", `field "scenarios"`}},
		"POST /api/v1/tokens":                    {unknown, {`{"name": 5}`, "/name", `field "name"`}},
		"POST /api/v1/risk/stockpile":            {unknown, {`{"seed": "x"}`, "/seed", `field "seed"`}},
		"POST /api/v1/risk/corridor":             {unknown, {`{"commodity": 5}`, "/commodity", `field "commodity"`}},
		"POST /api/v1/risk/scenarios/run":        {unknown, {`{"id": 5}`, "/id", `field "id"`}},
		"POST /api/v1/refinery/reconcile":        {unknown, {`{"nodes": "x"}`, "/nodes", `field "nodes"`}},
		"POST /api/v1/refinery/report":           {unknown, {`{"nodes": [{"id": 5}]}`, "/nodes/0/id", `field "nodes[0].id" (/nodes/0/id)`}},
		"POST /api/v1/refinery/close":            {unknown, {`{"nodes": "x"}`, "/nodes", `field "nodes"`}},
		"POST /api/v1/refinery/reopen":           {unknown, {`{"site": 5}`, "/site", `field "site"`}},
		"POST /api/v1/certificates/{cid}/revoke": {unknown, {`{"reason": 5}`, "/reason", `field "reason"`}},
		// A certificate is an open JSON-LD document: unknown members
		// are kept, but it must have an id and a subject (status) and a
		// proof (verify).
		"POST /api/v1/certificates/status": {{`{"zzUnknownField": 1}`, "/id", `field "id" (/id)`}},
		"POST /api/v1/certificates/verify": {{`{"zzUnknownField": 1}`, "/proof", `field "proof" (/proof)`}},
		"POST /api/v1/trade/contracts":     {{`{}`, "/id", `field "id" (/id)`}, {`{"id": 5}`, "/id", `field "id"`}},
		"POST /api/v1/trade/assays":        {unknown, {`{"lot": 5}`, "/lot", `field "lot"`}},
		"POST /api/v1/trade/declarations":  {unknown, {`{"contract": 5}`, "/contract", `field "contract"`}},
		"POST /api/v1/trade/invoices":      {unknown, {`{"kind": 5}`, "/kind", `field "kind"`}},
		"POST /api/v1/trade/payments":      {unknown, {`{"invoice": 5}`, "/invoice", `field "invoice"`}},
		"POST /api/v1/trade/notes":         {unknown, {`{"reason": 5}`, "/reason", `field "reason"`}},
		"PUT /api/v1/sites/{id}/mass-balance": {unknown, {`{"categories": "x"}`, "/categories", `field "categories"`},
			{`{"categories": [{"conversionFactor": "x"}]}`, "/categories/0/conversionFactor", `field "categories[0].conversionFactor" (/categories/0/conversionFactor)`}},
	}
	// Routes with a body that is not JSON, or none.
	notJSON := map[string]bool{"POST /api/v1/trade/prices": true, "POST /api/v1/lots/{id}/certificate": true}
	for pattern := range ts.RouteAccess() {
		method, path, _ := strings.Cut(pattern, " ")
		if (method == "POST" || method == "PUT" || method == "PATCH") && strings.HasPrefix(path, "/api/v1/") && !notJSON[pattern] {
			if _, ok := routes[pattern]; !ok {
				t.Errorf("%s: a JSON-body route without bad-body cases", pattern)
			}
		}
	}
	n := 0
	for pattern, cases := range routes {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.NewReplacer("{cid}", "x", "{id}", "x").Replace(path)
		if path == "/api/v1/risk/scenarios/run" {
			path += "?commodity=antimony" // the commodity is a parameter; the body is the scenario
		}
		// An admin token of the route's own, so that the expensive
		// routes' rate limit (bursts of 10 per token) is not reached.
		n++
		secret := fmt.Sprintf("walk-secret-%d", n)
		if err := ts.Store.CreateToken(context.Background(), &critmin.Token{Name: fmt.Sprintf("walk-%d", n), Role: critmin.RoleAdmin, Hash: critminhttp.HashToken(secret), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		for _, c := range append(append([]bad(nil), common...), cases...) {
			resp, b := do(t, method, ts.URL+path, secret, []byte(c.body), jsonCT)
			p := mustProblem(t, resp, b, 400)
			if len(p.Errors) == 0 {
				t.Errorf("%s %s: no field named: %s", pattern, c.body, b)
				continue
			}
			for _, e := range p.Errors {
				if e.Pointer == "" || strings.TrimSpace(e.Reason) == "" {
					t.Errorf("%s %s: a field error without pointer or reason: %s", pattern, c.body, b)
				}
			}
			if p.Errors[0].Pointer != c.ptr {
				t.Errorf("%s %s: first pointer %q, want %q (%s)", pattern, c.body, p.Errors[0].Pointer, c.ptr, b)
			}
			if !strings.HasPrefix(p.Detail, c.words) && !strings.Contains(p.Detail, ": "+c.words) {
				t.Errorf("%s %s: detail %q does not name %s in words", pattern, c.body, p.Detail, c.words)
			}
			for _, leak := range []string{"Go value", "json: ", "custody.", "map[", "unexpected EOF"} {
				if strings.Contains(string(b), leak) {
					t.Errorf("%s %s: answer shows %q: %s", pattern, c.body, leak, b)
				}
			}
			if strings.HasPrefix(p.Detail, "/") {
				t.Errorf("%s %s: detail leads with a bare pointer: %q", pattern, c.body, p.Detail)
			}
		}
	}
}
