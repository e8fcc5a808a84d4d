package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// notJSON writes a file that is not JSON (the first line of
// /etc/hostname, as a user might give by mistake) and returns its path.
func notJSON(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hostname")
	if err := os.WriteFile(p, []byte("vm-17\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFileErrorsNameTheFile (issue 15: `critmin refinery reconcile
// /etc/hostname` said "critmin: /: not a refinery problem", naming "/",
// the JSON pointer of the whole document, not the file): every command
// that decodes a file names it, and no bare "/" stands for it.
func TestFileErrorsNameTheFile(t *testing.T) {
	p := notJSON(t)
	db := map[string]string{"CRITMIN_DATA": t.TempDir()}
	for _, args := range [][]string{
		{"refinery", "reconcile", p},
		{"risk", "scenario", p},
		{"solve", p},
	} {
		_, _, err := run(t, db, args...)
		msg := cli.Describe(err)
		if err == nil || !strings.Contains(msg, p) || strings.Contains(msg, " /: ") || strings.HasPrefix(msg, "/:") {
			t.Errorf("critmin %s: %q, want an error naming %s and no bare \"/\"", strings.Join(args, " "), msg, p)
		}
	}
}

// TestSolveNamesWhyAFileIsNotMPS (issue 15: `critmin solve
// /etc/hostname` said "not a readable MPS file (-2 errors)"): the error
// names the file and the reason in words, never CLP's negative count.
func TestSolveNamesWhyAFileIsNotMPS(t *testing.T) {
	p := notJSON(t)
	_, _, err := run(t, nil, "solve", p)
	msg := cli.Describe(err)
	if !strings.Contains(msg, p) || !strings.Contains(msg, `"vm-17"`) || !strings.Contains(msg, "NAME or ROWS") || strings.Contains(msg, "-2") {
		t.Errorf("solve of a non-MPS file: %q, want the file, its first line and what an MPS file starts with", msg)
	}
}

// TestUnknownCommodityNamesTheFlagAndTheChoices (issue 15: `critmin risk
// concentration --commodity unobtainium` said "no mine unobtainium data
// for 2024 (years: )"): each risk subcommand names --commodity and the
// commodities that have data.
func TestUnknownCommodityNamesTheFlagAndTheChoices(t *testing.T) {
	env := map[string]string{"CRITMIN_DATA": t.TempDir()}
	for _, sub := range [][]string{
		{"concentration"},
		{"series"},
		{"corridor", "--tonnes", "5"},
	} {
		_, _, err := run(t, env, append(append([]string{"risk"}, sub...), "--commodity", "unobtainium")...)
		msg := cli.Describe(err)
		if !strings.Contains(msg, "--commodity") || !strings.Contains(msg, `"unobtainium"`) || !strings.Contains(msg, "antimony, copper, rare earths") || strings.Contains(msg, "years: )") {
			t.Errorf("risk %s --commodity unobtainium: %q, want --commodity named with the commodities that have data", sub[0], msg)
		}
	}
}
