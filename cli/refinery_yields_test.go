package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqlite"
)

// TestRefineryYieldsNeedsClosedPeriod (nu12 item 3, the CLI's side):
// `refinery yields --plan` for a month never closed used to print no
// change and exit 0, as if the refinery accounted nothing; it is an
// error naming the period. For the closed demo month, the demo plan's
// outputs are all accounted, so no note is printed.
func TestRefineryYieldsNeedsClosedPeriod(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "critmin.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, err := custody.GenerateKey(db + ".signing.key"); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": db}
	_, _, err := run(t, env, "refinery", "yields", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-09", "--plan", "demo", "--plan-site", "refinery-mo")
	if err == nil || !strings.Contains(err.Error(), "2025-09") || !strings.Contains(err.Error(), "never closed") {
		t.Errorf("yields of a month never closed: %v", err)
	}
	if _, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo"); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := run(t, env, "refinery", "yields", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--plan", "demo", "--plan-site", "refinery-mo")
	if err != nil || !strings.Contains(out, "ree-sx") || strings.Contains(stderr, "note:") {
		t.Errorf("yields of the closed month: %v %s %s", err, out, stderr)
	}
}

// TestVerifyFindsEditedClose (nu12 item 2, the CLI's side): after a close
// record's result is edited in the database, `critmin verify
// --no-rebuild` (which printed "ok") fails naming the record, and
// `refinery yields` refuses to read it.
func TestVerifyFindsEditedClose(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "critmin.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, err := custody.GenerateKey(db + ".signing.key"); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": db}
	if _, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "verify", "--no-rebuild")
	if err != nil || !strings.Contains(out, "ok: 1 refinery period records chained and signed") {
		t.Fatalf("verify before the edit: %v %s", err, out)
	}
	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Write.Exec(`UPDATE refinery_periods SET result = replace(result, '"chi_square":', '"chi_square":1') WHERE seq = 1`)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("edit: %v", err)
	}
	s.Close()
	_, _, err = run(t, env, "verify", "--no-rebuild")
	if err == nil || !strings.Contains(err.Error(), "refinery period chain broken: period record 1") {
		t.Errorf("verify after the edit: %v", err)
	}
	_, _, err = run(t, env, "refinery", "yields", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10")
	if err == nil || !strings.Contains(err.Error(), "changed after it was recorded") {
		t.Errorf("yields of the edited close: %v", err)
	}
}

// TestVerifyNamesForeignSigningKey (nu12f 6): with CRITMIN_SIGNING_KEY
// naming a key other than the store's pinned installation key, verify
// still checks the records against the pin (ok) but says that the given
// key is not the installation's; with the installation's key it says
// nothing of the kind.
func TestVerifyNamesForeignSigningKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "critmin.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, err := custody.GenerateKey(db + ".signing.key"); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if _, err := custody.GenerateKey(other); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": db}
	if _, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, map[string]string{"CRITMIN_DB": db, "CRITMIN_SIGNING_KEY": other}, "verify", "--no-rebuild")
	if err != nil || !strings.Contains(out, "WARNING: CRITMIN_SIGNING_KEY "+other) || !strings.Contains(out, "is not this store's installation key") {
		t.Errorf("verify with a foreign key: %v\n%s", err, out)
	}
	out, _, err = run(t, map[string]string{"CRITMIN_DB": db, "CRITMIN_SIGNING_KEY": db + ".signing.key"}, "verify", "--no-rebuild")
	if err != nil || strings.Contains(out, "WARNING") {
		t.Errorf("verify with the installation key: %v\n%s", err, out)
	}
}

// TestReadersWarnOfForeignKey (nu12f 6): with signing.key beside the
// SQLite file replaced by another key, `refinery yields` and `refinery
// report` (which showed the period closed and signed off without a word
// while verify failed) warn that the key is not the store's pinned
// installation key; with the installation's key they do not.
func TestReadersWarnOfForeignKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "critmin.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	keyFile := db + ".signing.key"
	if _, err := custody.GenerateKey(keyFile); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": db}
	if _, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo"); err != nil {
		t.Fatal(err)
	}
	yields := []string{"refinery", "yields", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--plan", "demo", "--plan-site", "refinery-mo"}
	report := []string{"refinery", "report", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10"}
	for _, args := range [][]string{yields, report} {
		if _, stderr, _ := run(t, env, args...); strings.Contains(stderr, "is not this store's installation key") {
			t.Errorf("%s with the installation key warns: %s", args[1], stderr)
		}
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if _, err := custody.GenerateKey(keyFile); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{yields, report} {
		if _, stderr, _ := run(t, env, args...); !strings.Contains(stderr, "warning: the signing key "+keyFile) || !strings.Contains(stderr, "is not this store's installation key") {
			t.Errorf("%s with a foreign signing.key: no warning: %s", args[1], stderr)
		}
	}
}
