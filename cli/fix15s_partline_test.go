package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowPartLineSaysShippedThenReceived (issue 15, fix15s,
// cosmetic): lot show printed a received part as "12.000 wmt received
// from … received 11.950 wmt": the shipped mass labelled received, then
// the received mass. Lot P, 20 t at M; 12,000 kg shipped to H under B/L
// P1 and received at 11,950 kg. The part line now states its status,
// then the mass shipped as shipped: "Part received: 12.000 wmt shipped
// from urn:t:site:M to urn:t:site:H, …, received 11.950 wmt by …".
func TestLotShowPartLineSaysShippedThenReceived(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:P0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:M"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:originCountry": "PAK"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:P1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 12000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:M"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:P1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:P2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	  "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 11950, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:H"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:P1"}]}]}}`
	f := filepath.Join(dir, "p.json")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, f); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, "urn:t:lot:P")
	if err != nil {
		t.Fatal(err)
	}
	flat := regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	want := "Part received: 12.000 wmt shipped from urn:t:site:M to urn:t:site:H, B/L urn:t:bol:P1, by urn:t:ev:P1, received 11.950 wmt by urn:t:ev:P2"
	if !strings.Contains(flat, want) || strings.Contains(flat, "wmt received from") {
		t.Errorf("lot show lacks %q (or still reads \"wmt received from\"):\n%s", want, out)
	}
}
