package cli_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLotShowPartOfSeveralOwners (issue 15, fix15l item 2): lot K6, 30 t
// at mine M owned and held by FWO. 10 t go to H under B/L O1, received
// there for USSM; 8 t under B/L O2, received there for BUY2. A shipment
// from H stating no quantity and naming no party ships every part there,
// 10 + 8 = 18 t: its line in `lot show` names both owners and both
// custodians, "owners USSM, BUY2, custodians USSM, BUY2" (it read USSM's
// alone).
func TestLotShowPartOfSeveralOwners(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	doc := filepath.Join(dir, "k6.jsonld")
	const fwo, ussm, buy2 = "urn:t:party:FWO", "urn:t:party:USSM", "urn:t:party:BUY2"
	ship := func(id, day, bol string, kg int) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		 "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": ` + strconv.Itoa(kg) + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]}`
	}
	recv := func(id, day, bol string, kg int, party string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:H"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": ` + strconv.Itoa(kg) + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}],
		 "destinationList": [{"type": "owning_party", "destination": "` + party + `"}, {"type": "possessing_party", "destination": "` + party + `"}]}`
	}
	if err := os.WriteFile(doc, []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:o0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "`+fwo+`"}, {"type": "possessing_party", "destination": "`+fwo+`"}],
		"ilmd": {"cm:commodity": "antimony_ore"}},
		`+ship("o1", "02", "O1", 10000)+`, `+recv("o2", "03", "O1", 10000, ussm)+`,
		`+ship("o3", "04", "O2", 8000)+`, `+recv("o4", "05", "O2", 8000, buy2)+`,
		{"type": "ObjectEvent", "eventID": "urn:t:ev:o5", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		 "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:H"}, "quantityList": [{"epcClass": "urn:t:lot:K6"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O3"}], "destinationList": [{"type": "location", "destination": "urn:t:site:R"}]}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, doc); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, "urn:t:lot:K6")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"in transit: 18.000 wmt shipped from urn:t:site:H to urn:t:site:R", "owners " + ussm + ", " + buy2 + ", custodians " + ussm + ", " + buy2} {
		if !strings.Contains(flat, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}
