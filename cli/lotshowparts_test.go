package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowPartsAndAnomalies (fix9c item 3): critmin lot show prints
// what the API's lot view gives beyond the lot's total. The demo NdPr
// oxide lot (2,530 kg) shipped a part of 1,150 kg under B/L
// MO-FTW-2025-1027 (trade demo): 2.53 − 1.15 = 1.38 wmt remain at the
// refinery, 1.15 wmt are in transit, and the part is listed with its B/L
// and the site it left by its master-data name (fix15f).
// A lot commissioned without cm:originCountry has the origin anomaly
// no_origin, printed as an Anomaly line (the JSON form carries it in
// "anomalies", as GET /api/v1/lots/{id} does).
func TestLotShowPartsAndAnomalies(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	env := map[string]string{"CRITMIN_DB": db}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "lot", "show", "urn:critmin:demo:lot:NDPR-2025-001")
	if err != nil {
		t.Fatal(err)
	}
	flat := regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	for _, want := range []string{"Mass 2.530 wmt", "Remaining 1.380 wmt", "In transit 1.150 wmt in parts",
		"Part in transit: 1.150 wmt shipped from USSM processing plant, Missouri (illustrative) (urn:critmin:demo:site:refinery-mo)", "B/L urn:critmin:demo:bol:MO-FTW-2025-1027"} {
		if !strings.Contains(flat, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:X0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:X", "quantity": 5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:m"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}]}}`
	f := filepath.Join(dir, "x.json")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, f); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, env, "lot", "show", "urn:t:lot:X")
	if err != nil || !strings.Contains(out, "Anomaly") || !strings.Contains(out, "no_origin: lot urn:t:lot:X has no recorded origin") {
		t.Errorf("lot show of a lot without origin: %v\n%s", err, out)
	}
	out, _, err = run(t, env, "lot", "show", "--format", "json", "urn:t:lot:X")
	if err != nil || !strings.Contains(out, `"anomalies"`) || !strings.Contains(out, `"kind": "no_origin"`) {
		t.Errorf("lot show --format json: %v\n%s", err, out)
	}
}
