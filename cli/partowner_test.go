package cli_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLotShowPartOwner (issue 15, fix15o): lot K5, 30 t at mine M owned
// and held by FWO; 10 t shipped to H and received there with
// destinations owning_party and possessing_party USSM. `lot show` names
// each site's holder with its mass, as the lot page does — M: FWO's body,
// 30 − 10 = 20 t; H: USSM's part, 10 t (fix15u) — and the part's line
// names its owner and custodian.
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
	for _, want := range []string{"Owner at urn:t:site:M: " + fwo + " 20.000 wmt\nOwner at urn:t:site:H: " + ussm + " 10.000 wmt",
		"Custodian at urn:t:site:M: " + fwo + " 20.000 wmt\nCustodian at urn:t:site:H: " + ussm + " 10.000 wmt",
		"owner " + ussm + ", custodian " + ussm} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}

// TestLotShowHoldersBySite (issue 15, fix15u; nu15f finding 1): lot K6,
// 30 t at mine M owned and held by FWO; 10 t shipped to Q under B/L B5
// and received there by USSM (owning_party and possessing_party), then
// the other 20 t shipped to Q under B6 and received with no party named:
// nothing is left at M (30 − 10 − 20 = 0 t), Q holds USSM's 10 t and
// FWO's 20 t. The Owner line named "FWO; the part at Q: USSM" — FWO as
// the body's owner though the body held 0 t, and FWO's 20 t at Q dropped
// because FWO is the lot's owner; it now reads Q: USSM 10.000 wmt, FWO
// 20.000 wmt, and the Custodian line the same.
func TestLotShowHoldersBySite(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	doc := filepath.Join(dir, "k6.jsonld")
	const fwo, ussm = "urn:t:party:FWO", "urn:t:party:USSM"
	ship := func(id, at, bol string, kg int) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		 "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": ` + strconv.Itoa(kg) + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:Q"}]}`
	}
	receive := func(id, at, bol string, kg int, parties string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:Q"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": ` + strconv.Itoa(kg) + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]` + parties + `}`
	}
	if err := os.WriteFile(doc, []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:k0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "`+fwo+`"}, {"type": "possessing_party", "destination": "`+fwo+`"}],
		"ilmd": {"cm:commodity": "antimony_ore"}},
		`+ship("k1", "2025-11-02T00:00:00Z", "B5", 10000)+`,
		`+receive("k2", "2025-11-03T00:00:00Z", "B5", 10000, `, "destinationList": [{"type": "owning_party", "destination": "`+ussm+`"}, {"type": "possessing_party", "destination": "`+ussm+`"}]`)+`,
		`+ship("k3", "2025-11-04T00:00:00Z", "B6", 20000)+`,
		`+receive("k4", "2025-11-05T00:00:00Z", "B6", 20000, "")+`]}}`), 0o644); err != nil {
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
	for _, want := range []string{
		"Owner at urn:t:site:Q: " + ussm + " 10.000 wmt, " + fwo + " 20.000 wmt Custodian at urn:t:site:Q: " + ussm + " 10.000 wmt, " + fwo + " 20.000 wmt Events",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}
