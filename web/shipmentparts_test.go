package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// twoPartsDoc is lot REE-2025-070, 30,000 kg at Karachi: 10,000 kg ship
// to Houston under BOL7 on 3 December; 10,000 kg more ship under BOL8 on
// 10 December and are at sea when BOL7's part is received at Houston on
// 20 December. 10,000 kg remain at Karachi.
const twoPartsDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-12-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:p70:c", "eventTime": "2025-12-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-070", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08}},
 {"type": "ObjectEvent", "eventID": "urn:t:p70:s7", "eventTime": "2025-12-03T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-070", "quantity": 10000, "uom": "KGM"}],
  "readPoint": {"id": "urn:critmin:demo:site:karachi"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:BOL7"}],
  "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:houston"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:p70:r7", "eventTime": "2025-12-20T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-070", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:houston"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:BOL7"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:p70:s8", "eventTime": "2025-12-10T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-070", "quantity": 10000, "uom": "KGM"}],
  "readPoint": {"id": "urn:critmin:demo:site:karachi"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:BOL8"}],
  "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:houston"}]}
 ]}}`

// TestShipmentStatusFromItsOwnReceipt (issue 15, fix15b 3): BOL7's part
// was received on 2025-12-20 (10 t); BOL8's part is at sea. BOL8's page
// says "in transit" with no received figure, not "arrived" on BOL7's
// receipt; BOL7's page says arrived 2025-12-20 (16:00 UTC) with 10 t
// received. The shipments list agrees.
func TestShipmentStatusFromItsOwnReceipt(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(twoPartsDoc)}); err != nil {
		t.Fatal(err)
	}
	page := func(id string) (status, lots string) {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(id), "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", id, resp.StatusCode)
		}
		p := html.UnescapeString(string(b))
		return regexp.MustCompile(`id="shipment-status">([^<]*)<`).FindStringSubmatch(p)[1],
			regexp.MustCompile(`(?s)<table id="shipment-lots"[^>]*>.*?</table>`).FindString(p)
	}
	st8, lots8 := page("urn:critmin:bol:BOL8")
	if strings.Contains(st8, "arrived") || !strings.Contains(lots8, `data-label="Received">—<`) {
		t.Errorf("BOL8, at sea: status %q, lots\n%s", st8, lots8)
	}
	st7, lots7 := page("urn:critmin:bol:BOL7")
	if !strings.Contains(st7, "arrived") || !strings.Contains(lots7, "10 t") {
		t.Errorf("BOL7, received: status %q, lots\n%s", st7, lots7)
	}
	_, b := do(t, "GET", ts.URL+"/shipments", "", nil, nil)
	list := html.UnescapeString(string(b))
	i := strings.Index(list, "urn:critmin:bol:BOL8")
	if i < 0 {
		t.Fatalf("BOL8 not listed")
	}
	end := strings.Index(list[i:], "</tr>")
	if r := list[i : i+end]; strings.Contains(r, "arrived") || !strings.Contains(r, "in transit") {
		t.Errorf("the list's BOL8 row: %s", r)
	}
}

// TestSampleWherePartsAre (issue 15, fix15b 4): with twoPartsDoc,
// REE-2025-070 has 10 t remaining at Karachi after BOL7 and BOL8 left with
// 10 t each. A sample at Karachi on 22 December is where the rest is: it
// previews (200), not "in transit". One at Houston on 22 December is where
// BOL7's part was received (20 December): it previews too. One at Houston
// on 15 December, before that receipt, is refused under Site: the lot was
// at Karachi.
func TestSampleWherePartsAre(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(twoPartsDoc)}); err != nil {
		t.Fatal(err)
	}
	sample := func(day, tz, site string) url.Values {
		return url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-070"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 11.9 %"},
			"time": {day + "T10:00"}, "tz": {tz}, "site": {site}}
	}
	for _, c := range []struct {
		name string
		v    url.Values
		code int
		want string
	}{
		{"the rest at Karachi", sample("2025-12-22", "+05:00", "urn:critmin:demo:site:karachi"), http.StatusOK, ""},
		{"BOL7's part at Houston", sample("2025-12-22", "-06:00", "urn:critmin:demo:site:houston"), http.StatusOK, ""},
		{"Houston before the receipt", sample("2025-12-15", "-06:00", "urn:critmin:demo:site:houston"), http.StatusConflict, "lot urn:critmin:demo:lot:REE-2025-070 was at"},
	} {
		resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(c.v.Encode()), formHeader)
		if block := fieldBlock(string(b), "site"); resp.StatusCode != c.code || !strings.Contains(block, c.want) || c.want == "" && strings.Contains(block, "in transit") {
			t.Errorf("%s: %d; Site shows %q", c.name, resp.StatusCode, block)
		}
	}
}

// TestShipAndPackWhereTheLotIs (issue 15, fix15b 6): partialDoc's
// REE-2025-050 was received whole at Houston on 2025-12-20. On 22
// December the Ship form from Karachi and the Pack form at Karachi are
// refused under their site ("was at Port of Houston"), nothing stored;
// the Ship form from Houston previews (200).
func TestShipAndPackWhereTheLotIs(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(partialDoc)}); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	ship := func(site, tz string) url.Values {
		return url.Values{"step": {"capture"}, "lots": {"urn:critmin:demo:lot:REE-2025-050 29950 KGM"}, "bol": {"urn:critmin:bol:X51"},
			"destination": {"urn:critmin:demo:site:refinery-mo"}, "time": {"2025-12-22T10:00"}, "tz": {tz}, "site": {site}}
	}
	pack := url.Values{"step": {"capture"}, "container": {"urn:critmin:demo:container:C9"}, "lots": {"urn:critmin:demo:lot:REE-2025-050 29950 KGM"},
		"time": {"2025-12-22T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}}
	for _, c := range []struct {
		name, form string
		v          url.Values
	}{
		{"ship from Karachi", "ship", ship("urn:critmin:demo:site:karachi", "+05:00")},
		{"pack at Karachi", "pack", pack},
	} {
		resp, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(c.v.Encode()), formHeader)
		// A lot elsewhere conflicts with the record: 409 (fix15w).
		if block := fieldBlock(string(b), "site"); resp.StatusCode != http.StatusConflict || !strings.Contains(block, "lot urn:critmin:demo:lot:REE-2025-050 was at Port of Houston") {
			t.Errorf("%s: %d; Site shows %q", c.name, resp.StatusCode, block)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused forms", after-before)
	}
	v := ship("urn:critmin:demo:site:houston", "-06:00")
	v.Set("step", "preview")
	if resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Errorf("ship from Houston: %d %q", resp.StatusCode, fieldBlock(string(b), "site"))
	}
}

// TestRefineOnlyWhatIsAtTheSite (issue 15, fix15b 2): with twoPartsDoc,
// 10 t of REE-2025-070 are at Houston (BOL7, received 20 December), 10 t
// at sea (BOL8) and 10 t at Karachi. The refinery form at Houston feeding
// 30,000 kg is refused under Lots fed naming the 10 t received under
// BOL7 (409: well formed, but a conflict with the record, fix15r);
// feeding 10,000 kg previews.
func TestRefineOnlyWhatIsAtTheSite(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(twoPartsDoc)}); err != nil {
		t.Fatal(err)
	}
	run := func(kg string) url.Values {
		return url.Values{"step": {"preview"}, "run": {"urn:critmin:demo:run:HOU-070"}, "inputs": {"urn:critmin:demo:lot:REE-2025-070 " + kg + " KGM"},
			"outputs": {"urn:critmin:demo:lot:NDPR-2025-070 500"}, "commodity": {"ndpr_oxide"}, "moisture": {"0"}, "assays": {"Nd2O3 74 %\nPr6O11 25 %"},
			"time": {"2025-12-22T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}}
	}
	resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(run("30000").Encode()), formHeader)
	if block := fieldBlock(string(b), "inputs"); resp.StatusCode != http.StatusConflict || !strings.Contains(block, "30 t consumed at urn:critmin:demo:site:houston but only 10 t of it is there (10 t received under urn:critmin:bol:BOL7)") {
		t.Errorf("30 t fed where 10 t are: %d; Lots fed shows %q", resp.StatusCode, block)
	}
	if resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(run("10000").Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Errorf("10 t fed where BOL7's 10 t are: %d %q", resp.StatusCode, fieldBlock(string(b), "inputs"))
	}
}
