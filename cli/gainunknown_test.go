package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotOriginStatesGainedMetalUnknown (nu37a p30): A, 10 t of Pakistani
// concentrate at Nd 4 %, Pr 0 % (0.4 t Nd, 0 t Pr), is run into X, 0.5 t
// at Nd 60 %, Pr 20 % = 0.3 t Nd, 0.1 t Pr. The 0.1 t Pr came from no
// recorded input: `lot origin` prints it as of unknown origin, and the
// overall line says that part is left out — never "none contained".
// Failed before: "Pr contained none contained 0.000000 t".
func TestLotOriginStatesGainedMetalUnknown(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "g.db")}
	docFile := filepath.Join(dir, "d.jsonld")
	const doc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 0, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:X", "quantity": 0.5, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if err := os.WriteFile(docFile, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, env, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	origin, _, err := run(t, env, "lot", "origin", "urn:t:lot:X")
	if err != nil || strings.Contains(origin, "none contained") ||
		!strings.Contains(origin, "  Pr contained       unknown                        0.100000 t  100.00 %") ||
		!strings.Contains(origin, "  Pr contained       of which origin unknown        0.100000 t") ||
		!strings.Contains(origin, "origin unknown (from no recorded input: element_gain)") {
		t.Errorf("lot origin: %v\n%s", err, origin)
	}
	// The overall origin in shares of the whole, the unknown part first
	// (nu38b-6): Pr's 0.1 t is 25.93 % of X's contained value (0.1 t ×
	// 89.40 USD/kg = US$8,940 of US$8,940 + 0.3 t × 85.15 = US$25,545,
	// US$34,485), Pakistan the other 74.07 % — never "Pakistan 100.00 %".
	// `lot show` opens its physical origin line the same way.
	iUnk, iPak := strings.Index(origin, "  overall            origin unknown                25.93 %"), strings.Index(origin, "  overall            Pakistan                      74.07 %")
	if iUnk < 0 || iPak < iUnk || strings.Contains(origin, "Pakistan                     100.00 %  by contained value") {
		t.Errorf("lot origin: want the overall origin unknown 25.93 %%, then Pakistan 74.07 %%:\n%s", origin)
	}
	show, _, err := run(t, env, "lot", "show", "urn:t:lot:X")
	if err != nil || !strings.Contains(show, "Physical origin\torigin unknown 25.9 %, Pakistan 74.1 % (by contained value)") && !strings.Contains(show, "origin unknown 25.9 %, Pakistan 74.1 % (by contained value)") {
		t.Errorf("lot show: %v\n%s", err, show)
	}
}
