package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// `trade settle --terms` given what looks like a path (a slash, or a
// .json name) that names no file says so, instead of `no contract
// "/nonexistent.json"`; a bare id still reads the stored contract.
// `trade assay` with no results says results are required, instead of
// `"" is not ANALYTE=VALUEUNIT`.
func TestTradeTermsPathAndAssayResults(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:demo:lot:REE-2025-002"
	for _, arg := range []string{"/nonexistent.json", "terms.json", filepath.Join(dir, "missing")} {
		_, _, err := run(t, env, "trade", "settle", "--terms", arg, "--lot", lot)
		if err == nil || !strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "no contract") {
			t.Errorf("--terms %s: err = %v, want no such file", arg, err)
		}
	}
	if _, _, err := run(t, env, "trade", "settle", "--terms", "NO-SUCH-CONTRACT", "--lot", lot); err == nil || strings.Contains(err.Error(), "no such file") {
		t.Errorf("an unknown contract id: err = %v, want the contract named missing", err)
	}
	_, _, err := run(t, env, "trade", "assay", "--lot", lot, "--party", "buyer", "--lab", "urn:lab:x", "--at", "2025-10-01T00:00:00Z")
	if err == nil || !strings.Contains(err.Error(), "results are required") || strings.Contains(err.Error(), "ANALYTE=VALUEUNIT or") {
		t.Errorf("assay without results: err = %v, want results are required", err)
	}
}

// `trade assay … Cu=24,1%` quotes the whole token and names the decimal
// comma (issue 13, fix13z; before: `"Cu=24" is not ANALYTE=VALUEUNIT`).
func TestTradeAssayDecimalComma(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, env, "trade", "assay", "--lot", "urn:critmin:demo:lot:REE-2025-002", "--party", "buyer", "--lab", "urn:lab:x", "--at", "2025-10-01T00:00:00Z", "Cu=24,1%")
	if err == nil || !strings.Contains(err.Error(), `"Cu=24,1%"`) || !strings.Contains(err.Error(), "decimal comma") || !strings.Contains(err.Error(), "write 24.1") {
		t.Errorf("Cu=24,1%%: err = %v, want the token quoted whole and the decimal comma named", err)
	}
}
