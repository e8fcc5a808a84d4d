package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestShipmentsOverdueFlagged (issue 15, fix15z): with the clock at
// 2026-12-02 14:00 UTC, three shipments are in transit with no receipt.
// B/L OV1's ETA, 2025-10-18 13:00 UTC, passed 410 whole days ago
// (2025-10-18 → 2026-10-18 is 365 days, → 2026-12-02 45 more, and 14:00
// is past 13:00): flagged overdue. B/L OV2 has no ETA and left on
// 2026-09-01 00:00 UTC, 92 whole days before (30 + 31 + 30 + 1 = 92 > 60,
// web.NoETAOverdueDays): flagged. B/L OV3 left on 2026-11-20 with an ETA
// of 2026-12-20, still ahead: not flagged. The index and each shipment
// page say so.
func TestShipmentsOverdueFlagged(t *testing.T) {
	ts := MustServe(t, false, nil)
	ts.Svc.Now = func() time.Time { return time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC) }
	ship := func(n, when, eta string) string {
		e := `{"type": "ObjectEvent", "eventID": "urn:t:ev:OV` + n + `s", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:OV` + n + `", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"},
   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:OV` + n + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]`
		if eta != "" {
			e += `, "cm:eta": "` + eta + `"`
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:OV` + n + `c", "eventTime": "2025-08-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:OV` + n + `", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}}, ` + e + `}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-12-01T00:00:00Z",
 "epcisBody": {"eventList": [` + ship("1", "2025-09-20T00:00:00Z", "2025-10-18T08:00:00-05:00") + `, ` + ship("2", "2026-09-01T00:00:00Z", "") + `, ` + ship("3", "2026-11-20T00:00:00Z", "2026-12-20T08:00:00-06:00") + `]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	_, b := do(t, "GET", ts.URL+"/shipments", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	page := html.UnescapeString(string(b))
	row := func(bol string) string {
		return regexp.MustCompile(`<tr><td><a href="/shipments/urn:t:bol:` + bol + `".*?</tr>`).FindString(strings.ReplaceAll(page, "\n", " "))
	}
	for bol, want := range map[string]string{
		"OV1": "overdue: the ETA 2025-10-18 passed 410 days ago",
		"OV2": "overdue: no ETA, and 92 days since it was shipped (more than 60)",
	} {
		if r := row(bol); !strings.Contains(r, want) {
			t.Errorf("the index row of %s lacks %q:\n%s", bol, want, r)
		}
	}
	if r := row("OV3"); r == "" || strings.Contains(r, "overdue") {
		t.Errorf("the index row of OV3 (ETA ahead) reads:\n%s", r)
	}
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:OV1"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if !strings.Contains(html.UnescapeString(string(b)), "overdue: the ETA 2025-10-18 passed 410 days ago") {
		t.Error("the shipment page of OV1 does not flag it overdue")
	}
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:OV3"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if strings.Contains(string(b), "overdue") {
		t.Error("the shipment page of OV3 flags it overdue")
	}
}
