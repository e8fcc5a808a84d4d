package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotOriginByProductsNotAssayed (fix9ah item d): P, 10 t of Pakistani
// concentrate at Nd 6 %, Pr 2 %, La 1 %, Ce 1 %, is run into Z, 1 t of
// NdPr oxide assayed Nd 50 % + Pr 15 % only. `lot origin` names La and
// Ce as by-products not assayed, never "grade not measured": NdPr oxide
// is valued on Nd and Pr, which are measured.
func TestLotOriginByProductsNotAssayed(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "z.db")}
	docFile := filepath.Join(dir, "d.jsonld")
	const doc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:P", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 6, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 2, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "La", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Ce", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 50, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 15, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if err := os.WriteFile(docFile, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, env, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	origin, _, err := run(t, env, "lot", "origin", "urn:t:lot:Z")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"Ce", "La"} {
		if want := "  " + e + "                 not assayed (a by-product NdPr oxide is not valued on): shares unknown"; !strings.Contains(origin, want) {
			t.Errorf("lot origin lacks %q:\n%s", want, origin)
		}
	}
	if strings.Contains(origin, "grade not measured") {
		t.Errorf("lot origin calls a by-product's grade not measured:\n%s", origin)
	}
}
