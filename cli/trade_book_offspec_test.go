package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// Issue 13, fifth new-user check through the CLI. On 1 Dec 2025 the demo
// NdPr oxide lot (1 150 kg, 100 % payable: 1 150 kg long) is the magnet
// maker's only position; the REE contract (FWO → USSM, three open lots:
// two invoiced provisionally and REE-2025-003 shipped, not yet invoiced —
// fix13t) is left out and said so (before: refused). The demo REE lot's grade −10 %
// has a figure (before: n/a), with the grades it scales named.
func TestTradeCLIBookAndGradeSensitivity(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "exposure", "--as-of", "2025-12-01", "--book", "urn:critmin:demo:party:magnet-maker")
	if err != nil || !strings.Contains(out, "LEFT OUT FWO-USSM-REE-2025 (3 open lots)") || !strings.Contains(out, "NdPr oxide  1150 ") {
		t.Errorf("exposure: %v\n%s", err, out)
	}
	out, _, err = run(t, env, "trade", "nsr", "--lot", "urn:critmin:demo:lot:REE-2025-001", "--as-of", "2025-12-01")
	if err != nil || strings.Contains(out, "n/a") || !strings.Contains(out, "grade scales CeO2, La2O3, Nd2O3, Pr6O11, TREO") {
		t.Errorf("nsr: %v\n%s", err, out)
	}
}

// An off-spec lot's zero invoice warns on the CLI: NdPr oxide at Nd2O3
// 74 % + Pr6O11 24 % = 98 %, under the 99 % minimum grade of the demo
// NdPr terms: nothing payable, 0 USD, with a WARNING line (before: the
// 0 USD invoice issued silently).
func TestTradeCLIOffSpecInvoiceWarns(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../commercial/demo/ndpr-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	terms := filepath.Join(dir, "t.json")
	os.WriteFile(terms, bytes.Replace(b, []byte(`"USSM-NDPR-FLOOR-2025"`), []byte(`"T-NDPR"`), 1), 0o644)
	if _, _, err := run(t, env, "trade", "contract", "add", terms); err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:test:lot:NDPR-OFF"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://critmin.invalid/ns#"}],
	  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z", "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:uuid:e13e0000-0000-4000-8000-0000000000c1", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
	   "action": "ADD", "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": 1000, "uom": "KGM"}],
	   "destinationList": [{"type": "owning_party", "destination": "urn:critmin:demo:party:ussm"}],
	   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [
	     {"cm:analyte": "Nd2O3", "cm:value": 74, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr6O11", "cm:value": 24, "cm:unit": "%", "cm:basis": "dry"}]}},
	  {"type": "ObjectEvent", "eventID": "urn:uuid:e13e0000-0000-4000-9000-0000000000c1", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00",
	   "action": "OBSERVE", "bizStep": "shipping", "quantityList": [{"epcClass": "` + lot + `", "quantity": 1000, "uom": "KGM"}],
	   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:test:bol:E13E-C1"}]}]}}`
	doc = strings.ReplaceAll(doc, "https://critmin.invalid/ns#", ledger.Namespace)
	file := filepath.Join(dir, "lot.json")
	os.WriteFile(file, []byte(doc), 0o644)
	if out, _, err := run(t, env, "capture", file); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	// The amount in USD's minor units (commercial.FormatAmount): 0.00.
	out, _, err := run(t, env, "trade", "invoice", "issue", "--contract", "T-NDPR", "--lot", lot, "--kind", "provisional")
	if err != nil || !strings.Contains(out, ": 0.00 USD") || !strings.Contains(out, "WARNING: lot "+lot+" is worth nothing") || !strings.Contains(out, "below the minimum payable grade") {
		t.Errorf("issue: %v\n%s", err, out)
	}
}
