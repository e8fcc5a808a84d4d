package cli_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestRebuildCommand: the demo corridor captured; a lot's origin moved to
// China in the database with its seal, its genealogy link and an index
// row deleted. `critmin verify` fails naming a derived table; `critmin
// rebuild` checks the chain, rewrites the tables that differ and
// verifies; then verify passes and `lot origin` and `lot rules` print
// what they printed before the edits. A record edited in the database
// fails the chain check, and rebuild refuses it, rewriting nothing.
func TestRebuildCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	env := map[string]string{"CRITMIN_DB": db}
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, env, append([]string{"capture"}, files...)...); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	answers := func() string {
		t.Helper()
		var b strings.Builder
		for _, c := range [][]string{{"lot", "origin", lot}, {"lot", "rules", lot}} {
			out, _, err := run(t, env, c...)
			if err != nil {
				return "refused: " + err.Error()
			}
			b.WriteString(out)
		}
		return b.String()
	}
	want := answers()
	if !strings.Contains(want, "PAK") && !strings.Contains(want, "Pakistan") {
		t.Fatalf("answers as captured name no Pakistani origin:\n%s", want)
	}
	if out, _, err := run(t, env, "rebuild"); err != nil || !strings.Contains(out, "nothing rewritten") {
		t.Fatalf("rebuild of an intact store: %v\n%s", err, out)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE lots SET origin_country = 'CHN', seal = 'forged' WHERE id = '` + lot + `'`,
		`DELETE FROM lot_links WHERE child = '` + lot + `' OR parent = '` + lot + `'`,
		`DELETE FROM event_quantities WHERE epc_class = '` + lot + `'`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if out, _, err := run(t, env, "verify"); err == nil || !strings.Contains(err.Error(), "derived table differs") {
		t.Fatalf("verify after the edits: %v\n%s", err, out)
	}
	if got := answers(); got == want {
		t.Fatalf("the edits changed no answer")
	}
	out, _, err := run(t, env, "rebuild")
	if err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	for _, s := range []string{"ok: ", "rewritten from the log: ", "event_quantities", "lots", "lot_links", "ok: verified after the rebuild"} {
		if !strings.Contains(out, s) {
			t.Errorf("rebuild printed no %q:\n%s", s, out)
		}
	}
	if out, _, err := run(t, env, "verify"); err != nil {
		t.Fatalf("verify after the rebuild: %v\n%s", err, out)
	}
	if got := answers(); got != want {
		t.Errorf("answers after the rebuild:\n%s\nwant those before the edits:\n%s", got, want)
	}
	// A chained record edited: the chain fails, rebuild refuses and leaves
	// the (re-edited) derived row as it is.
	if _, err := raw.Exec(`UPDATE events SET raw = replace(raw, '"PAK"', '"CHN"') WHERE chain_seq = (SELECT MIN(chain_seq) FROM events WHERE raw LIKE '%"PAK"%')`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE lots SET origin_country = 'CHN' WHERE id = ?`, lot); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, env, "rebuild")
	if err == nil || !strings.Contains(err.Error(), "rebuild refused: the chain fails") {
		t.Errorf("rebuild of a store whose chain fails: %v\n%s", err, out)
	}
	var origin string
	if err := raw.QueryRow(`SELECT origin_country FROM lots WHERE id = ?`, lot).Scan(&origin); err != nil || origin != "CHN" {
		t.Errorf("origin after the refused rebuild: %q, %v; want the row left as it was", origin, err)
	}
}
