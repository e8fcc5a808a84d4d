package cli_test

import (
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
