package cli_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestLotCommandsRefuseEditedLotRow: `lot show`, `lot rules` and `lot
// origin` of a lot whose origin country was changed in the database
// (→ AUS, a country capture could have written) fail naming table lots
// and the row, rather than print the edited origin and the verdicts it
// flips; put back, they answer again.
func TestLotCommandsRefuseEditedLotRow(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	env := map[string]string{"CRITMIN_DB": db}
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, env, append([]string{"capture"}, files...)...); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	cmds := [][]string{{"lot", "show", lot}, {"lot", "rules", lot}, {"lot", "origin", lot}}
	for _, c := range cmds {
		if _, _, err := run(t, env, c...); err != nil {
			t.Fatalf("%v as captured: %v", c, err)
		}
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var origin string
	if err := raw.QueryRow(`SELECT origin_country FROM lots WHERE id = ?`, lot).Scan(&origin); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE lots SET origin_country = 'AUS' WHERE id = ?`, lot); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		out, _, err := run(t, env, c...)
		if err == nil || !strings.Contains(err.Error(), "table lots") || !strings.Contains(err.Error(), lot) {
			t.Errorf("%v after the edit: %v\n%.300s", c, err, out)
		}
	}
	if _, err := raw.Exec(`UPDATE lots SET origin_country = ? WHERE id = ?`, origin, lot); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		if _, _, err := run(t, env, c...); err != nil {
			t.Errorf("%v put back: %v", c, err)
		}
	}
}
