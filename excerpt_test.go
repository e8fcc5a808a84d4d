package critmin_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestExcerptShortensEchoedValues: a value an error echoes is cut at 80
// characters with "…" and its length (nu39c item 8: a 5,000-character
// analyte name was echoed whole).
func TestExcerptShortensEchoedValues(t *testing.T) {
	if got := critmin.Excerpt("Nd2O3"); got != "Nd2O3" {
		t.Errorf("short: %q", got)
	}
	long := strings.Repeat("x", 5000)
	if got := critmin.Excerpt(long); got != strings.Repeat("x", 80)+"… (5000 characters)" {
		t.Errorf("long: %q", got)
	}
	msg := ledger.AnalyteProblem(long)
	if len(msg) > 400 || !strings.Contains(msg, "… (5000 characters)") {
		t.Errorf("analyte error echoes %d bytes: %.200s", len(msg), msg)
	}
}
