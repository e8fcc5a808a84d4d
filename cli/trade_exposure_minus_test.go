package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTradeExposureSellerBookTrueMinus: in the seller's book (FWO sells
// every demo concentrate) net kilograms are negative — on 2025-10-15 the
// copper lot's priced Cu is −5464.151 kg — and trade exposure writes them
// with the true minus (U+2212), as its header ("sales short −") and the
// exposure page do, never "-5464.151".
func TestTradeExposureSellerBookTrueMinus(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "exposure", "--as-of", "2025-10-15", "--book", "urn:critmin:demo:party:fwo")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "−5464.151") || strings.Contains(out, "\t-") || strings.Contains(out, " -") {
		t.Errorf("seller's book not written with the true minus:\n%s", out)
	}
}
