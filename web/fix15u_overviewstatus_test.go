package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestOverviewStatusSplitsPartsAtSea (issue 15, fix15u; nu15f finding
// 9): lot NU-S1, 30 t at mine M, of which 10 t shipped to H and not yet
// received. The lot is in stock; the overview's lots-by-status table
// counted all 30 t in stock while the in-transit card counted the 10 t
// too. Now the in-stock row reads 30 − 10 = 20 t (one lot) and an
// in-transit row the 10 t at sea, counting no lot of its own but "part
// of 1 lot" (new-user finding nu37b-6: it read "0 lots", 10 t).
func TestOverviewStatusSplitsPartsAtSea(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot = "urn:t:lot:NU-S1"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-22T00:00:00Z", "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:nus:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:nus:s", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
	  "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "` + lot + `", "quantity": 10000, "uom": "KGM"}],
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:S-1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]}]}}`
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/", viewerSecret, nil, nil)
	table := regexp.MustCompile(`(?s)<table id="by-commodity">.*?</table>`).FindString(string(b))
	var rows []string
	for _, r := range regexp.MustCompile(`(?s)<tr><td>.*?</tr>`).FindAllString(table, -1) {
		rows = append(rows, strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(r, " ")), " "))
	}
	got := strings.Join(rows, " | ")
	if !strings.Contains(got, "in stock 1 20") || !strings.Contains(got, "in transit 0 + part of 1 lot 10") {
		t.Errorf("lots by status %q; want in stock 1 lot 20 t and in transit 10 t", got)
	}
}
