package commercial_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// TestGradeDecimalComma (issue 13, fix13z): "Cu=24,1%" was split at the
// comma and refused quoting only "Cu=24"; it is refused quoting the whole
// token and naming the decimal comma (write 24.1). Commas between results
// still separate them.
func TestGradeDecimalComma(t *testing.T) {
	for _, c := range []struct{ in, token, write string }{
		{"Cu=24,1%", `"Cu=24,1%"`, "write 24.1"},
		{"Au=4.1g/t,Cu=24,15 %", `"Cu=24,15 %"`, "write 24.15"},
		{"Cu:24,1", `"Cu:24,1"`, "write 24.1"},
	} {
		_, _, err := commercial.ParseGradeList(c.in, "results")
		if err == nil || !strings.Contains(err.Error(), c.token) || !strings.Contains(err.Error(), "decimal comma") || !strings.Contains(err.Error(), c.write) {
			t.Errorf("%s: err = %v, want %s quoted, a decimal comma named, %s", c.in, err, c.token, c.write)
		}
	}
	g, _, err := commercial.ParseGradeList("Cu=24.1%,Au=4g/t", "results")
	if err != nil || len(g) != 2 {
		t.Errorf("two results separated by a comma: %v, %v", g, err)
	}
	if _, _, err := commercial.ParseGradeList("Cu=24%,1", "results"); err == nil || strings.Contains(err.Error(), "decimal comma") {
		t.Errorf("Cu=24%%,1: err = %v, want a refusal of \"1\" that names no decimal comma", err)
	}
}
