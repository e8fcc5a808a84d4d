package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportMassLineWhereLotNeverWas (issue 15, fix15w D2): lot W15-L2,
// 20 000 kg at Karachi; 5 000 kg ship to Houston and are received there:
// the body's 15 t stand at Karachi, the part's 5 t at Houston. A 5 000 kg
// ticket at Port Qasim, where nothing of the lot ever was, read "recorded
// at Port Qasim (of the lot's 20 t) 15 t, weighed 5 t: −10 t (−66.7 %)" —
// the body's 15 t at Karachi worded as standing at Port Qasim. It reads
// "nothing of the lot stands at Port Qasim", with no percentage.
func TestImportMassLineWhereLotNeverWas(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, karachi, houston, qasim = "urn:critmin:demo:lot:W15-L2", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston", "urn:critmin:demo:site:port-qasim"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:w15:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 20000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}},
 {"type": "ObjectEvent", "eventID": "urn:t:w15:s1", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:W15-1"}], "destinationList": [{"type": "location", "destination": "` + houston + `"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:w15:r1", "eventTime": "2025-11-20T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:W15-1"}]}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"qasim-wb-w15"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg)\nQ-1," + lot + ",2025-11-22 09:00,5000\n"}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {qasim}, "def_tz": {"+05:00"}}
	_, page := postImport(t, ts, v)
	plain := html.UnescapeString(page)
	line := regexp.MustCompile(`id="row-mass-2">Mass: [^<]*`).FindString(plain)
	if !strings.Contains(line, "nothing of the lot stands at "+qasim) || strings.Contains(line, "%") {
		t.Errorf("mass line at Port Qasim, where nothing of the lot ever was: %q; want it to say nothing of the lot stands there, with no percentage", line)
	}
}
