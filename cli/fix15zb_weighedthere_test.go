package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLotShowWeighedThereIsWhatStood (issue 15, fix15zb item 2): lot W,
// 20 t at mine M; 10 t shipped to port Q under B1 and received there;
// 4 t shipped on from Q under B2 on 4 November; a 6,020 kg weighing at Q
// on 5 November (+0.33 %, within the weighing tolerance). It weighed the
// 6 t that stood at Q: the part's line reads "weighed there 6.020 wmt on
// 2025-11-05" and "4.000 wmt shipped on from there" (its mass 6.02 + 4 =
// 10.02 t). It read "weighed there 10.020 wmt", counting the 4 t gone
// before the weighing.
func TestLotShowWeighedThereIsWhatStood(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	doc := filepath.Join(dir, "w.jsonld")
	ev := func(id, day, step, site, to, bol, kg string) string {
		s := `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "urn:t:site:` + site + `"}, "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": ` + kg + `, "uom": "KGM"}]`
		if bol != "" {
			s += `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]`
		}
		if to != "" {
			s += `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:` + to + `"}]`
		}
		return s + `}`
	}
	if err := os.WriteFile(doc, []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:w0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}},
		`+ev("w1", "2", "shipping", "M", "Q", "B1", "10000")+`,
		`+ev("w2", "3", "receiving", "Q", "", "B1", "10000")+`,
		`+ev("w3", "4", "shipping", "Q", "R", "B2", "4000")+`,
		`+ev("w4", "5", "inspecting", "Q", "", "", "6020")+`]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, doc); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, "urn:t:lot:W")
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "by urn:t:ev:w1") {
			line = strings.Join(strings.Fields(l), " ")
		}
	}
	for _, want := range []string{"weighed there 6.020 wmt on 2025-11-05 by urn:t:ev:w4", "4.000 wmt shipped on from there"} {
		if !strings.Contains(line, want) {
			t.Errorf("B1's part line %q; want %q:\n%s", line, want, out)
		}
	}
}
