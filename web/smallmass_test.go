package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestSmallLotMassShown (issue 15, fix15z): a 0.5 kg lot read "Wet mass
// 0.001 wmt" — twice its mass, rounded to the kilogram. A mass below
// 1 t is printed with three significant digits and, on the lot page, in
// the unit that shows it: 0.5 kg = 0.0005 t, "0.0005 wmt (500 g)"; dry at
// 10 % moisture 0.5 × 0.9 = 0.45 kg = 0.00045 t, "0.00045 dmt (450 g)". A
// lot of 19,425 kg keeps its tonnes to the kilogram, "19.425 wmt".
func TestSmallLotMassShown(t *testing.T) {
	ts := MustServe(t, false, nil)
	lot := func(id, kg string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": ` + kg + `, "uom": "KGM"}], "readPoint": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.1}}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [` + lot("SMALL", "0.5") + `, ` + lot("BIG", "19425") + `]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	dd := func(page, id string) string {
		m := regexp.MustCompile(`<dd id="` + id + `">([^<]*)</dd>`).FindStringSubmatch(page)
		if m == nil {
			return ""
		}
		return strings.TrimSpace(m[1])
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:SMALL"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if w, d := dd(string(b), "wet"), dd(string(b), "dry"); w != "0.0005 wmt (500 g)" || d != "0.00045 dmt (450 g)" {
		t.Errorf("the 0.5 kg lot reads wet %q, dry %q; want 0.0005 wmt (500 g), 0.00045 dmt (450 g)", w, d)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:BIG"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if w := dd(string(b), "wet"); w != "19.425 wmt" {
		t.Errorf("the 19,425 kg lot reads wet %q; want 19.425 wmt", w)
	}
	_, b = do(t, "GET", ts.URL+"/lots", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if !strings.Contains(string(b), `<td class="num">0.0005</td>`) {
		t.Error("the lots list does not show the 0.5 kg lot's 0.0005 t")
	}
}
