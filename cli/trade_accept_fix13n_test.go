package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// fix13n (issue 13) through the CLI: a copper lot loaded at H2O 0.8 %
// (a slip for 8 %: 100 × 0.992 = 99.2 dmt instead of 92) is refused;
// --accept moisture with who and why issues it and prints the acceptance;
// --accept without who or why is refused naming the field. A price row a
// unit factor from its neighbours is refused at import, imported with
// --confirm-unit-jumps.
func TestTradeCLIAcceptAndUnitJumps(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:test:lot:MOIST-CLI"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://critmin.invalid/ns#"}],
	  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z", "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
	   "action": "ADD", "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": 100000, "uom": "KGM"}],
	   "destinationList": [{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}],
	   "ilmd": {"cm:commodity": "copper_concentrate", "cm:moisture": 0.008, "cm:assay": [
	     {"cm:analyte": "Cu", "cm:value": 24, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Au", "cm:value": 4, "cm:unit": "g/t", "cm:basis": "dry"}]}},
	  {"type": "ObjectEvent", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00",
	   "action": "OBSERVE", "bizStep": "shipping", "quantityList": [{"epcClass": "` + lot + `", "quantity": 100000, "uom": "KGM"}],
	   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:test:bol:MOIST-CLI"}]}]}}`
	doc = strings.ReplaceAll(doc, "https://critmin.invalid/ns#", ledger.Namespace)
	file := filepath.Join(dir, "lot.json")
	os.WriteFile(file, []byte(doc), 0o644)
	if out, _, err := run(t, env, "capture", file); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	issue := []string{"trade", "invoice", "issue", "--contract", "FWO-USSM-CU-2025", "--lot", lot, "--kind", "provisional"}
	if _, _, err := run(t, env, issue...); err == nil || !strings.Contains(err.Error(), "0.8 %") {
		t.Errorf("issue on H2O 0.8 %%: %v; want refused", err)
	}
	if _, _, err := run(t, env, append(issue, "--accept", "moisture")...); err == nil || !strings.Contains(err.Error(), "accept/0/by") {
		t.Errorf("--accept without who: %v; want refused naming accept/0/by", err)
	}
	out, _, err := run(t, env, append(issue, "--accept", "moisture", "--accepted-by", "a.khan", "--accept-reason", "kiln-dried lot, lab report L-7")...)
	if err != nil || !strings.Contains(out, "ACCEPTED (moisture) by a.khan: kiln-dried lot, lab report L-7") {
		t.Errorf("issue accepting: %v\n%s", err, out)
	}
	// The settlement and the invoice show the acceptance (inherited by
	// the valuation from the invoice).
	if out, _, err := run(t, env, "trade", "settle", "--terms", "FWO-USSM-CU-2025", "--lot", lot); err != nil || !strings.Contains(out, "ACCEPTED (moisture, provisional settlement) by a.khan: kiln-dried lot, lab report L-7") {
		t.Errorf("settle: %v\n%s", err, out)
	}
	csv := "series,date,value,unit,source,frequency\nT-ND-KG,2025-08-04,70,USD/kg,test,daily\nT-ND-KG,2025-08-05,70,USD/kg,test,daily\nT-ND-KG,2025-08-06,31.75,USD/kg,test,daily\nT-ND-KG,2025-08-07,70,USD/kg,test,daily\n"
	prices := filepath.Join(dir, "p.csv")
	os.WriteFile(prices, []byte(csv), 0o644)
	if _, _, err := run(t, env, "trade", "prices", "import", prices); err == nil || !strings.Contains(err.Error(), "line 4/value") || !strings.Contains(err.Error(), "USD/lb") {
		t.Errorf("import with a per-lb row: %v; want refused naming line 4/value and USD/lb", err)
	}
	if out, _, err := run(t, env, "trade", "prices", "import", "--confirm-unit-jumps", prices); err != nil || !strings.Contains(out, "series T-ND-KG: 4 days") {
		t.Errorf("confirmed: %v %s", err, out)
	}
}
