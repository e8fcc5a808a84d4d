package cli_test

import (
	"github.com/critmin/critmin/custody"
	"path/filepath"
	"strings"
	"testing"
)

// backup and restore remind that the installation signing key is not in
// the backup and must be kept with it, naming its path (DB.signing.key
// beside a SQLite database).
func TestBackupRestoreNameSigningKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	if _, _, err := run(t, nil, "capture", "--db", db, "../demo/corridor/01-pakistan-mines-to-ports.jsonld"); err != nil {
		t.Fatal(err)
	}
	// The key serve would have created (fix14p: the note names a key
	// file only if it exists).
	if _, err := custody.GenerateKey(db + ".signing.key"); err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(dir, "c.bak")
	_, errOut, err := run(t, nil, "backup", "--db", db, bak)
	if err != nil || !strings.Contains(errOut, "signing key "+db+".signing.key") {
		t.Errorf("backup: %v, stderr %q; want the signing key %s.signing.key named", err, errOut, db)
	}
	r := filepath.Join(dir, "r.db")
	_, errOut, err = run(t, nil, "restore", "--db", r, bak)
	if err != nil || !strings.Contains(errOut, "key kept with the backup at "+r+".signing.key") {
		t.Errorf("restore: %v, stderr %q; want the signing key %s.signing.key named", err, errOut, r)
	}
}
