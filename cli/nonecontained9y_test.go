package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotOriginNoneContained (issue 9, fix9y item 4): ZP, Pakistan, 10 t
// at Nd 4 % + Pr 0 %: 0.4 t Nd (Pakistan 100 %) and 10 × 0 % = 0 t Pr.
// `lot origin` prints Pr as "none contained" with no share — not
// "Pakistan … 100.00 %" of nothing.
func TestLotOriginNoneContained(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "z.db")}
	docFile := filepath.Join(dir, "d.jsonld")
	const doc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:ZP", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:ZP", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 0, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if err := os.WriteFile(docFile, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, env, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	origin, _, err := run(t, env, "lot", "origin", "urn:t:lot:ZP")
	if err != nil || !strings.Contains(origin, "  Pr contained       none contained                 0.000000 t  (no share: the lot contains none)") ||
		strings.Contains(origin, "Pr contained       Pakistan") || !strings.Contains(origin, "  Nd contained       Pakistan") {
		t.Errorf("lot origin: %v\n%s", err, origin)
	}
}
