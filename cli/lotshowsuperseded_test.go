package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowMarksSupersededAssay (issue 9, new-user check 2): lot S,
// Pr 1 % dry at commissioning (Oct 1), re-assayed Pr 1.8 % as received
// with 10 % H2O on Oct 5 (event S1: 1.8 ÷ 0.9 = 2 % dry). critmin lot
// show lists the first as superseded by S1 of 2025-10-05, not in effect;
// the second is in effect (unmarked).
func TestLotShowMarksSupersededAssay(t *testing.T) {
	dir := t.TempDir()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S0", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 12, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.1, "cm:assay": [{"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:S"}],
   "sensorElementList": [{"sensorReport": [{"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 1.8, "uom": "P1", "cm:basis": "as_received"},
    {"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 10, "uom": "P1"}]}]}]}}`
	f := filepath.Join(dir, "s.json")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "capture", f); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "lot", "show", "urn:t:lot:S")
	if err != nil {
		t.Fatal(err)
	}
	flat := regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	if !strings.Contains(flat, "Assay Pr 1 % (dry) at 2025-10-01T00:00:00Z; superseded by event urn:t:ev:S1 of 2025-10-05, not in effect") {
		t.Errorf("lot show does not mark the superseded assay:\n%s", out)
	}
	if strings.Count(flat, "superseded by") != 1 {
		t.Errorf("the assay in effect is marked too:\n%s", out)
	}
}
