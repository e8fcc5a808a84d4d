package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// Issue 13, fifth new-user check through the CLI. On 1 Dec 2025 the demo
// NdPr oxide lot (1 150 kg, 100 % payable: 1 150 kg long) is the magnet
// maker's only position; the REE contract (FWO → USSM, two open lots) is
// left out and said so (before: refused). The demo REE lot's grade −10 %
// has a figure (before: n/a), with the grades it scales named.
func TestTradeCLIBookAndGradeSensitivity(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "exposure", "--as-of", "2025-12-01", "--book", "urn:critmin:demo:party:magnet-maker")
	if err != nil || !strings.Contains(out, "LEFT OUT FWO-USSM-REE-2025 (2 open lots)") || !strings.Contains(out, "NdPr oxide  1150 ") {
		t.Errorf("exposure: %v\n%s", err, out)
	}
	out, _, err = run(t, env, "trade", "nsr", "--lot", "urn:critmin:demo:lot:REE-2025-001", "--as-of", "2025-12-01")
	if err != nil || strings.Contains(out, "n/a") || !strings.Contains(out, "grade scales CeO2, La2O3, Nd2O3, Pr6O11, TREO") {
		t.Errorf("nsr: %v\n%s", err, out)
	}
}
