package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 13, new-user check (fix13k, 5): every trade --as-of of the CLI
// refuses a day after today, naming --as-of and today's date — agreement
// (it called milestones due 2026-12-31 and 2028-06-30 overdue as of
// 2030-01-01), exposure, nsr and invoice list/show alike.
func TestTradeCLIAsOfAfterTodayIsRefused(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	later := time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	for _, args := range [][]string{
		{"trade", "agreement", "--as-of", later},
		{"trade", "exposure", "--as-of", later},
		{"trade", "nsr", "--lot", "urn:critmin:demo:lot:REE-2025-001", "--as-of", later},
		{"trade", "invoice", "list", "--as-of", later},
	} {
		_, _, err := run(t, env, args...)
		// today may turn between the two clock reads: either date is today's
		if err == nil || !strings.Contains(err.Error(), "--as-of") || !strings.Contains(err.Error(), "is after today") {
			t.Errorf("%s: err = %v; want --as-of refused as after today", strings.Join(args, " "), err)
		}
	}
}
