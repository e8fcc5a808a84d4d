package cli_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLotShowAssayNamesHolding (issue 15, fix15v; nu15f item 5): lot K6,
// 30 t at mine M of FWO; 10 t shipped to Q under B5 and received by
// USSM, 20 t under B6 received with no party named (FWO's still); then
// sampled at Q, As 0.15 % dry. The one reading is each holding's at Q:
// `lot show` listed "As 0.15 % of the part at urn:t:site:Q" twice, with
// nothing saying whose. Each line now names its part's owner.
func TestLotShowAssayNamesHolding(t *testing.T) {
	const fwo, ussm = "urn:t:party:FWO", "urn:t:party:USSM"
	rows, out := holdingAssayRows(t, "")
	// One row per holding at Q: USSM's 10 t (B5) and FWO's 20 t (B6).
	if len(rows) != 2 {
		t.Fatalf("want 2 As rows, one per holding at Q, got %d:\n%s", len(rows), out)
	}
	for _, want := range []string{
		"of the part at urn:t:site:Q owned by " + ussm + " (",
		"of the part at urn:t:site:Q owned by " + fwo + " (",
	} {
		if !strings.Contains(rows[0], want) && !strings.Contains(rows[1], want) {
			t.Errorf("no As row reads %q:\n%s", want, strings.Join(rows, "\n"))
		}
	}
}

// TestLotShowAssayNamesBillOfLading (fix15v): as
// TestLotShowAssayNamesHolding, but B6's receipt names USSM too: both
// holdings at Q are USSM's, so each As row names its bill of lading.
func TestLotShowAssayNamesBillOfLading(t *testing.T) {
	const ussm = "urn:t:party:USSM"
	rows, out := holdingAssayRows(t, `, "destinationList": [{"type": "owning_party", "destination": "`+ussm+`"}]`)
	if len(rows) != 2 {
		t.Fatalf("want 2 As rows, one per holding at Q, got %d:\n%s", len(rows), out)
	}
	for _, want := range []string{
		"of the part at urn:t:site:Q owned by " + ussm + ", B/L urn:t:bol:B5 (",
		"of the part at urn:t:site:Q owned by " + ussm + ", B/L urn:t:bol:B6 (",
	} {
		if !strings.Contains(rows[0], want) && !strings.Contains(rows[1], want) {
			t.Errorf("no As row reads %q:\n%s", want, strings.Join(rows, "\n"))
		}
	}
}

// holdingAssayRows captures the lot K6 of TestLotShowAssayNamesHolding,
// B6's receipt naming parties b6 (JSON members, "" for none), and gives
// `lot show`'s As rows and its whole output.
func holdingAssayRows(t *testing.T, b6 string) ([]string, string) {
	t.Helper()
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
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0}},
		`+ship("k1", "2025-11-02T00:00:00Z", "B5", 10000)+`,
		`+receive("k2", "2025-11-03T00:00:00Z", "B5", 10000, `, "destinationList": [{"type": "owning_party", "destination": "`+ussm+`"}, {"type": "possessing_party", "destination": "`+ussm+`"}]`)+`,
		`+ship("k3", "2025-11-04T00:00:00Z", "B6", 20000)+`,
		`+receive("k4", "2025-11-05T00:00:00Z", "B6", 20000, b6)+`,
		{"type": "ObjectEvent", "eventID": "urn:t:ev:k5", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
		 "bizLocation": {"id": "urn:t:site:Q"}, "quantityList": [{"epcClass": "urn:t:lot:K6"}],
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/As", "value": 0.15, "uom": "P1", "cm:basis": "dry"}]}]}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, doc); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, "urn:t:lot:K6")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Assay") && strings.Contains(line, "As 0.15 %") {
			rows = append(rows, strings.Join(strings.Fields(line), " "))
		}
	}
	return rows, out
}
