package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowPartMoisture (issue 15, fix15m): `critmin lot show` gives
// each part its own moisture and dry mass. Lot PM, 30 t at Karachi at
// 8 %; 10 t received at Houston and read there at 10.5 %: the part is
// 10 × 0.895 = 8.95 dmt, the lot 20 × 0.92 + 8.95 = 27.35 dmt, its
// moisture (the rest's at Karachi) 8 %.
func TestLotShowPartMoisture(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:p0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:PM", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:karachi"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:p1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:PM", "quantity": 10000, "uom": "KGM"}],
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:p2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	  "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:PM", "quantity": 10000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:p3", "eventTime": "2025-11-21T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
	  "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:PM"}],
	  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 10.5, "uom": "P1"}]}]}]}}`
	f := filepath.Join(dir, "a.json")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, f); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, map[string]string{"CRITMIN_DB": db}, "lot", "show", "urn:t:lot:PM")
	if err != nil {
		t.Fatal(err)
	}
	out = regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	for _, want := range []string{"Mass 30.000 wmt, 27.350 dmt", "moisture 10.50 % by urn:t:ev:p3, 8.950 dmt", "Moisture 8.00 %"} {
		if !strings.Contains(out, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}
