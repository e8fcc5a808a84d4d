package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// severalOwnersDoc is lot L2, 30 t at MINE owned and held by FWO: 10 t
// shipped to HOU under B/L A and received there for BUY1, 8 t under B/L B
// received there for BUY2 (each holding also held by its owner), and,
// with noQty, a shipment from HOU stating no quantity and naming no party
// under B/L C: every part there, 10 + 8 = 18 t.
func severalOwnersDoc(noQty bool) string {
	const lot, mine, hou = "urn:t:lot:L2", "urn:t:site:MINE", "urn:t:site:HOU"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	bol := func(b string) string {
		return `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + b + `"}]`
	}
	parties := func(p string) string {
		return `"destinationList": [{"type": "owning_party", "destination": "urn:t:party:` + p + `"}, {"type": "possessing_party", "destination": "urn:t:party:` + p + `"}]`
	}
	list := []string{`{"type": "ObjectEvent", "eventID": "urn:t:ev:c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"}, ` + parties("FWO") + `,
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}`,
		ev("sa", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+hou+`"}], `+bol("A")),
		ev("sb", "2025-10-03T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 8000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+hou+`"}], `+bol("B")),
		ev("ra", "2025-10-20T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "`+hou+`"}, `+parties("BUY1")+`, `+bol("A")),
		ev("rb", "2025-10-21T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 8000, "uom": "KGM"}], "bizLocation": {"id": "`+hou+`"}, `+parties("BUY2")+`, `+bol("B"))}
	if noQty {
		list = append(list, ev("sc", "2025-10-25T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "`+hou+`"}, "destinationList": [{"type": "location", "destination": "urn:t:site:ROT"}], `+bol("C")))
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [` +
		strings.Join(list, ",\n") + `]}}`
}

// TestShipmentPageNamesAllOwners (issue 15, fix15l item 2): the no-
// quantity shipment from HOU under B/L C (severalOwnersDoc) ships BUY1's
// 10 t and BUY2's 8 t, 18 t: the lot API's part lists owners and
// custodians BUY1, BUY2; the lot page's part line names both owners and
// custodians, and the shipment page's lot row both owners (they named
// BUY1 alone), at sea with no carrier named.
func TestShipmentPageNamesAllOwners(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(severalOwnersDoc(true))}); err != nil {
		t.Fatal(err)
	}
	const buy1, buy2 = "urn:t:party:BUY1", "urn:t:party:BUY2"
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/urn:t:lot:L2", operatorSecret, nil, nil)
	var l struct {
		Parts []struct {
			Tonnes     float64  `json:"tonnes"`
			Owners     []string `json:"owners"`
			Custodians []string `json:"custodians"`
		} `json:"parts"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &l) != nil || len(l.Parts) != 3 {
		t.Fatalf("lot API: %d %s", resp.StatusCode, b)
	}
	if p := l.Parts[2]; p.Tonnes != 18 || !slices.Equal(p.Owners, []string{buy1, buy2}) || !slices.Equal(p.Custodians, []string{buy1, buy2}) {
		t.Errorf("shipped part %+v; want 10 + 8 = 18 t, owners and custodians BUY1, BUY2", p)
	}
	tags := regexp.MustCompile(`<[^>]*>`)
	text := func(s string) string {
		return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(s, " "))), " ")
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:L2"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	parts := regexp.MustCompile(`(?s)<span class="part-parties">(.*?)</span>`).FindAllStringSubmatch(string(b), -1)
	if len(parts) != 3 || !strings.HasPrefix(text(parts[2][1]), "owners ") || !strings.Contains(text(parts[2][1]), "BUY1") || !strings.Contains(text(parts[2][1]), "BUY2") || !strings.Contains(text(parts[2][1]), "custodians ") {
		t.Errorf("lot page part parties %q; want the shipped part's owners and custodians BUY1, BUY2", parts)
	}
	resp, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:C"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	cell := regexp.MustCompile(`(?s)class="shipment-parties">(.*?)</td>`).FindStringSubmatch(string(b))
	if resp.StatusCode != http.StatusOK || cell == nil {
		t.Fatalf("shipment page %d lacks the parties cell:\n%s", resp.StatusCode, b)
	}
	// B/L C is at sea (shipped, not received): its custodian is the
	// carrier its shipping event names, and it names none (fixCc item 2,
	// TestShipmentAtSeaNamesTheCarrier): the row names both owners and
	// says no carrier is named, never the shippers BUY1, BUY2 as
	// custodians.
	if c := text(cell[1]); c != "owners urn:t:party:BUY1, urn:t:party:BUY2; custodian in transit: no carrier named on the shipping event" {
		t.Errorf("shipment page parties %q; want owners BUY1, BUY2 and no carrier named at sea", c)
	}
}
