package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
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

// TestLotShowRetractedPartNamesItsDispatchParties (issue 15, fix15v;
// nu15f 7): as TestLotShowNamedShipmentFromARetractedReceipt, the lot's
// custodian FWO (at Loe Shilman). NUB-3, 6 t shipped from Karachi naming
// USSM its source owner, ships from USSM's receipt declared in error:
// nothing of the lot stood there. Its line read "owner ussm, custodian
// fwo" — FWO held nothing at Karachi; it now names what its dispatch
// named, owner USSM, no custodian, and says so.
func TestLotShowRetractedPartNamesItsDispatchParties(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	ev := func(id, step, when, site, to, bol, kg, from, owner string) string {
		var src, dst []string
		if from != "" {
			src = append(src, `{"type": "owning_party", "source": "urn:t:party:`+from+`"}`)
		}
		if to != "" {
			dst = append(dst, `{"type": "location", "destination": "urn:t:site:`+to+`"}`)
		}
		if owner != "" {
			dst = append(dst, `{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}`)
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:nub:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "urn:t:site:` + site + `"}, "quantityList": [{"epcClass": "urn:t:lot:NU-B1", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "sourceList": [` + strings.Join(src, ",") + `], "destinationList": [` + strings.Join(dst, ",") + `]}`
	}
	capture := func(name string, events ...string) {
		t.Helper()
		doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
		 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := run(t, nil, "capture", "--db", db, f); err != nil {
			t.Fatal(err)
		}
	}
	r1 := ev("r1", "receiving", "2025-11-04T00:00:00Z", "karachi", "", "NUB-1", "12000", "", "ussm")
	capture("a.json", `{"type": "ObjectEvent", "eventID": "urn:t:nub:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:NU-B1", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:loe-shilman"},
	  "destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}, {"type": "possessing_party", "destination": "urn:t:party:fwo"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
		ev("s1", "shipping", "2025-11-02T00:00:00Z", "loe-shilman", "karachi", "NUB-1", "12000", "", ""), r1,
		ev("s2", "shipping", "2025-11-05T00:00:00Z", "loe-shilman", "karachi", "NUB-2", "5000", "", ""),
		ev("r2", "receiving", "2025-11-07T00:00:00Z", "karachi", "", "NUB-2", "5000", "", "smelter"),
		ev("s3", "shipping", "2025-11-08T00:00:00Z", "karachi", "houston", "NUB-3", "6000", "ussm", ""))
	capture("b.json", strings.Replace(r1, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1))
	out, _, err := run(t, map[string]string{"CRITMIN_DB": db}, "lot", "show", "urn:t:lot:NU-B1")
	if err != nil {
		t.Fatal(err)
	}
	out = regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	nub3 := regexp.MustCompile(`Part in transit: 6\.000 wmt[^\n]*`).FindString(out)
	// FWO may be named only as the custodian of what stood at Karachi
	// then (the smelter's part, its flag's wording: fix15zh), never as
	// NUB-3's.
	if !strings.Contains(nub3, "owner urn:t:party:ussm, custodian not stated as its dispatch names them") || strings.Contains(nub3, "custodian urn:t:party:fwo") ||
		!strings.Contains(nub3, "ships from a receipt declared in error") {
		t.Errorf("lot show: want NUB-3 flagged, owner USSM and no custodian as its dispatch names them (it read custodian FWO, the lot's at Loe Shilman):\n%s", nub3)
	}
}
