package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestAssayRowsNameTheirHolding (issue 15, fix15v; nu15f item 5): lot K6,
// 30 t at mine M of FWO; 10 t shipped to Q under B5 and received by
// USSM, 20 t under B6 received with no party named (FWO's still); then
// sampled at Q, As 1,500 ppm dry (0.15 %). That one reading is each
// holding's at Q. The lot page read "As (the part at …Q) 0.15" twice and
// "As reported: As 1,500 ppm; As 1,500 ppm", with nothing saying whose:
// each row and each note entry now names its part's owner. The shipment
// page of B6 (left M on 11-04, before the sampling of 11-06) listed the
// later reading twice: "As 0.15 % dry of 2025-11-06 at …Q; As 0.15 % …";
// it is one reading, listed once.
func TestAssayRowsNameTheirHolding(t *testing.T) {
	ts := MustServe(t, true, nil)
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
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:k0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "` + fwo + `"}, {"type": "possessing_party", "destination": "` + fwo + `"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0}},
		` + ship("k1", "2025-11-02T00:00:00Z", "B5", 10000) + `,
		` + receive("k2", "2025-11-03T00:00:00Z", "B5", 10000, `, "destinationList": [{"type": "owning_party", "destination": "`+ussm+`"}, {"type": "possessing_party", "destination": "`+ussm+`"}]`) + `,
		` + ship("k3", "2025-11-04T00:00:00Z", "B6", 20000) + `,
		` + receive("k4", "2025-11-05T00:00:00Z", "B6", 20000, "") + `,
		{"type": "ObjectEvent", "eventID": "urn:t:ev:k5", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
		 "bizLocation": {"id": "urn:t:site:Q"}, "quantityList": [{"epcClass": "urn:t:lot:K6"}],
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/As", "value": 1500, "uom": "59", "cm:basis": "dry"}]}]}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:K6"), "", nil, nil)
	page := string(b)
	for _, who := range []string{ussm, fwo} {
		if n := strings.Count(page, `<span class="part-assay">(the part at …:Q owned by `+who+`)</span>`); n != 1 {
			t.Errorf("lot page: %d assay rows of the part at Q owned by %s; want 1", n, who)
		}
	}
	note := visibleText(regexp.MustCompile(`(?s)<p class="note" id="assays-reported">.*?</p>`).FindString(page))
	for _, want := range []string{
		"As (the part at …:Q owned by " + ussm + ") 1,500 ppm",
		"As (the part at …:Q owned by " + fwo + ") 1,500 ppm",
	} {
		if !strings.Contains(note, want) {
			t.Errorf("as-reported note %q lacks %q", note, want)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:B6"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shipment B6: %d", resp.StatusCode)
	}
	grades := visibleText(regexp.MustCompile(`(?s)<td data-label="Dry grades">.*?</td>`).FindString(string(b)))
	if n := strings.Count(grades, "As 0.15 % dry of 2025-11-06"); n != 1 {
		t.Errorf("shipment B6 dry grades %q list the As reading of 11-06 %d times; want once", grades, n)
	}
}

// TestRetractedPartNamesItsDispatchParties (issue 15, fix15v; nu15f 7):
// lot NU-B1, 30 t at Loe Shilman, owner the miner, custodian FWO; 12 t
// received at Karachi for USSM (NUB-1); 6 t shipped on from Karachi
// naming USSM its source owner (NUB-3); NUB-1's receipt declared in
// error. NUB-3 ships from nothing of the lot; its part line read "owner
// USSM, custodian FWO" — FWO held nothing at Karachi — and its shipment
// page likewise. Both now name what the dispatch named: owner USSM, no
// custodian, "as its dispatch names them".
func TestRetractedPartNamesItsDispatchParties(t *testing.T) {
	ts := MustServe(t, true, nil)
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
	capture := func(events ...string) {
		t.Helper()
		doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
		 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
		if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	r1 := ev("r1", "receiving", "2025-11-04T00:00:00Z", "karachi", "", "NUB-1", "12000", "", "ussm")
	capture(`{"type": "ObjectEvent", "eventID": "urn:t:nub:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:NU-B1", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:loe-shilman"},
	  "destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}, {"type": "possessing_party", "destination": "urn:t:party:fwo"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
		ev("s1", "shipping", "2025-11-02T00:00:00Z", "loe-shilman", "karachi", "NUB-1", "12000", "", ""), r1,
		ev("s3", "shipping", "2025-11-08T00:00:00Z", "karachi", "houston", "NUB-3", "6000", "ussm", ""))
	capture(strings.Replace(r1, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1))
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:NU-B1"), "", nil, nil)
	var part string
	for _, m := range regexp.MustCompile(`(?s)<dd class="part">.*?</dd>`).FindAllString(string(b), -1) {
		if strings.Contains(m, "NUB-3") {
			part = visibleText(m)
		}
	}
	if !strings.Contains(part, "owner urn:t:party:ussm, custodian not stated as its dispatch names them") || strings.Contains(part, "fwo") {
		t.Errorf("lot page: NUB-3's part reads %q; want owner USSM, custodian not stated as its dispatch names them (not FWO's)", part)
	}
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:NUB-3"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shipment NUB-3: %d", resp.StatusCode)
	}
	parties := visibleText(regexp.MustCompile(`(?s)<td data-label="Owners and custodians" class="shipment-parties">.*?</td>`).FindString(string(b)))
	if parties != "owner urn:t:party:ussm" {
		t.Errorf("shipment NUB-3: owners and custodians read %q; want %q", parties, "owner urn:t:party:ussm")
	}
}
