package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotShowPartAssay (issue 15, fix15a): lot K6, 20 t at mine M at
// Nd 5 % (dry); 5 t shipped to K and received; assayed there at Nd 4 %.
// `lot show` lists the lot's Nd 5 % in effect (it read "superseded by
// event …:a1") and the 4 % as the part's: "of the part at …:K".
func TestLotShowPartAssay(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	doc := filepath.Join(dir, "k6.jsonld")
	if err := os.WriteFile(doc, []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:a0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 20000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:a1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		 "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 5000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K6"}], "destinationList": [{"type": "location", "destination": "urn:t:site:K"}]},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:a2", "eventTime": "2025-11-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:K"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 5000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K6"}]},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:a3", "eventTime": "2025-11-04T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
		 "bizLocation": {"id": "urn:t:site:K"}, "quantityList": [{"epcClass": "urn:t:lot:K6"}],
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 4, "uom": "P1", "cm:basis": "dry"}]}]}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, doc); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, "urn:t:lot:K6")
	if err != nil {
		t.Fatal(err)
	}
	var lot, part string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, "Assay") && strings.Contains(line, "Nd 5 %"):
			lot = line
		case strings.Contains(line, "Assay") && strings.Contains(line, "Nd 4 %"):
			part = line
		}
	}
	if lot == "" || strings.Contains(lot, "superseded") {
		t.Errorf("the lot's Nd 5 %% line %q: want it in effect\n%s", lot, out)
	}
	if !strings.Contains(part, "of the part at urn:t:site:K") || strings.Contains(part, "superseded") {
		t.Errorf("the Nd 4 %% line %q: want it the part's at urn:t:site:K, in effect\n%s", part, out)
	}
}
