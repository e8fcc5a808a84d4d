package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// A close signed with a key other than the installation's (signing.key
// beside the database) is refused before it is appended: such a record
// would make the period chain unverifiable and every reader refuse every
// site's closes (issue 12, new-user check nu12c item 1). The
// installation's own key closes the month.
func TestRefineryCloseRefusesForeignKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	if _, _, err := run(t, nil, "capture", "--db", db, "../demo/corridor/01-pakistan-mines-to-ports.jsonld", "../demo/corridor/02-voyage-and-us-receipt.jsonld", "../demo/corridor/03-correction-refinery-and-next-lot.jsonld"); err != nil {
		t.Fatal(err)
	}
	own := db + ".signing.key"
	if _, err := custody.GenerateKey(own); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if _, err := custody.GenerateKey(other); err != nil {
		t.Fatal(err)
	}
	site := "urn:critmin:demo:site:refinery-mo"
	args := func(key string) []string {
		return []string{"refinery", "close", "--db", db, "--key", key, "--site", site, "--period", "2025-10", "--operator", "ops", "--accept", "no redundant measurements this month", "corridor"}
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, args(other)...); err == nil || !strings.Contains(err.Error(), "not this installation's signing key") {
		t.Fatalf("close signed with a foreign key: err = %v, want a refusal naming the key", err)
	}
	out, _, err := run(t, nil, "verify", "--db", db)
	if err != nil {
		t.Fatalf("verify after the refused close: %v %s (db was %d bytes)", err, out, len(before))
	}
	if out, _, err := run(t, nil, args(own)...); err != nil || !strings.Contains(out, "closed "+site+" 2025-10") {
		t.Fatalf("close with the installation's key: %v %s", err, out)
	}
	if out, _, err := run(t, nil, "verify", "--db", db); err != nil {
		t.Fatalf("verify after the close: %v %s", err, out)
	}
}
