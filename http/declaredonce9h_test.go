package http_test

import (
	"os"
	"strings"
	"testing"
)

// TestSecondDeclarationRefused409 (issue 9, fix9h defect 6): through HTTP
// capture, testdata/cases/07 declares its shipment …455 in error
// (2025-03-02T10:00:00.000Z, incorrect_data). Sending that declaration
// again is an idempotent duplicate (202); another declaration of …455
// (another time and reason) is refused 409 problem+json, its errors
// naming errorDeclaration and eventID, its detail the event and the
// existing declaration (EPCIS 2.0 §7.4.1.2: an event is declared in
// error once; a declaration cannot itself be withdrawn).
func TestSecondDeclarationRefused409(t *testing.T) {
	ts := MustServe(t, true, nil)
	body, err := os.ReadFile("../testdata/cases/07-error-declaration-retraction.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, rb)
	}
	if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode != 202 {
		t.Fatalf("the same document again: %d %s, want 202 (duplicates)", resp.StatusCode, rb)
	}
	second := strings.Replace(strings.Replace(string(body), `"declarationTime": "2025-03-02T10:00:00.000Z"`, `"declarationTime": "2025-03-03T10:00:00.000Z"`, 1), `"reason": "incorrect_data"`, `"reason": "did_not_occur"`, 1)
	resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(second), nil)
	p := mustProblem(t, resp, rb, 409)
	for _, want := range []string{"urn:uuid:0b7d5f3e-1a2b-4c3d-9e8f-001122334455", "already declared in error", "2025-03-02", "incorrect_data", "EPCIS 2.0 §7.4.1.2"} {
		if !strings.Contains(p.Detail, want) {
			t.Errorf("409 detail lacks %q: %s", want, p.Detail)
		}
	}
	var ptrs []string
	for _, e := range p.Errors {
		ptrs = append(ptrs, e.Pointer)
	}
	if got := strings.Join(ptrs, " "); !strings.Contains(got, "errorDeclaration") || !strings.Contains(got, "eventID") {
		t.Errorf("409 errors name %q, want errorDeclaration and eventID", got)
	}
}
