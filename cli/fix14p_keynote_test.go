package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestBackupKeyNoteNamesTheKeyUsed (issue 14 final check, fix14p): after
// a PostgreSQL backup (and restore) the note named
// ~/.local/share/critmin/postgres-NAME.signing.key, which did not exist,
// even with CRITMIN_SIGNING_KEY set. The note names the key actually used:
// CRITMIN_SIGNING_KEY when set, else the default file only if it exists,
// else says that no key file was found and where the key is named
// (docs/security.md, "The installation signing key").
func TestBackupKeyNoteNamesTheKeyUsed(t *testing.T) {
	dir := t.TempDir()
	dsn := pgtest.MustCreateDatabase(t)
	home := map[string]string{"CRITMIN_DATA": dir}
	if _, _, err := run(t, home, "init", "--db", dsn); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "refinery.key")
	if _, err := custody.GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	withKey := map[string]string{"CRITMIN_DATA": dir, "CRITMIN_SIGNING_KEY": key}
	_, errOut, err := run(t, withKey, "backup", "--db", dsn, filepath.Join(dir, "a.bak"))
	if err != nil || !strings.Contains(errOut, "signing key "+key) || strings.Contains(errOut, "postgres-") {
		t.Errorf("backup with CRITMIN_SIGNING_KEY: %v, stderr %q; want %s named and no postgres-NAME file", err, errOut, key)
	}
	_, errOut, err = run(t, home, "backup", "--db", dsn, filepath.Join(dir, "b.bak"))
	if err != nil || strings.Contains(errOut, "postgres-") || !strings.Contains(errOut, "no signing key file") {
		t.Errorf("backup without a key file: %v, stderr %q; want no file that does not exist named, and \"no signing key file\"", err, errOut)
	}
	r := pgtest.MustCreateDatabase(t)
	_, errOut, err = run(t, withKey, "restore", "--db", r, filepath.Join(dir, "a.bak"))
	if err != nil || !strings.Contains(errOut, "signing key "+key) || strings.Contains(errOut, "postgres-") {
		t.Errorf("restore with CRITMIN_SIGNING_KEY: %v, stderr %q; want %s named", err, errOut, key)
	}
}
