package web_test

import (
	"encoding/json"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// fix15zhDoc is an EPCIS document of events (JSON objects) under the
// critmin @context.
func fix15zhDoc(events ...string) []byte {
	return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-25T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
}

// fix15zhEv is an ObjectEvent OBSERVE of lot (kg "": no quantity) at
// site on day (2025-11-dd), with extra JSON members.
func fix15zhEv(lot, id, day, step, site, kg, extra string) string {
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

// fix15zhShip is a shipping event to site to under bill of lading bol.
func fix15zhShip(lot, id, day, from, kg, bol, to, extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return fix15zhEv(lot, id, day, "shipping", from, kg, `"disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "`+bol+`"}],
	 "destinationList": [{"type": "location", "destination": "`+to+`"}]`+extra)
}

// TestLotPageShowsWhatRemains (issue 15, fix15zh, findings 1 and 2;
// the ledger's TestAssayContainedIsOfWhatRemains): lot S7, 20 t at M at
// 8 %, Sb 20 % dry; 5 t shipped to R (S7-a), received, sampled there at
// Sb 5.5 % dry; a run at R takes 4,010 kg (of that part), a run at M
// 3,000 kg (of the body); 2 t shipped on towards H (S7-b).
//   - The part at R: 5 − 4.01 = 0.99 t wet stand there, 0.99 × 0.92 =
//     0.9108 dmt: its line reads "dry 0.911 dmt left there" (it read
//     "dry 4.6 dmt", 5 × 0.92, what the run took included) and its assay
//     row "50.094 kg in 0.911 dmt" (5.5 % × 0.9108 = 0.050094 t; it read
//     253 kg = 5.5 % × 4.6).
//   - The lot's row: (10 + 2) × 0.92 = 11.04 dmt remain (the body at M
//     and the 2 t at sea), 20 % × 11.04 = 2.208 t (it read 2.76 t,
//     13.8 dmt with the 3 t the run at M took).
//
// The lot API gives the same figures: the part's remainingDryTonnes
// 0.9108 and its assay's containedTonnes 0.050094 of remainingDryTonnes
// 0.9108.
func TestLotPageShowsWhatRemains(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot, m, r = "urn:t:lot:S7", "urn:t:site:M", "urn:t:site:R"
	run := func(id, day, site, kg, out string) string {
		return `{"type": "TransformationEvent", "eventID": "` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "bizLocation": {"id": "` + site + `"},
		 "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}],
		 "outputQuantityList": [{"epcClass": "` + out + `", "quantity": 500, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}}`
	}
	doc := fix15zhDoc(`{"type": "ObjectEvent", "eventID": "urn:t:s7:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "`+m+`"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		fix15zhShip(lot, "urn:t:s7:d1", "02", m, "5000", "urn:t:bol:S7-a", r, ""),
		fix15zhEv(lot, "urn:t:s7:r1", "03", "receiving", r, "5000", `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:S7-a"}]`),
		fix15zhEv(lot, "urn:t:s7:x1", "04", "sampling", r, "", `"sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Sb", "value": 5.5, "uom": "P1", "cm:basis": "dry"}]}]`),
		run("urn:t:s7:runR", "05", r, "4010", "urn:t:lot:S7-R"), run("urn:t:s7:runM", "06", m, "3000", "urn:t:lot:S7-M"),
		fix15zhShip(lot, "urn:t:s7:d2", "07", m, "2000", "urn:t:bol:S7-b", "urn:t:site:H", ""))
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	page := string(b)
	flat := func(s string) string {
		return html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(visibleText(s), " "))
	}
	var partR string
	for _, p := range regexp.MustCompile(`(?s)<dd class="part">.*?</dd>`).FindAllString(page, -1) {
		if strings.Contains(p, "S7-a") {
			partR = flat(p)
		}
	}
	if !strings.Contains(partR, "4.01 wmt taken by runs there") || !strings.Contains(partR, "dry 0.911 dmt left there") {
		t.Errorf("part S7-a line %q; want 4.01 wmt taken and dry 0.911 dmt left there (0.99 × 0.92), not 4.6 dmt", partR)
	}
	rows := regexp.MustCompile(`(?s)<tr><td data-label="Analyte">Sb.*?</tr>`).FindAllString(regexp.MustCompile(`(?s)<table id="assays" class="stack">.*?</table>`).FindString(page), -1)
	var lotRow, partRow string
	for _, row := range rows {
		if strings.Contains(row, "part-assay") {
			partRow = flat(row)
		} else {
			lotRow = flat(row)
		}
	}
	if !strings.Contains(partRow, "50.094 kg in 0.911 dmt") || strings.Contains(partRow, "253 kg") {
		t.Errorf("the part's Sb row %q; want 50.094 kg in 0.911 dmt (5.5 %% × 0.9108), not 253 kg", partRow)
	}
	if !strings.Contains(lotRow, "2.208 t in 11.04 dmt") {
		t.Errorf("the lot's Sb row %q; want 2.208 t in 11.04 dmt (20 %% × (9.2 + 1.84))", lotRow)
	}
	if !strings.Contains(flat(page), "Contained in what remains") {
		t.Errorf("the assay table does not say what its contained figure is of")
	}
	_, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape(lot), operatorSecret, nil, nil)
	var v struct {
		Parts []struct {
			BillOfLading       string  `json:"billOfLading"`
			RemainingDryTonnes float64 `json:"remainingDryTonnes"`
		} `json:"parts"`
		Assays []struct {
			Site               string   `json:"site"`
			ContainedTonnes    *float64 `json:"containedTonnes"`
			RemainingDryTonnes *float64 `json:"remainingDryTonnes"`
		} `json:"assays"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("lot JSON: %v\n%s", err, b)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, p := range v.Parts {
		if p.BillOfLading == "urn:t:bol:S7-a" && !near(p.RemainingDryTonnes, 0.9108) {
			t.Errorf("API part S7-a remainingDryTonnes %v; want 0.9108", p.RemainingDryTonnes)
		}
	}
	found := false
	for _, a := range v.Assays {
		if a.Site == r {
			found = true
			if a.ContainedTonnes == nil || a.RemainingDryTonnes == nil || !near(*a.ContainedTonnes, 0.050094) || !near(*a.RemainingDryTonnes, 0.9108) {
				t.Errorf("API assay of the part at R: contained %v of %v; want 0.050094 t of 0.9108 dmt", a.ContainedTonnes, a.RemainingDryTonnes)
			}
		}
	}
	if !found {
		t.Errorf("API lists no assay of the part at R: %s", b)
	}
}

// TestDeclarePreviewNamesTheHoldingDrawnOn (issue 15, fix15zh, finding
// 3; ledger TestDependentNamesTheHoldingDrawnOn): lot NU-C, 30 t at LS
// owned by FWO; 12 t shipped to K (NUB-1) and received there for USSM
// (r1); s3 ships 6 t from K naming no party (NUB-3), drawing on USSM's
// holding, the only one there then; the smelter's 5 t reach K later.
// Previewing r1's declaration named "the holding of FWO" (the lot's
// owner, which the flagged part falls back to); it names USSM's, and
// says nothing of the lot stood at K when s3 left.
func TestDeclarePreviewNamesTheHoldingDrawnOn(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot, ls, k = "urn:t:lot:NU-C", "urn:t:site:LS", "urn:t:site:K"
	owner := func(p string) string {
		return `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:NUB-` + p[:1] + `"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:` + p[1:] + `"}]`
	}
	doc := fix15zhDoc(`{"type": "ObjectEvent", "eventID": "urn:t:nuc:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "`+ls+`"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 30000, "uom": "KGM"}],
	 "destinationList": [{"type": "owning_party", "destination": "urn:t:party:fwo"}], "ilmd": {"cm:commodity": "antimony_ore"}}`,
		fix15zhShip(lot, "urn:t:nuc:s1", "02", ls, "12000", "urn:t:bol:NUB-1", k, ""),
		fix15zhEv(lot, "urn:t:nuc:r1", "03", "receiving", k, "12000", owner("1ussm")),
		fix15zhShip(lot, "urn:t:nuc:s3", "04", k, "6000", "urn:t:bol:NUB-3", "urn:t:site:H", ""),
		fix15zhShip(lot, "urn:t:nuc:s2", "05", ls, "5000", "urn:t:bol:NUB-2", k, ""),
		fix15zhEv(lot, "urn:t:nuc:r2", "06", "receiving", k, "5000", owner("2smelter")))
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	form := url.Values{"reason": {"incorrect_data"}, "step": {"preview"}}
	_, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:nuc:r1")+"/declare", operatorSecret, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	deps := html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(visibleText(regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(string(b))), " "))
	if !strings.Contains(deps, "of 6 t of lot NU-C from the holding of ussm at") || strings.Contains(deps, "fwo") {
		t.Errorf("dependents %q; want the shipment NUB-3 from the holding of USSM (not FWO, the lot's owner)", deps)
	}
	if !strings.Contains(deps, "nothing of the lot stood at …:K when it left") {
		t.Errorf("dependents %q; want nothing of the lot standing at K when NUB-3 left", deps)
	}
}

// TestLotPageReceiptNamesItsShipmentsBOL (issue 15, fix15zh, finding 4;
// ledger TestReceiptWithoutBOLReadsTheDispatchBOL): lot B7, 20 t at M;
// 5 t shipped to Q (B7-a); the rest shipped to K under B7-b stating no
// quantity — the body, 15 t; 14,900 kg received at K naming no bill of
// lading closes the body's leg: −0.1 t, −0.67 %, beyond the 0.5 %
// tolerance. The lot page read "no bill of lading: shipped 15 wmt" and
// "lost 0.100 t in transit under no bill of lading"; it names B7-b.
func TestLotPageReceiptNamesItsShipmentsBOL(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot, m = "urn:t:lot:B7", "urn:t:site:M"
	doc := fix15zhDoc(`{"type": "ObjectEvent", "eventID": "urn:t:b7:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "`+m+`"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}}`,
		fix15zhShip(lot, "urn:t:b7:sa", "02", m, "5000", "urn:t:bol:B7-a", "urn:t:site:Q", ""),
		fix15zhShip(lot, "urn:t:b7:sb", "04", m, "", "urn:t:bol:B7-b", "urn:t:site:K", ""),
		fix15zhEv(lot, "urn:t:b7:rk", "05", "receiving", "urn:t:site:K", "14900", ""))
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	text := html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(visibleText(string(b)), " "))
	if !strings.Contains(text, "bill of lading B7-b: shipped 15 wmt") || strings.Contains(text, "no bill of lading") {
		t.Errorf("lot page outturn: want \"bill of lading B7-b: shipped 15 wmt\", never \"no bill of lading\":\n%s", regexp.MustCompile(`Shipped / received[^·]*`).FindString(text))
	}
}

// TestFlaggedPartWordedFromWhatStood (issue 15, fix15zh, finding 5):
// lot NU-D, 30 t at LS; 12 t received at K for USSM (r1), 5 t for the
// smelter (r2); s3 ships 6 t from K naming USSM (NUB-3); r1 declared in
// error. NUB-3 is flagged, and the smelter's 5 t stood at K when it
// left: the lot page read "nothing of the lot stood there when it left";
// it names USSM's holding and the smelter's 5 wmt, as the shipment page
// does (it read "nothing of it stood at K in the holding of ussm").
func TestFlaggedPartWordedFromWhatStood(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot, ls, k = "urn:t:lot:NU-D", "urn:t:site:LS", "urn:t:site:K"
	owner := func(bol, p string) string {
		return `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:` + p + `"}]`
	}
	r1 := fix15zhEv(lot, "urn:t:nud:r1", "03", "receiving", k, "12000", owner("NUD-1", "ussm"))
	doc := fix15zhDoc(`{"type": "ObjectEvent", "eventID": "urn:t:nud:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "`+ls+`"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 30000, "uom": "KGM"}],
	 "destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}], "ilmd": {"cm:commodity": "antimony_ore"}}`,
		fix15zhShip(lot, "urn:t:nud:s1", "02", ls, "12000", "urn:t:bol:NUD-1", k, ""), r1,
		fix15zhShip(lot, "urn:t:nud:s2", "04", ls, "5000", "urn:t:bol:NUD-2", k, ""),
		fix15zhEv(lot, "urn:t:nud:r2", "05", "receiving", k, "5000", owner("NUD-2", "smelter")),
		fix15zhShip(lot, "urn:t:nud:s3", "06", k, "6000", "urn:t:bol:NUD-3", "urn:t:site:H", `"sourceList": [{"type": "owning_party", "source": "urn:t:party:ussm"}]`))
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	decl := fix15zhDoc(strings.Replace(r1, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1))
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, decl, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("declaration: %d %s", resp.StatusCode, b)
	}
	flat := func(s string) string {
		return html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(visibleText(s), " "))
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	var nud3 string
	for _, p := range regexp.MustCompile(`(?s)<dd class="part">.*?</dd>`).FindAllString(string(b), -1) {
		if strings.Contains(p, "NUD-3") {
			nud3 = flat(p)
		}
	}
	const want = "nothing of the holding of urn:t:party:ussm, the source party it names, stood at …:K when it left: what stood of the lot there then was another party's (5 wmt owned by urn:t:party:smelter"
	if !strings.Contains(nud3, want) || strings.Contains(nud3, "nothing of the lot stood") {
		t.Errorf("lot page NUD-3 line %q; want %q…", nud3, want)
	}
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:NUD-3"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if s := flat(string(b)); !strings.Contains(s, want) {
		t.Errorf("shipment page of NUD-3 does not read %q:\n%s", want, s)
	}
}
