package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLotShowNamedShipmentFromARetractedReceipt (issue 15, fix15q): lot
// NU-B1, 30 t at Loe Shilman at 8 %; 12 t received at Karachi for USSM
// (NUB-1), 5 t for the smelter (NUB-2), 6 t shipped from Karachi naming
// USSM (NUB-3); USSM's receipt declared in error. `critmin lot show`
// prints what the lot page and the API give: 12.000 wmt in transit (not
// 18), the smelter's NUB-2 part at 5 × 0.92 = 4.600 dmt with nothing
// shipped on (it printed 6.000 shipped on and -0.920 dmt), and NUB-3
// flagged, USSM's (it printed the smelter).
func TestLotShowNamedShipmentFromARetractedReceipt(t *testing.T) {
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
	  "destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
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
	nub2 := regexp.MustCompile(`Part received: 5\.000 wmt[^\n]*`).FindString(out)
	nub3 := regexp.MustCompile(`Part in transit: 6\.000 wmt[^\n]*`).FindString(out)
	if !strings.Contains(out, "In transit 12.000 wmt in parts") || !strings.Contains(nub2, "4.600 dmt") || strings.Contains(nub2, "shipped on") || strings.Contains(out, "-0.920") ||
		!strings.Contains(nub3, "owner urn:t:party:ussm") || !strings.Contains(nub3, "ships from a receipt declared in error") {
		t.Errorf("lot show: want 12.000 wmt in transit, NUB-2 at 4.600 dmt with nothing shipped on, NUB-3 flagged and USSM's:\n%s", out)
	}
}
