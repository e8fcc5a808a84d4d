package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotShowPartOwner (issue 15, fix15o): lot K5, 30 t at mine M owned
// and held by FWO; 10 t shipped to H and received there with
// destinations owning_party and possessing_party USSM. `lot show` reads
// the body's owner FWO and names the part's: "FWO; the part at H: USSM",
// as the lot page does; the part's line names its owner and custodian.
func TestLotShowPartOwner(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	doc := filepath.Join(dir, "k5.jsonld")
	const fwo, ussm = "urn:t:party:FWO", "urn:t:party:USSM"
	if err := os.WriteFile(doc, []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:o0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K5", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "`+fwo+`"}, {"type": "possessing_party", "destination": "`+fwo+`"}],
		"ilmd": {"cm:commodity": "antimony_ore"}},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:o1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		 "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K5", "quantity": 10000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:o2", "eventTime": "2025-11-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:H"}, "quantityList": [{"epcClass": "urn:t:lot:K5", "quantity": 10000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O1"}],
		 "destinationList": [{"type": "owning_party", "destination": "`+ussm+`"}, {"type": "possessing_party", "destination": "`+ussm+`"}]}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, doc); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, "urn:t:lot:K5")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Owner     " + fwo + "; the part at urn:t:site:H: " + ussm, "Custodian " + fwo + "; the part at urn:t:site:H: " + ussm,
		"owner " + ussm + ", custodian " + ussm} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}
