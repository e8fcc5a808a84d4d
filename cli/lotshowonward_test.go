package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowOnwardParts (issue 15, fix15p items 2 and 5): lot OW, 30 t
// at Karachi, 10 t received at Houston, 6 t shipped on from Houston.
// `critmin lot show` gives the onward part from Houston and the 6 t
// shipped on of the received part; once the receipt is declared in
// error, the onward part "ships from a receipt declared in error" and
// 10 t (not 16) are in transit.
func TestLotShowOnwardParts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	env := map[string]string{"CRITMIN_DB": db}
	ship := func(id, when, from, to, kg, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
		 "bizLocation": {"id": "urn:t:site:` + from + `"}, "quantityList": [{"epcClass": "urn:t:lot:OW", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:` + to + `"}]}`
	}
	receipt := `{"type": "ObjectEvent", "eventID": "urn:t:ev:o2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	 "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:OW", "quantity": 10000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`
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
	capture("a.json", `{"type": "ObjectEvent", "eventID": "urn:t:ev:o0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:OW", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:karachi"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0}}`,
		ship("o1", "2025-11-02T00:00:00Z", "karachi", "houston", "10000", "1"), receipt, ship("o3", "2025-11-21T00:00:00Z", "houston", "baltimore", "6000", "2"))
	show := func() string {
		out, _, err := run(t, env, "lot", "show", "urn:t:lot:OW")
		if err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	}
	out := show()
	// 30 − 10 = 20 t at Karachi; 6 t in transit.
	for _, want := range []string{"Remaining 20.000 wmt", "In transit 6.000 wmt in parts", "6.000 wmt shipped on from there", "Part in transit: 6.000 wmt shipped from urn:t:site:houston"} {
		if !strings.Contains(out, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
	capture("b.json", strings.Replace(receipt, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1))
	out = show()
	// The 10 t of B/L 1 at sea again; the onward 6 t flagged, not counted.
	for _, want := range []string{"Remaining 20.000 wmt", "In transit 10.000 wmt in parts", "ships from a receipt declared in error"} {
		if !strings.Contains(out, want) {
			t.Errorf("lot show after the retraction lacks %q:\n%s", want, out)
		}
	}
}
