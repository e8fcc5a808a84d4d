package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowOutturnPercentHalfAway (issue 15, fix15p): lot L, 20 t at
// M; 8,000 kg ship to H under B/L B1 and are received at 7,990 kg.
// critmin lot show prints the outturn as the pages do
// (ledger.OutturnPercent): 7.99 − 8 = −0.010 wmt, −0.01 / 8 = −0.125 %,
// a decimal half, "−0.13 %" (half away from zero, units.Signed: one formatter with the pages, fix15s). It
// printed "-0.12 %" (float: −0.12499999999999734).
func TestLotShowOutturnPercentHalfAway(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:L0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:M"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:originCountry": "PAK"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:L1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 8000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:M"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:L2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 7990, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:H"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B1"}]}]}}`
	f := filepath.Join(dir, "l.json")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, f); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, map[string]string{"CRITMIN_DB": db}, "lot", "show", "urn:t:lot:L")
	if err != nil {
		t.Fatal(err)
	}
	flat := regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	for _, want := range []string{
		"Shipped / received B/L urn:t:bol:B1: shipped 8.000 wmt by urn:t:ev:L1, received 7.990 wmt by urn:t:ev:L2, difference −0.010 wmt (−0.13 %)",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}
