package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotOriginElementGradeNotMeasured (fix9q item 2): U, 10 t of
// Pakistani concentrate with no assay, is run into UO, 0.1 t at Nd 60 %
// = 0.06 t Nd. `lot origin` prints the Nd row as "grade not measured"
// with its measured 0.06 t and no share — not "unknown … 100.00 %".
func TestLotOriginElementGradeNotMeasured(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "g.db")}
	docFile := filepath.Join(dir, "d.jsonld")
	const doc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:U", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:U", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:RU", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:U", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:UO", "quantity": 0.1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if err := os.WriteFile(docFile, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, env, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	origin, _, err := run(t, env, "lot", "origin", "urn:t:lot:UO")
	if err != nil || !strings.Contains(origin, "  Nd contained       grade not measured             0.060000 t") || strings.Contains(origin, "Nd contained       unknown") {
		t.Errorf("lot origin: %v\n%s", err, origin)
	}
}
