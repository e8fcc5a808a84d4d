package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStatementSixDecimals (fix9c item 5): the mass-balance statement
// prints its tonnes at six decimals (custody.FigureDecimals, one gram) in
// the CLI's text as in its CSV and JSON, never four. The site of
// mbDocCLI with conversion factor 0.912345: 100 dmt at 4 % Nd + 1 % Pr =
// 5 t Nd+Pr credits 5 × 0.912345 = 4.561725 t; the claim of 2 t oxide at
// 60 % + 20 % = 1.6 t; closing 4.561725 − 1.6 = 2.961725 t. At four
// decimals these would read 4.5617 and 2.9617: 0.25 kg dropped.
func TestStatementSixDecimals(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "m.db")}
	docFile, decl, master := filepath.Join(dir, "d.jsonld"), filepath.Join(dir, "decl.json"), filepath.Join(dir, "master.jsonld")
	head, _, _ := strings.Cut(mbDocCLI, `"eventList": [`)
	for f, body := range map[string]string{docFile: mbDocCLI, master: head + `"eventList": []}}`,
		decl: `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.912345}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`} {
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const site = "urn:t:site:mb"
	if out, _, err := run(t, env, "capture", master); err != nil {
		t.Fatalf("capture master data: %v %s", err, out)
	}
	if _, _, err := runAt(t, env, declaredOct20, "massbalance", "declare", "--site", site, "--file", decl); err != nil {
		t.Fatal(err)
	}
	october := func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if out, _, err := runAt(t, env, october, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	for _, format := range []string{"text", "csv", "json"} {
		out, _, err := run(t, env, "massbalance", "statement", "--site", site, "--period", "2025-10", "--format", format)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for _, want := range []string{"4.561725", "2.961725", "1.6"} {
			if !strings.Contains(out, want) {
				t.Errorf("statement (%s) lacks %s:\n%s", format, want, out)
			}
		}
		if strings.Contains(out, "4.5617 ") || strings.Contains(out, "2.9617 ") {
			t.Errorf("statement (%s) prints four decimals:\n%s", format, out)
		}
	}
}
