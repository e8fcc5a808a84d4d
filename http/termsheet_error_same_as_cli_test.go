package http_test

import (
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/cli"
	"github.com/critmin/critmin/commercial"
)

// Issue 13 (fix13i, 3): a term-sheet fault reads the same in the API's
// problem detail as the CLI prints it (cli.Describe) — `term sheet "ID":
// field "payables[0].price.unit" (/payables/0/price/unit): reason` —
// and errors[] carries the pointer and the reason.
func TestTermSheetErrorReadsSameInAPIAndCLI(t *testing.T) {
	ts := MustServe(t, false, nil)
	b, err := os.ReadFile("../commercial/demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(b), `"unit": "USD/t"}},`, `"unit": "USD/dmt"}},`, 1)
	resp, body := do(t, "POST", ts.URL+"/api/v1/trade/contracts", adminSecret, []byte(doc), jsonCT)
	p := mustProblem(t, resp, body, 400)
	_, perr := commercial.ParseTermSheet([]byte(doc))
	if critmin.ErrorCode(perr) != critmin.EINVALID {
		t.Fatalf("parse: %v", perr)
	}
	cliText := strings.TrimSuffix(cli.Describe(perr), ".")
	if p.Detail != cliText || !strings.HasPrefix(p.Detail, `term sheet "FWO-USSM-CU-2025": field "payables[0].price.unit" (/payables/0/price/unit): `) {
		t.Errorf("API detail %q\nCLI text   %q\nwant the same, led by the term sheet and the field", p.Detail, cliText)
	}
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/payables/0/price/unit" || !strings.Contains(p.Errors[0].Reason, "per dry tonne") {
		t.Errorf("errors %+v, want /payables/0/price/unit with its reason", p.Errors)
	}
}
