package solver

import (
	"strings"
	"testing"
)

// TestClipLogGroupsBytesLeftOut (issue 15, fix15za item 2): a solver's
// log longer than MaxLogBytes (262,144) keeps its first and last 131,072
// bytes and says how many it left out, which read "[… 1500 bytes …]".
// 262,144 + 1,500 bytes: 1,500 left out.
func TestClipLogGroupsBytesLeftOut(t *testing.T) {
	got := clipLog(strings.Repeat("x", MaxLogBytes+1500))
	if !strings.Contains(got, "\n[… 1,500 bytes of the solver's log left out …]\n") {
		t.Errorf("clipLog of %d bytes: the note reads %q", MaxLogBytes+1500, got[MaxLogBytes/2:MaxLogBytes/2+60])
	}
}
