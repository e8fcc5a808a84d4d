package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotShowGradeNotMeasuredStatesNoShare (issue 9, fix9j 5): P, 10 t
// of Pakistani concentrate at Nd 4 % (0.4 t Nd), is run into Z, 2 t of
// NdPr oxide with no assay of its own. Z's contained value is not
// measured: `lot show` and `lot origin` say so, and state no share — not
// "unknown 100.0 % (by contained value)".
func TestLotShowGradeNotMeasuredStatesNoShare(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "g.db")}
	docFile := filepath.Join(dir, "d.jsonld")
	const doc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:P", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 2, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}}]}}`
	if err := os.WriteFile(docFile, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, env, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	show, _, err := run(t, env, "lot", "show", "urn:t:lot:Z")
	if err != nil || !strings.Contains(show, "Physical origin  contained value not measured (grade not measured): no assay of its own") || strings.Contains(show, "unknown 100.0 %") {
		t.Errorf("lot show: %v\n%s", err, show)
	}
	origin, _, err := run(t, env, "lot", "origin", "urn:t:lot:Z")
	if err != nil || !strings.Contains(origin, "  overall            contained value not measured (grade not measured)\n") || strings.Contains(origin, "100.00 %  by contained") {
		t.Errorf("lot origin: %v\n%s", err, origin)
	}
}
