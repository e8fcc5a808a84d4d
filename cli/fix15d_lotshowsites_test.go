package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowEverySiteAndOutturn (issue 15, fix15d item 3): lot L holds
// 20 t at site M; 5 t ship to H under B/L B1 and are received there at
// 4,980 kg. critmin lot show's Remaining line lists every site as the
// lot page does (ledger.StandsAt): 20 − 5 = 15 wmt at M (the lot's body)
// and 4.98 wmt at H (received part) — it named M alone — and it prints
// the outturn as the page does (ledger.Outturns): shipped 5 wmt,
// received 4.98 wmt, difference 4.98 − 5 = −0.02 wmt, −0.02 / 5 =
// −0.40 %.
func TestLotShowEverySiteAndOutturn(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:L0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:M"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:originCountry": "PAK"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:L1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:M"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:L2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 4980, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:H"},
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
		"Remaining 15.000 wmt, 15.000 dmt at urn:t:site:M (the lot's body) · 4.980 wmt, 4.980 dmt at urn:t:site:H (received part)",
		"Shipped / received B/L urn:t:bol:B1: shipped 5.000 wmt by urn:t:ev:L1, received 4.980 wmt by urn:t:ev:L2, difference −0.020 wmt (−0.40 %)",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}
