package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowMarksSameBasisReassay (issue 9, fix9n 4): a re-assay on the
// same basis supersedes the older as one on another basis does — the
// older is listed, marked, never silently dropped. S: Pr 1 % dry (1
// October), Pr 1.5 % dry (5 October): 12 t dry × 1.5 % = 0.18 t Pr in
// effect; the 1 % is "superseded by event urn:t:ev:S1 of 2025-10-05".
func TestLotShowMarksSameBasisReassay(t *testing.T) {
	dir := t.TempDir()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S0", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 12, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:S"}],
   "sensorElementList": [{"sensorReport": [{"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 1.5, "uom": "P1", "cm:basis": "dry"}]}]}]}}`
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
		t.Errorf("lot show does not list the superseded same-basis assay:\n%s", out)
	}
	if !strings.Contains(flat, "Assay Pr 1.5 % (dry) at 2025-10-05T00:00:00Z\n") || strings.Count(flat, "superseded by") != 1 {
		t.Errorf("the assay in effect is not listed once, unmarked:\n%s", out)
	}
}
