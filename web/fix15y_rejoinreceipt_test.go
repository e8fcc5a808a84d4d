package web_test

import (
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestRejoinedPartKeepsItsReceipt (issue 15, fix15y item 2): lot J, 30 t
// at mine M; 10 t shipped to port P under B/L C and received there by
// j2; then the body (no quantity: what stands at M) shipped to P by j3
// and received there by j4. The part rejoins the body by j4 and its
// receipt stays j2: the lot JSON gives receiptEventID j2 and
// rejoinEventID j4 (it gave j4 as the part's receipt), and the lot page
// links both.
func TestRejoinedPartKeepsItsReceipt(t *testing.T) {
	ts := MustServe(t, true, nil)
	ev := func(id, day, step, loc, qty, extra string) string {
		q := `{"epcClass": "urn:t:lot:J"}`
		if qty != "" {
			q = `{"epcClass": "urn:t:lot:J", "quantity": ` + qty + `, "uom": "KGM"}`
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [` + q + `]` + extra + `}`
	}
	toP := `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:P"}]`
	bol := `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:C"}]`
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:j0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:J", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}},
		` + ev("j1", "02", "shipping", "urn:t:site:M", "10000", toP+bol) + `,
		` + ev("j2", "03", "receiving", "urn:t:site:P", "10000", bol) + `]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	// The body's move, through the normal capture path with its custody
	// checks: a shipment of the body of a split lot that states no
	// quantity, the one way the body reaches a part's site, is taken
	// (issue 15, fix15r2 item 1: the whereabouts check read the lot as
	// at P since j2 and refused it).
	doc = strings.Replace(doc[:strings.Index(doc, `"eventList": [`)], "2025-11-25", "2025-11-26", 1) + `"eventList": [` +
		ev("j3", "04", "shipping", "urn:t:site:M", "", toP) + `, ` + ev("j4", "05", "receiving", "urn:t:site:P", "", "") + `]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	id := url.PathEscape("urn:t:lot:J")
	_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+id, "", nil, map[string]string{"Accept": "application/json"})
	var v struct {
		Parts []struct{ Status, ReceiptEventID, RejoinEventID string }
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("lot JSON: %v\n%s", err, b)
	}
	if len(v.Parts) != 1 || v.Parts[0].Status != "rejoined" || v.Parts[0].ReceiptEventID != "urn:t:ev:j2" || v.Parts[0].RejoinEventID != "urn:t:ev:j4" {
		t.Fatalf("lot JSON parts %+v; want one part rejoined by urn:t:ev:j4, received by urn:t:ev:j2", v.Parts)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+id, "", nil, nil)
	page := string(b)
	text := regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html.UnescapeString(page), " "), " ")
	if !strings.Contains(text, "rejoined the lot's body where it stands: received 10") || !strings.Contains(text, "rejoined when the body came there") {
		t.Errorf("lot page lacks the rejoined part's receipt and rejoin:\n%s", text)
	}
	for _, e := range []string{"urn:t:ev:j2", "urn:t:ev:j4"} {
		if !strings.Contains(page, url.PathEscape(e)) && !strings.Contains(page, e) {
			t.Errorf("lot page does not link event %s", e)
		}
	}
}
