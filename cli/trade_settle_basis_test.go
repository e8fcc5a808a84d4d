package cli_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// Issue 13, new-user check (fix13h, 3): `trade settle --format json`
// gave the provisional settlement's figures when the final could not be
// computed, with only final_missing to hint at it. Its JSON now states
// basis: "provisional" exactly when final_missing says why the final is
// missing, else "final".
func TestTradeSettleJSONStatesBasis(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	for _, lot := range []string{"urn:critmin:demo:lot:REE-2025-001", "urn:critmin:demo:lot:REE-2025-002", "urn:critmin:demo:lot:REE-2025-003"} {
		out, _, err := run(t, env, "trade", "settle", "--terms", "FWO-USSM-REE-2025", "--lot", lot, "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Basis        string   `json:"basis"`
			FinalMissing string   `json:"final_missing"`
			Warnings     []string `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatal(err)
		}
		want := "final"
		if v.FinalMissing != "" {
			want = "provisional"
		}
		if v.Basis != want {
			t.Errorf("%s: basis %q, want %q (final_missing %q)", lot, v.Basis, want, v.FinalMissing)
		}
	}
}
