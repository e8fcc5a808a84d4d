package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestLotShowWithdrawn (fix15x item 3): `critmin lot show` of a lot all
// of whose events were declared in error says the lot was withdrawn and
// names the declaration, as GET /api/v1/lots/{id} answers 410, not "no
// lot"; a lot never recorded is still "no lot".
func TestLotShowWithdrawn(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "w.db")}
	if _, _, err := run(t, env, "init"); err != nil {
		t.Fatal(err)
	}
	ev := `{"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}`
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [` + ev + `}, ` + ev + `, "errorDeclaration": {"declarationTime": "2025-10-02T00:00:00Z", "reason": "incorrect_data"}}]}}`
	file := filepath.Join(dir, "w.jsonld")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, env, "capture", file); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, env, "lot", "show", "urn:t:lot:W")
	if err == nil || !strings.Contains(cli.Describe(err), "withdrawn") || !strings.Contains(cli.Describe(err), "urn:t:ev:W1") {
		t.Errorf("withdrawn lot: %v", err)
	}
	if _, _, err := run(t, env, "lot", "show", "urn:t:lot:NOPE"); err == nil || !strings.Contains(cli.Describe(err), "no lot") {
		t.Errorf("unknown lot: %v", err)
	}
}
