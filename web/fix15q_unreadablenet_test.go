package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportUnreadableNetNoFalseTransit (issue 15, fix15q item 2): FW-19
// stands at Karachi (fw19Doc); 5 t of it ship to Houston and are received
// there, the body never leaves Karachi. A Karachi ticket whose net reads
// "abc" (or is empty) is refused under Net only — no "in transit" error
// under Site, which the check made of the row's event with no mass.
func TestImportUnreadableNetNoFalseTransit(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const houston = "urn:critmin:demo:site:houston"
	moves := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:fw19u:s", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-U"}], "destinationList": [{"type": "location", "destination": "` + houston + `"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:fw19u:r", "eventTime": "2025-11-20T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 4960, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-U"}]}]}}`
	for _, doc := range []string{fw19Doc, moves} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	const lot = "urn:critmin:demo:lot:FW-19"
	for _, net := range []string{"abc", ""} {
		v := url.Values{"source": {"karachi-wb-u"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg)\nK-1," + lot + ",2025-11-22 09:00," + net + "\n"}, "step": {"preview"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
		_, page := postImport(t, ts, v)
		cells := rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2")
		net := false
		for _, c := range cells {
			if strings.Contains(c[1], "in transit") {
				t.Errorf("net %q: false transit error: %q", v.Get("csv"), c)
			}
			net = net || strings.HasPrefix(c[0], "Net")
		}
		if !net {
			t.Errorf("net %q: no error under Net: %q", v.Get("csv"), cells)
		}
	}
}
