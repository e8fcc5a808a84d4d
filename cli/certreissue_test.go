package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin/sqlite"
)

// TestLotCertificateAfterRevocation: `lot certificate` on unchanged evidence
// gives the same certificate; once it is revoked, the lot gets a new one with
// a new ID (revocation generation 1), never the revoked ID freshly signed.
func TestLotCertificateAfterRevocation(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "c.db"), filepath.Join(dir, "k")
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument",
 "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}]}}`
	p := filepath.Join(dir, "a.json")
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"capture", "--db", db, p}, {"keygen", "--out", key}} {
		if _, stderr, err := run(t, nil, args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, stderr)
		}
	}
	issue := func(name string) string {
		t.Helper()
		out := filepath.Join(dir, name)
		if _, stderr, err := run(t, nil, "lot", "certificate", "--db", db, "--key", key, "--out", out, "urn:t:lot:A"); err != nil {
			t.Fatalf("lot certificate: %v %s", err, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return c["id"].(string)
	}
	revoke := func(id string) {
		t.Helper()
		ctx := context.Background()
		s, err := sqlite.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.RevokeCertificate(ctx, id, "withdrawn", "test", time.Date(2025, 11, 2, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	id0 := issue("c0.json")
	if again := issue("c0b.json"); again != id0 {
		t.Fatalf("unchanged evidence gave %s then %s", id0, again)
	}
	revoke(id0)
	id1 := issue("c1.json")
	if id1 == id0 {
		t.Fatalf("the revoked certificate %s was handed out again", id0)
	}
	if again := issue("c1b.json"); again != id1 {
		t.Errorf("after the revocation: %s then %s", id1, again)
	}
	revoke(id1)
	if id2 := issue("c2.json"); id2 == id0 || id2 == id1 {
		t.Errorf("after two revocations the lot's certificate is %s again", id2)
	}
}
