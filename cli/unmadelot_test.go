package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/storetest"
)

// TestLotCommandsUnmade (issue 8 §2): lot urn:t:lot:U is commissioned
// with 10 t (urn:t:ev:U1), all 10 t are fed to run urn:t:ev:U2, then U1
// alone is declared in error (the run stands, taking nothing). The lot is
// not in the record: `critmin lot show`, `trace`, `origin`, `rules` and
// `certificate` each fail naming the declaration, as the lot API answers
// 410 — none prints a trace, an origin, verdicts or a signed certificate.
func TestLotCommandsUnmade(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	for i, d := range storetest.UnmadeLotDocuments {
		f := filepath.Join(dir, "d"+string(rune('0'+i))+".json")
		if err := os.WriteFile(f, []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := run(t, env, "capture", f); err != nil {
			t.Fatalf("capture %d: %v", i, err)
		}
	}
	for _, sub := range []string{"show", "trace", "origin", "rules", "certificate"} {
		out, _, err := run(t, env, "lot", sub, "urn:t:lot:U")
		if err == nil {
			t.Errorf("lot %s of a lot not in the record: no error; printed %q", sub, out)
			continue
		}
		for _, want := range []string{"is not in the record", "urn:t:ev:U1", "declared in error at 2025-10-20"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("lot %s: error %q does not name %q", sub, err, want)
			}
		}
	}
	if _, _, err := run(t, env, "lot", "origin", "urn:t:lot:UP"); err != nil {
		t.Errorf("lot origin of the run's standing product: %v", err)
	}
}
