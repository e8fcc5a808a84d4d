package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// fix13x item 6: the exposure report's UNALLOCATED lines through the
// CLI. Lot EXP-AMB-CLI (B/L 2 Sep 2025, 100 000 kg at 9 % moisture,
// Cu 24 %, Au 4 g/t) is shipped and invoiced under no contract, and two
// stored contracts could invoice it: the demo copper contract and T-CU-B
// (the same terms under another id). It is listed as unallocated, its
// contained metal every payable at 100 % with no deduction (no
// contract's terms apply yet):
//
//	dmt = 100 t × (1 − 9 %) = 91 dmt
//	Cu  = 24 % × 91 t = 21.84 t = 21 840 kg
//	Au  = 4 g/t × 91 t = 364 g = 0.364 kg
//
// and the UNALLOCATED TOTAL line (JSON unallocated_lots 1,
// unallocated_kg) sums the unallocated lots: this one alone.
func TestTradeCLIExposureUnallocated(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../commercial/demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	terms := filepath.Join(dir, "t.json")
	os.WriteFile(terms, bytes.Replace(b, []byte(`"FWO-USSM-CU-2025"`), []byte(`"T-CU-B"`), 1), 0o644)
	if out, _, err := run(t, env, "trade", "contract", "add", terms); err != nil {
		t.Fatalf("contract add: %v %s", err, out)
	}
	lot := "urn:critmin:test:lot:EXP-AMB-CLI"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://critmin.invalid/ns#"}],
	  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z", "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:uuid:e13e0000-0000-4000-8000-0000000000d1", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
	   "action": "ADD", "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": 100000, "uom": "KGM"}],
	   "destinationList": [{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}],
	   "ilmd": {"cm:commodity": "copper_concentrate", "cm:moisture": 0.09, "cm:assay": [
	     {"cm:analyte": "Cu", "cm:value": 24, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Au", "cm:value": 4, "cm:unit": "g/t", "cm:basis": "dry"}]}},
	  {"type": "ObjectEvent", "eventID": "urn:uuid:e13e0000-0000-4000-9000-0000000000d1", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00",
	   "action": "OBSERVE", "bizStep": "shipping", "quantityList": [{"epcClass": "` + lot + `", "quantity": 100000, "uom": "KGM"}],
	   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:test:bol:E13E-D1"}]}]}}`
	doc = strings.ReplaceAll(doc, "https://critmin.invalid/ns#", ledger.Namespace)
	file := filepath.Join(dir, "lot.json")
	os.WriteFile(file, []byte(doc), 0o644)
	if out, _, err := run(t, env, "capture", file); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	out, _, err := run(t, env, "trade", "exposure", "--as-of", "2025-11-03")
	if err != nil {
		t.Fatalf("exposure: %v\n%s", err, out)
	}
	line, total := "", ""
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "UNALLOCATED "+lot+" "):
			line = l
		case strings.HasPrefix(l, "UNALLOCATED TOTAL"):
			total = l
		}
	}
	for _, want := range []string{"could be invoiced under contracts FWO-USSM-CU-2025, T-CU-B", "Au 0.364 kg", "Cu 21840 kg", "(91 dmt; in no total above)"} {
		if !strings.Contains(line, want) {
			t.Errorf("UNALLOCATED line %q; want %q\n%s", line, want, out)
		}
	}
	if !strings.Contains(total, "UNALLOCATED TOTAL 1 lot: contained") || !strings.Contains(total, "Au 0.364 kg") || !strings.Contains(total, "Cu 21840 kg") {
		t.Errorf("UNALLOCATED TOTAL line %q; want 1 lot, Au 0.364 kg, Cu 21840 kg\n%s", total, out)
	}
	out, _, err = run(t, env, "trade", "exposure", "--as-of", "2025-11-03", "--format", "json")
	if err != nil {
		t.Fatalf("exposure json: %v\n%s", err, out)
	}
	var ex struct {
		UnallocatedKg   map[string]json.Number `json:"unallocated_kg"`
		UnallocatedLots int                    `json:"unallocated_lots"`
		Lots            []struct {
			Lot          string                 `json:"lot"`
			Unallocated  bool                   `json:"unallocated"`
			CouldBeUnder []string               `json:"could_be_under"`
			ContainedKg  map[string]json.Number `json:"contained_kg"`
		} `json:"lots"`
	}
	if err := json.Unmarshal([]byte(out), &ex); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if ex.UnallocatedLots != 1 || ex.UnallocatedKg["Cu"].String() != "21840" || ex.UnallocatedKg["Au"].String() != "0.364" {
		t.Errorf("unallocated_lots %d, unallocated_kg %v; want 1, Cu 21840, Au 0.364", ex.UnallocatedLots, ex.UnallocatedKg)
	}
	found := false
	for _, l := range ex.Lots {
		if l.Lot == lot {
			found = l.Unallocated && len(l.CouldBeUnder) == 2 && l.ContainedKg["Cu"].String() == "21840"
		}
	}
	if !found {
		t.Errorf("lot %s not listed unallocated (could be under 2 contracts, Cu 21840 kg) in the JSON lots\n%s", lot, out)
	}
}
