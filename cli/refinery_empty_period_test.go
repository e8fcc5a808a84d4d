package cli_test

import (
	"strings"
	"testing"
)

// TestRefineryEmptyPeriodFlag: --period "" (an empty shell variable) is
// refused naming the flag and the form a period takes; mass-balance's
// --period, a claim period, keeps the generic wording.
func TestRefineryEmptyPeriodFlag(t *testing.T) {
	for _, args := range [][]string{
		{"refinery", "reopen", "--site", "S", "--period", "", "--reason", "r", "--admin", "a"},
		{"refinery", "yields", "--site", "S", "--period", ""},
		{"refinery", "report", "--site", "S", "--period", ""},
	} {
		_, _, err := run(t, nil, args...)
		if err == nil || !strings.Contains(err.Error(), "--period: the value is empty: give a month YYYY-MM") {
			t.Errorf("%v: %v", args, err)
		}
	}
}
