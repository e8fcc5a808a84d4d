package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestContainerPageWholeLotLoss (new-user finding nu39c-2): a container
// that held a whole lot, shipped under a bill naming the lot with no
// mass and received with a weight, shows the voyage's difference, its
// flag and the total row as the bill of lading's page does.
//
// Each lot is commissioned at 20 t and packed into its own container —
// REE-ZF-A with no quantity (the whole lot), REE-ZF-B at 20,000 kg —
// shipped naming the container and the lot with no mass (what stood of
// the lot: 20 t), and received at 19.85 t:
// 19.85 − 20 = −0.15 t; −0.15 / 20 = −0.75 % → "−0.75 % loss", beyond
// the 0.5 % outturn tolerance (0.5 % of 20 t = 0.1 t < 0.15 t), so
// flagged; the total row reads 20 t, 19.85 t, −0.15 t, −0.75 %. The
// container page read 20 t and 19.85 t "(whole lot, in every
// container)" with "—" for the difference and no total.
func TestContainerPageWholeLotLoss(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	n := 0
	form := func(kind string, v url.Values) {
		t.Helper()
		n++
		v.Set("step", "capture")
		v.Set("eventID", fmt.Sprintf("urn:uuid:5e0a1d2c-0000-4000-8000-0000000fa%03d", n))
		resp, b := do(t, "POST", ts.URL+"/record/"+kind, operatorSecret, []byte(v.Encode()), formHeader)
		if resp.StatusCode != http.StatusOK || strings.Contains(string(b), "field-error") || strings.Contains(string(b), `name="step" value="capture"`) {
			t.Fatalf("%s: %d\n%s", kind, resp.StatusCode, excerpt(string(b), "field-error"))
		}
	}
	get := func(id string) string {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(id), operatorSecret, nil, map[string]string{"Accept": "text/html"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", id, resp.StatusCode)
		}
		return string(b)
	}
	for _, c := range []struct{ tail, box, packed, bol string }{
		{"REE-ZF-A", "urn:epc:id:sscc:0614141.1234567890", "", "urn:critmin:bol:BOL-ZF-A"},
		{"REE-ZF-B", "urn:epc:id:sscc:0614141.1234567883", " 20000 KGM", "urn:critmin:bol:BOL-ZF-B"},
	} {
		lot := "urn:critmin:demo:lot:" + c.tail
		form("commission", url.Values{"lot": {lot}, "commodity": {"ree_concentrate"}, "mass": {"20000"}, "uom": {"KGM"}, "moisture": {"8"}, "assays": {"TREO 12 %"},
			"country": {"PAK"}, "mine": {"urn:critmin:demo:site:loe-shilman"}, "owner": {"urn:critmin:demo:party:fwo"}, "time": {"2025-11-10T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}})
		if c.packed != "" {
			form("pack", url.Values{"container": {c.box}, "lots": {lot + c.packed}, "time": {"2025-11-12T09:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}})
		} else {
			// The Pack form asks a mass: packed with none, by the API.
			doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-12T10:00:00Z",
			 "epcisBody": {"eventList": [{"type": "AggregationEvent", "eventID": "urn:t:ev:pack-zf-a", "eventTime": "2025-11-12T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD",
			  "bizStep": "packing", "parentID": "` + c.box + `", "childQuantityList": [{"epcClass": "` + lot + `"}],
			  "readPoint": {"id": "urn:critmin:demo:site:loe-shilman"}, "bizLocation": {"id": "urn:critmin:demo:site:loe-shilman"}}]}}`
			if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
				t.Fatal(err)
			}
		}
		form("ship", url.Values{"containers": {c.box}, "lots": {lot}, "bol": {c.bol}, "destination": {"urn:critmin:demo:site:houston"},
			"carrier": {"urn:critmin:demo:party:carrier"}, "vessel": {"MV Test Star"}, "time": {"2025-11-13T09:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}})
		form("receive", url.Values{"containers": {c.box}, "lots": {lot + " 19850 KGM"}, "bol": {c.bol}, "owner": {"urn:critmin:demo:party:ussm"},
			"time": {"2025-12-04T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}})
		for _, page := range []string{c.bol, c.box} {
			p := get(page)
			row := lotRowCells(t, p, c.tail)
			if !strings.HasPrefix(row["Shipped"], "20 t") || !strings.HasPrefix(row["Received"], "19.85 t") || strings.Contains(row["Received"], "whole lot") ||
				row["Difference"] != "−0.15 t" || !strings.HasPrefix(row["Loss or gain"], "−0.75 % loss") || !strings.Contains(row["Loss or gain"], "beyond tolerance") {
				t.Errorf("%s (packed%q), page %s: row %v; want 20 t shipped, 19.85 t received, −0.15 t, −0.75 %% loss beyond tolerance", c.tail, c.packed, page, row)
			}
			total := ""
			if i := strings.Index(p, `id="shipment-total"`); i >= 0 {
				total = p[i:]
				total = total[:strings.Index(total, "</tr>")]
			}
			if !strings.Contains(total, ">20 t<") || !strings.Contains(total, ">19.85 t<") || !strings.Contains(total, "−0.15 t") || !strings.Contains(total, "−0.75 % loss") {
				t.Errorf("%s, page %s: total row %q; want 20 t, 19.85 t, −0.15 t, −0.75 %% loss", c.tail, page, total)
			}
		}
	}
}
