package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowPartReceivedNotWeighed (issue 15, fix15zd, nu15g item 4):
// a receipt stating no weight printed "received 0.000 wmt" although the
// part's 5 t stood at the port. Lot W, 20 t at M; 5,000 kg shipped to H
// under B/L W1, received at H naming W1 with no quantity: the part line
// reads "received, not weighed by …", no quantity stated, and the part
// keeps its shipped 5 t (the lot 20 t).
func TestLotShowPartReceivedNotWeighed(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:W0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:M"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:originCountry": "PAK"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:M"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:W1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:W2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	  "quantityList": [{"epcClass": "urn:t:lot:W"}], "bizLocation": {"id": "urn:t:site:H"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:W1"}]}]}}`
	f := filepath.Join(dir, "w.json")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, f); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, "urn:t:lot:W")
	if err != nil {
		t.Fatal(err)
	}
	flat := regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	want := "Part received: 5.000 wmt shipped from urn:t:site:M to urn:t:site:H, B/L urn:t:bol:W1, by urn:t:ev:W1, received, not weighed by urn:t:ev:W2"
	if !strings.Contains(flat, want) || strings.Contains(flat, "received 0.000 wmt") {
		t.Errorf("lot show lacks %q (or still reads \"received 0.000 wmt\"):\n%s", want, out)
	}
}
