package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// uiq2Doc is an EPCIS document of events, with sites mine (Pakistan),
// port (Pakistan) and plant (USA) named in its master data.
func uiq2Doc(events ...string) string {
	site := func(id, name, cc string) string {
		return `{"id": "` + id + `", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "` + name + `"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "` + cc + `"}]}`
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` +
		site("urn:t:site:mine-PAK", "mine", "PAK") + `,` + site("urn:t:site:port", "port", "PAK") + `,` + site("urn:t:site:plant", "plant", "USA") + `]}]}},
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// TestContainerPageHoldsNow (issue 15, uiQ2 item 1): the page of a
// container whose trip was received listed only what it carried when it
// was shipped, and said nothing of what it holds now nor where it
// stands. Lot CW: 10 t wet at 8 % moisture, Nd 5 % dry, mined in
// Pakistan; 6,000 kg of it packed into C at the mine (Oct 2); C shipped
// to the port under B/L W-1 (Oct 3) and received there (Oct 5) with CW
// weighed at 5,970 kg. The page now lists what C holds now, as the
// ledger counts it: CW 5.97 t wet (the receipt's weight, not the 6 t
// shipped), 5.97 × (1 − 0.08) = 5.4924 t dry, shown "5.492 t", Nd 5 %,
// origin Pakistan; and where it stands: received at port on 2025-10-05.
// Then C departs the port (Oct 6) and is received at the plant (Oct 8):
// its status and where it stands read "received at plant on
// 2025-10-08", and it still holds CW 5.97 t. Unpacked there (Oct 9: an
// unpacking naming C alone takes everything out), it holds nothing: the
// page says it is empty and links the unpacking event.
func TestContainerPageHoldsNow(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c, mine, port, plant = "urn:epc:id:sscc:0614141.5000000233", "urn:t:site:mine-PAK", "urn:t:site:port", "urn:t:site:plant"
	ev := func(id, tm, body string) string {
		return `{"eventID": "urn:t:ev:` + id + `", "eventTime": "` + tm + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", ` + body + `}`
	}
	capture := func(events ...string) {
		t.Helper()
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(uiq2Doc(events...))}); err != nil {
			t.Fatal(err)
		}
	}
	capture(
		ev("w-c", "2025-10-01", `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:CW", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"},
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "`+mine+`", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}`),
		ev("w-p", "2025-10-02", `"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "parentID": "`+c+`", "childQuantityList": [{"epcClass": "urn:t:lot:CW", "quantity": 6000, "uom": "KGM"}], "readPoint": {"id": "`+mine+`"}, "bizLocation": {"id": "`+mine+`"}`),
		ev("w-s", "2025-10-03", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "epcList": ["`+c+`"], "readPoint": {"id": "`+mine+`"}, "bizLocation": {"id": "`+mine+`"},
		  "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:W-1"}]`),
		ev("w-r", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "epcList": ["`+c+`"], "quantityList": [{"epcClass": "urn:t:lot:CW", "quantity": 5970, "uom": "KGM"}],
		  "readPoint": {"id": "`+port+`"}, "bizLocation": {"id": "`+port+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:W-1"}]`),
	)
	get := func(at string) string {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(c), viewerSecret, nil, map[string]string{"Accept": "text/html"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", at, resp.StatusCode, b)
		}
		return string(b)
	}
	section := func(page string) string {
		return regexp.MustCompile(`(?s)<section id="container-now">.*?</section>`).FindString(page)
	}
	holds := func(at, page, stands string) {
		t.Helper()
		now := section(page)
		if now == "" {
			t.Fatalf("%s: no section of what the container holds now: %s", at, pageText(page))
		}
		if got := visibleText(regexp.MustCompile(`(?s)<p id="container-stands">.*?</p>`).FindString(now)); !strings.Contains(got, stands) {
			t.Errorf("%s: where it stands %q, want %q", at, got, stands)
		}
		row := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`).FindString(now)
		cell := func(label string) string {
			return visibleText(regexp.MustCompile(`(?s)data-label="` + label + `">(.*?)</td>`).FindString(row))
		}
		if !strings.Contains(row, "urn:t:lot:CW") {
			t.Fatalf("%s: holds now %q; want a row of CW", at, visibleText(now))
		}
		// The receipt's 5,970 kg, not the 6,000 kg shipped; dry
		// 5.97 × 0.92 = 5.4924 t.
		for label, want := range map[string]string{"Wet": "5.97 t", "Dry": "5.492 t", "Dry grades": "Nd 5 %", "Origin": "Pakistan"} {
			if got := cell(label); !strings.Contains(got, want) {
				t.Errorf("%s: %s %q, want %q", at, label, got, want)
			}
		}
	}
	holds("received at the port", get("received at the port"), "received at port on 2025-10-05")

	capture(
		ev("w-d", "2025-10-06", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "departing", "disposition": "in_transit", "epcList": ["`+c+`"], "readPoint": {"id": "`+port+`"}, "bizLocation": {"id": "`+port+`"},
		  "destinationList": [{"type": "location", "destination": "`+plant+`"}]`),
		ev("w-r2", "2025-10-08", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "epcList": ["`+c+`"], "readPoint": {"id": "`+plant+`"}, "bizLocation": {"id": "`+plant+`"}`),
	)
	page := get("received at the plant")
	if got := visibleText(regexp.MustCompile(`(?s)<div class="n" id="shipment-status">.*?</div>`).FindString(page)); got != "received at plant on 2025-10-08" {
		t.Errorf("received at the plant: status %q, want %q", got, "received at plant on 2025-10-08")
	}
	holds("received at the plant", page, "received at plant on 2025-10-08")

	capture(ev("w-u", "2025-10-09", `"type": "AggregationEvent", "action": "DELETE", "bizStep": "unpacking", "parentID": "`+c+`", "readPoint": {"id": "`+plant+`"}, "bizLocation": {"id": "`+plant+`"}`))
	page = get("unpacked")
	now := section(page)
	if got := visibleText(now); !strings.Contains(got, "empty") || !strings.Contains(got, "unpacked at plant on 2025-10-09") {
		t.Errorf("unpacked: holds now %q; want it empty, unpacked at plant on 2025-10-09", got)
	}
	if !strings.Contains(now, `href="/events/`+url.PathEscape("urn:t:ev:w-u")) && !strings.Contains(now, `href="/events/urn:t:ev:w-u"`) {
		t.Errorf("unpacked: holds now does not link the unpacking event: %s", now)
	}
	if strings.Contains(now, `<tr><td data-label="Lot">`) {
		t.Errorf("unpacked: holds now still lists a lot: %s", visibleText(now))
	}
}
