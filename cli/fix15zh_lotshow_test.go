package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fix15zhCapture writes a document of events to dir and captures it
// into db with `critmin capture`.
func fix15zhCapture(t *testing.T, dir, db, name string, events ...string) {
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

// fix15zhEvent is an ObjectEvent OBSERVE of lot at site on day
// (2025-11-dd), kg its quantity ("": none), with extra JSON members.
func fix15zhEvent(lot, id, day, step, site, kg, extra string) string {
	q := `{"epcClass": "` + lot + `"}`
	if kg != "" {
		q = `{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}`
	}
	if extra != "" {
		extra = ", " + extra
	}
	return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
	 "bizLocation": {"id": "` + site + `"}, "quantityList": [` + q + `]` + extra + `}`
}

// TestLotShowWhatRemains (issue 15, fix15zh, findings 1, 2 and 4; the
// web's TestLotPageShowsWhatRemains): lot S7, 20 t at M at 8 %, Sb 20 %
// dry; 5 t shipped to R (S7-a), received and sampled there at Sb 5.5 %;
// a run at R takes 4,010 kg of that part, a run at M 3,000 kg of the
// body; the rest of the body, 20 − 3 − 5 = 12 t, is shipped to K under
// S7-b stating no quantity and 11,900 kg received at K naming no bill of
// lading (−0.1 t, −0.83 %).
//   - The part's line: "0.911 dmt left there" (0.99 × 0.92; it read
//     4.600 dmt, 5 × 0.92, what the run took included);
//   - its contained Sb, on the lot page's figure: "Contained Sb 0.050094
//     t of the part at … in 0.911 dmt remaining" (5.5 % × 0.9108; the
//     lot page read 253 kg, 5.5 % × 4.6);
//   - the lot's Sb: the body received at K, 11.9 × 0.92 = 10.948 dmt,
//     20 % of it 2.1896 t;
//   - the body's leg names its bill of lading: "Shipped / received B/L
//     urn:t:bol:S7-b" (it read "no B/L").
func TestLotShowWhatRemains(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	const lot, m, r = "urn:t:lot:S7", "urn:t:site:M", "urn:t:site:R"
	ship := func(id, day, from, kg, bol, to string) string {
		return fix15zhEvent(lot, id, day, "shipping", from, kg, `"disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "`+bol+`"}], "destinationList": [{"type": "location", "destination": "`+to+`"}]`)
	}
	runAt := func(id, day, site, kg, out string) string {
		return `{"type": "TransformationEvent", "eventID": "` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "bizLocation": {"id": "` + site + `"},
		 "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}],
		 "outputQuantityList": [{"epcClass": "` + out + `", "quantity": 500, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}}`
	}
	fix15zhCapture(t, dir, db, "s7.json", `{"type": "ObjectEvent", "eventID": "urn:t:s7:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "`+m+`"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		ship("urn:t:s7:d1", "02", m, "5000", "urn:t:bol:S7-a", r),
		fix15zhEvent(lot, "urn:t:s7:r1", "03", "receiving", r, "5000", `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:S7-a"}]`),
		fix15zhEvent(lot, "urn:t:s7:x1", "04", "sampling", r, "", `"sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Sb", "value": 5.5, "uom": "P1", "cm:basis": "dry"}]}]`),
		runAt("urn:t:s7:runR", "05", r, "4010", "urn:t:lot:S7-R"), runAt("urn:t:s7:runM", "06", m, "3000", "urn:t:lot:S7-M"),
		ship("urn:t:s7:d2", "07", m, "", "urn:t:bol:S7-b", "urn:t:site:K"),
		fix15zhEvent(lot, "urn:t:s7:rk", "08", "receiving", "urn:t:site:K", "11900", ""))
	out, _, err := run(t, map[string]string{"CRITMIN_DB": db}, "lot", "show", lot)
	if err != nil {
		t.Fatal(err)
	}
	out = regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	part := regexp.MustCompile(`Part received: 5\.000 wmt[^\n]*`).FindString(out)
	if !strings.Contains(part, "4.010 wmt taken by runs") || !strings.Contains(part, ", 0.911 dmt left there") {
		t.Errorf("part S7-a line %q; want 4.010 wmt taken by runs and 0.911 dmt left there (0.99 × 0.92), not 4.600 dmt", part)
	}
	for _, want := range []string{"Contained Sb 0.050094 t of the part at urn:t:site:R in 0.911 dmt remaining", "Contained Sb 2.189600 t in 10.948 dmt remaining",
		"Shipped / received B/L urn:t:bol:S7-b: shipped 12.000 wmt"} {
		if !strings.Contains(out, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "no B/L") {
		t.Errorf("lot show reads \"no B/L\" for the body's leg under S7-b:\n%s", out)
	}
}

// TestLotShowFlaggedPartWordedFromWhatStood (issue 15, fix15zh, finding
// 5; the web's TestFlaggedPartWordedFromWhatStood): lot NU-D, USSM's
// 12 t and the smelter's 5 t received at K, 6 t shipped from K naming
// USSM (NUD-3), USSM's receipt declared in error. NUD-3's line read
// "nothing of the lot stood there" where the smelter's 5 t stood.
func TestLotShowFlaggedPartWordedFromWhatStood(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	const lot, ls, k = "urn:t:lot:NU-D", "urn:t:site:LS", "urn:t:site:K"
	ship := func(id, day, from, kg, bol, to, extra string) string {
		return fix15zhEvent(lot, id, day, "shipping", from, kg, `"disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "`+bol+`"}], "destinationList": [{"type": "location", "destination": "`+to+`"}]`+extra)
	}
	recv := func(id, day, kg, bol, owner string) string {
		return fix15zhEvent(lot, id, day, "receiving", k, kg, `"bizTransactionList": [{"type": "bol", "bizTransaction": "`+bol+`"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}]`)
	}
	r1 := recv("urn:t:nud:r1", "03", "12000", "urn:t:bol:NUD-1", "ussm")
	fix15zhCapture(t, dir, db, "a.json", `{"type": "ObjectEvent", "eventID": "urn:t:nud:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "`+ls+`"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 30000, "uom": "KGM"}],
	 "destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}], "ilmd": {"cm:commodity": "antimony_ore"}}`,
		ship("urn:t:nud:s1", "02", ls, "12000", "urn:t:bol:NUD-1", k, ""), r1,
		ship("urn:t:nud:s2", "04", ls, "5000", "urn:t:bol:NUD-2", k, ""), recv("urn:t:nud:r2", "05", "5000", "urn:t:bol:NUD-2", "smelter"),
		ship("urn:t:nud:s3", "06", k, "6000", "urn:t:bol:NUD-3", "urn:t:site:H", `, "sourceList": [{"type": "owning_party", "source": "urn:t:party:ussm"}]`))
	fix15zhCapture(t, dir, db, "b.json", strings.Replace(r1, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1))
	out, _, err := run(t, map[string]string{"CRITMIN_DB": db}, "lot", "show", lot)
	if err != nil {
		t.Fatal(err)
	}
	out = regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	nud3 := regexp.MustCompile(`Part in transit: 6\.000 wmt[^\n]*`).FindString(out)
	const want = "ships from a receipt declared in error: nothing of the holding of urn:t:party:ussm, the source party it names, stood at urn:t:site:K when it left: what stood of the lot there then was another party's (5.000 wmt owned by urn:t:party:smelter"
	if !strings.Contains(nud3, want) || strings.Contains(nud3, "nothing of the lot stood") {
		t.Errorf("NUD-3 line %q; want %q…", nud3, want)
	}
}
