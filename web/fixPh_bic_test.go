package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestContainerNumberAsBIC (issue 15, fixPh item 1): a container typed on
// a form as its ISO 6346 number was recorded under the demo's private
// prefix, urn:critmin:demo:container:NUMBER, whatever the store knew.
// GS1 Tag Data Standard 2.0 has a scheme for it, the BIC EPC
// urn:epc:id:bic:NUMBER (the 11 characters of the ISO 6346 code, check
// digit included). Now:
//   - a number the store knows resolves to the identifier it was recorded
//     under: the demo packs, ships and receives MSKU1234565 as
//     urn:critmin:demo:container:MSKU1234565, so the Unpack and Ship
//     forms' "MSKU1234565" (and "msku 123456 5" as painted) is that URN;
//   - a number not yet known is urn:epc:id:bic:NUMBER. MSCU1234566's
//     check digit by hand: M 24, S 30, C 13, U 32, then 1…6, each times
//     2^i: 24 + 60 + 52 + 256 + 16 + 64 + 192 + 512 + 1280 + 3072 = 5528;
//     5528 mod 11 = 6 (502 × 11 = 5522), so MSCU1234566 is right and
//     MSCU1234567 is refused naming check digit 6;
//   - a URN typed in full is kept as typed;
//   - the container page of a bic container, packed through the form,
//     lists what it holds, and /shipments/MSCU1234566 (the number alone)
//     opens it.
func TestContainerNumberAsBIC(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const (
		demoURN = "urn:critmin:demo:container:MSKU1234565"
		bic     = "urn:epc:id:bic:MSCU1234566"
		lot     = "urn:t:lot:PH"
		port    = "urn:critmin:demo:site:port-qasim"
	)
	commission := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-05T10:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:ph-c", "eventTime": "2025-11-05T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "` + lot + `", "quantity": 20000, "uom": "KGM"}], "readPoint": {"id": "` + port + `"}, "bizLocation": {"id": "` + port + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(commission)}); err != nil {
		t.Fatal(err)
	}
	post := func(form string, v url.Values) (int, string) {
		t.Helper()
		resp, b := do(t, "POST", ts.URL+"/record/"+form, operatorSecret, []byte(v.Encode()), formHeader)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	pack := func(box, step string) (int, string) {
		return post("pack", url.Values{"container": {box}, "lots": {lot + " 5000 KGM"}, "time": {"2025-11-06T10:00"}, "tz": {"+05:00"}, "site": {port}, "step": {step},
			"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000f0a01"}})
	}
	// A known number: the demo's URN, on Unpack and Ship alike.
	for _, typed := range []string{"MSKU1234565", "msku 123456 5"} {
		if _, page := post("unpack", url.Values{"container": {typed}, "lots": {""}, "time": {"2025-11-20T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}, "step": {"preview"}}); !strings.Contains(page, `"parentID": "`+demoURN+`"`) {
			t.Errorf("Unpack %q: want the event's parentID %s (the demo's container of that number); errors %s", typed, demoURN, fieldErrorText(page))
		}
	}
	ship := url.Values{"containers": {"MSKU1234565\n" + "MSCU1234566"}, "lots": {""}, "bol": {"PH-1"}, "destination": {"urn:critmin:demo:site:houston"}, "time": {"2025-11-20T10:00"}, "tz": {"+05:00"}, "site": {port}, "step": {"preview"}}
	if _, page := post("ship", ship); !strings.Contains(page, `"`+demoURN+`"`) || !strings.Contains(page, `"`+bic+`"`) || strings.Contains(page, "urn:critmin:demo:container:MSCU1234566") {
		t.Errorf("Ship MSKU1234565 and MSCU1234566: want %s (known) and %s (new) in the epcList; errors %s", demoURN, bic, fieldErrorText(page))
	}
	// A new number: the BIC EPC URN.
	if code, page := pack("MSCU1234566", "preview"); code != http.StatusOK || !strings.Contains(page, `"parentID": "`+bic+`"`) {
		t.Errorf("Pack into MSCU1234566: %d; want the preview with parentID %s; errors %s", code, bic, fieldErrorText(page))
	}
	// The check digit is still checked.
	if code, page := pack("MSCU1234567", "preview"); code != http.StatusBadRequest || !strings.Contains(fieldText(page, "container"), "check digit is 6") {
		t.Errorf("Pack into MSCU1234567: %d, Container field %q; want 400 naming check digit 6", code, fieldText(page, "container"))
	}
	// A URN typed in full is kept, even one whose tail is a known number.
	const other = "urn:t:container:MSKU1234565"
	if _, page := pack(other, "preview"); !strings.Contains(page, `"parentID": "`+other+`"`) {
		t.Errorf("Pack into %s: want it kept as typed; errors %s", other, fieldErrorText(page))
	}
	// Captured: the bic container's page lists what it holds, and its
	// number alone opens that page.
	if code, page := pack("MSCU1234566", "capture"); code != http.StatusOK {
		t.Fatalf("Pack into MSCU1234566 captured: %d; errors %s", code, fieldErrorText(page))
	}
	// Known now: typed again, the number is the bic URN it was recorded as.
	if _, page := post("unpack", url.Values{"container": {"MSCU 123456-6"}, "lots": {""}, "time": {"2025-11-07T10:00"}, "tz": {"+05:00"}, "site": {port}, "step": {"preview"}}); !strings.Contains(page, `"parentID": "`+bic+`"`) {
		t.Errorf("Unpack MSCU 123456-6 after the packing: want parentID %s; errors %s", bic, fieldErrorText(page))
	}
	for _, path := range []string{url.PathEscape(bic), "MSCU1234566"} {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+path, viewerSecret, nil, nil)
		page := html.UnescapeString(string(b))
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "MSCU1234566") || !strings.Contains(page, "PH") || !strings.Contains(page, `data-label="Packed">5 t`) && !strings.Contains(page, `data-label="Packed">5,000 kg`) {
			t.Errorf("GET /shipments/%s: %d; want the container page of %s holding 5 t of PH\n%s", path, resp.StatusCode, bic, visibleText(page))
		}
	}
}

// TestImportRowCellsWording (issue 15, fixPh item 2): a row of one cell
// under a header of 6 read "row 4 has 1 cells where the header has 6".
// Row 3 has 4 cells (40000 after three), row 4 one ("W3" alone): "row 3
// has 4 cells where the header has 6" and "row 4 has 1 cell where the
// header has 6".
func TestImportRowCellsWording(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000080", "urn:t:site:mine-PAK", "urn:t:site:port"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPcDoc(c, mine, port))}); err != nil {
		t.Fatal(err)
	}
	file := "Ticket,Lot,Time,Gross,Tare,Net\n" +
		"W1,urn:t:lot:CO,2025-10-03 08:00,40000,30000,10000\n" +
		"W2,urn:t:lot:CO,2025-10-03 09:00,40000\n" +
		"W3\n"
	v := url.Values{"source": {"short"}, "kind": {"weighbridge"}, "csv": {file}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot"}, "col_time": {"Time"}, "col_gross_kg": {"Gross"}, "col_tare_kg": {"Tare"}, "col_net_kg": {"Net"},
		"def_site": {mine}, "def_tz": {"+00:00"}}
	_, page := postImport(t, ts, v)
	for _, want := range []string{"row 3 has 4 cells where the header has 6", "row 4 has 1 cell where the header has 6"} {
		if !strings.Contains(page, want) {
			t.Errorf("import page does not say %q; its row errors: %s", want, fieldErrorText(page))
		}
	}
	if strings.Contains(page, "1 cells") {
		t.Errorf("import page says \"1 cells\"")
	}
}
