package cli_test

import (
	"github.com/critmin/critmin/custody"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mdOnly is a capture of site master data with no event: the event log
// stays empty, so the log has no tree head and its rebuild none either.
const mdOnly = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:md", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "Refinery"}]}]}]}},
 "epcisBody": {"eventList": []}}`

// TestVerifyMasterDataOnly: critmin init, then a capture of master data
// only, then critmin verify on the untampered database says ok (it said
// "derived table differs from its rebuild: table log_tree, row id=1").
func TestVerifyMasterDataOnly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	md := filepath.Join(dir, "md.json")
	if err := os.WriteFile(md, []byte(mdOnly), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := run(t, nil, "capture", "--db", db, md); err != nil {
		t.Fatalf("capture: %v %s %s", err, out, errOut)
	}
	out, _, err := run(t, nil, "verify", "--db", db)
	if err != nil || !strings.Contains(out, "ok") {
		t.Fatalf("verify of an untampered master-data-only store: %v\n%s", err, out)
	}
}

// TestRefineryOneInstallationKey: every source of the signing key is
// checked against the store's one installation key (issue 12, nu check
// fix12e item 1): a typo'd CRITMIN_SIGNING_KEY is an error naming the
// path and creates nothing; a foreign key through the env var or --key
// is refused while signing.key sits beside the database; the close with
// the installation's key pins it; that close cannot be voided (reopen
// it); a copy of the database restored without its signing.key refuses
// a reopen, saying to restore the key, and creates no key.
func TestRefineryOneInstallationKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	if _, _, err := run(t, nil, "capture", "--db", db, "../demo/corridor/01-pakistan-mines-to-ports.jsonld", "../demo/corridor/02-voyage-and-us-receipt.jsonld", "../demo/corridor/03-correction-refinery-and-next-lot.jsonld"); err != nil {
		t.Fatal(err)
	}
	site := "urn:critmin:demo:site:refinery-mo"
	closeArgs := []string{"refinery", "close", "--db", db, "--site", site, "--period", "2025-10", "--operator", "ops", "--accept", "no redundant measurements this month", "corridor"}
	typo := filepath.Join(t.TempDir(), "typo.key")
	if _, _, err := run(t, map[string]string{"CRITMIN_SIGNING_KEY": typo}, closeArgs...); err == nil || !strings.Contains(err.Error(), typo) {
		t.Fatalf("close with a typo'd CRITMIN_SIGNING_KEY: %v, want an error naming %s", err, typo)
	}
	if _, err := os.Stat(typo); !os.IsNotExist(err) {
		t.Fatalf("a key was created at the typo'd path %s", typo)
	}
	if _, err := custody.GenerateKey(db + ".signing.key"); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if _, err := custody.GenerateKey(other); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, map[string]string{"CRITMIN_SIGNING_KEY": other}, closeArgs...); err == nil || !strings.Contains(err.Error(), "not this installation's signing key") {
		t.Fatalf("close signed through CRITMIN_SIGNING_KEY with a foreign key: %v", err)
	}
	if _, _, err := run(t, nil, append([]string{closeArgs[0], closeArgs[1], "--key", other}, closeArgs[2:]...)...); err == nil || !strings.Contains(err.Error(), "not this installation's signing key") {
		t.Fatalf("close signed with --key foreign: %v", err)
	}
	if out, _, err := run(t, nil, closeArgs...); err != nil || !strings.Contains(out, "closed "+site+" 2025-10") {
		t.Fatalf("close with the installation's key: %v %s", err, out)
	}
	if _, _, err := run(t, nil, "refinery", "void-record", "--db", db, "--seq", "1", "--reason", "try", "--admin", "boss"); err == nil || !strings.Contains(err.Error(), "cannot be voided") {
		t.Fatalf("void of the installation's intact close: %v", err)
	}
	if _, _, err := run(t, map[string]string{"CRITMIN_SIGNING_KEY": other}, "refinery", "reopen", "--db", db, "--site", site, "--period", "2025-10", "--reason", "r", "--admin", "boss"); err == nil || !strings.Contains(err.Error(), "not this installation's signing key") {
		t.Fatalf("reopen through CRITMIN_SIGNING_KEY with a foreign key after the pin: %v", err)
	}
	if out, _, err := run(t, nil, "verify", "--db", db); err != nil || !strings.Contains(out, "signed by the installation key") {
		t.Fatalf("verify: %v %s", err, out)
	}
	// The database backed up and restored elsewhere without its
	// signing.key.
	rdir := t.TempDir()
	rdb := filepath.Join(rdir, "c.db")
	bak := filepath.Join(t.TempDir(), "c.bak")
	if _, _, err := run(t, nil, "backup", "--db", db, bak); err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := run(t, nil, "restore", "--db", rdb, bak); err != nil {
		t.Fatalf("restore: %v %s %s", err, out, errOut)
	}
	if _, _, err := run(t, nil, "refinery", "reopen", "--db", rdb, "--site", site, "--period", "2025-10", "--reason", "r", "--admin", "boss"); err == nil || !strings.Contains(err.Error(), "restore the signing key") {
		t.Fatalf("reopen on a store restored without its key: %v", err)
	}
	if _, err := os.Stat(rdb + ".signing.key"); !os.IsNotExist(err) {
		t.Fatal("a new key was created beside the restored store")
	}
}
