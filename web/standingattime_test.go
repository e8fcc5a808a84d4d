package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// nu15Doc is the brief's lot SB-NU15-2 (issue 15, fix15k): 30,000 kg of
// antimony ore at Karachi on 2025-11-01; 10,000 kg shipped to Houston on
// 2025-11-02 (B/L NU15-006) and received there on 2025-11-20. From
// 2025-11-02 on, 30 − 10 = 20 t stand at Karachi.
const nu15Doc = `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:nu15:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:SB-NU15-2", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 {"type": "ObjectEvent", "eventID": "urn:t:nu15:s6", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:SB-NU15-2", "quantity": 10000, "uom": "KGM"}],
  "readPoint": {"id": "urn:critmin:demo:site:karachi"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:NU15-006"}],
  "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:houston"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:nu15:r6", "eventTime": "2025-11-20T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:SB-NU15-2", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:houston"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:NU15-006"}]}
 ]}}`

// TestFormsTakeOnlyWhatStoodAtTheEventTime (issue 15, fix15k): the Ship
// form from Karachi dated 2025-11-10 with 25,000 kg, entered after the
// receipt at Houston, and the Pack form at Karachi dated 2025-11-03 with
// 25,000 kg, are refused under Lots (409: a conflict with what the ledger holds), nothing stored: on those dates
// 20 t stood at Karachi and 25 > 20 + 30 × 0.005 = 20.15 t. With 20,000
// kg both preview (200).
func TestFormsTakeOnlyWhatStoodAtTheEventTime(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(nu15Doc)}); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	const lot = "urn:critmin:demo:lot:SB-NU15-2"
	ship := func(kg string) url.Values {
		return url.Values{"step": {"capture"}, "lots": {lot + " " + kg + " KGM"}, "bol": {"urn:critmin:demo:bol:NU15-007"},
			"destination": {"urn:critmin:demo:site:houston"}, "time": {"2025-11-10T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}}
	}
	pack := func(kg string) url.Values {
		return url.Values{"step": {"capture"}, "container": {"urn:critmin:demo:container:NUXU0000152"}, "lots": {lot + " " + kg + " KGM"},
			"time": {"2025-11-03T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}}
	}
	for _, c := range []struct {
		form string
		v    url.Values
	}{{"ship", ship("25000")}, {"pack", pack("25000")}} {
		resp, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(c.v.Encode()), formHeader)
		if block := fieldBlock(string(b), "lots"); resp.StatusCode != http.StatusConflict || !strings.Contains(block, "takes 25 t of it") || !strings.Contains(block, "only 20 t of its 30 t stood there then") {
			t.Errorf("%s 25 t of the 20 t at Karachi: %d; Lots shows %q", c.form, resp.StatusCode, block)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused forms", after-before)
	}
	for _, c := range []struct {
		form string
		v    url.Values
	}{{"ship", ship("20000")}, {"pack", pack("20000")}} {
		c.v.Set("step", "preview")
		if resp, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(c.v.Encode()), formHeader); resp.StatusCode != http.StatusOK {
			t.Errorf("%s 20 t: %d %q", c.form, resp.StatusCode, fieldBlock(string(b), "lots"))
		}
	}
}
