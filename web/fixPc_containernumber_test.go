package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestContainerTypedAsItsNumber (issue 15, n15 item 3): a container typed
// as its ISO 6346 number was refused as "a relative URL". Its check digit
// is worked by hand: MSKU123456 → M 24, S 30, K 21, U 32, then the digits,
// each times 2^i: 24 + 60 + 84 + 256 + 16·1 + 32·2 + 64·3 + 128·4 +
// 256·5 + 512·6 = 424 + 5136 = 5560; 5560 mod 11 = 5 (505 × 11 = 5555),
// so the check digit is 5 and MSKU1234565 is right, MSKU1234566 wrong.
//   - Pack into "MSKU1234565": the preview's event has parentID
//     urn:epc:id:bic:MSKU1234565, the GS1 BIC EPC URN (a number this
//     store has not recorded; a recorded one is the identifier it was
//     recorded under, TestContainerNumberAsBIC, fixPh — it was the
//     demo's prefix, urn:critmin:demo:container:, whatever the store);
//   - Pack into "msku 123456 5" (lower case, spaced as painted): the same;
//   - Pack into "MSKU1234566": refused 400 under Container, naming the
//     check digit 5;
//   - Ship with containers "MSKU1234565" alone: the preview's epcList is
//     the URN; a URI typed in full is kept as typed.
func TestContainerTypedAsItsNumber(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000059", "urn:t:site:mine-PAK", "urn:t:site:port"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPcDoc(c, mine, port))}); err != nil {
		t.Fatal(err)
	}
	// A second lot, loose at the mine, to pack.
	doc := strings.Replace(fixPcDoc(c, mine, port), "urn:t:lot:CO", "urn:t:lot:CP", -1)
	doc = strings.Replace(doc, "urn:t:ev:co-", "urn:t:ev:cp-", -1)
	doc = doc[:strings.Index(doc, `,
	 {"type": "AggregationEvent"`)] + `]}}`
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	const urn = "urn:epc:id:bic:MSKU1234565"
	pack := func(box string) (int, string) {
		v := url.Values{"container": {box}, "lots": {"urn:t:lot:CP 1000 KGM"}, "time": {"2025-10-03T08:00"}, "tz": {"+00:00"}, "site": {mine}, "step": {"preview"}}
		resp, b := do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(v.Encode()), formHeader)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	for _, typed := range []string{"MSKU1234565", "msku 123456 5"} {
		if code, page := pack(typed); code != http.StatusOK || !strings.Contains(page, `"parentID": "`+urn+`"`) {
			t.Errorf("Pack into %q: %d %s; want the preview with parentID %s", typed, code, fieldErrorText(page), urn)
		}
	}
	if code, page := pack("MSKU1234566"); code != http.StatusBadRequest || !strings.Contains(fieldText(page, "container"), "check digit") || !strings.Contains(fieldText(page, "container"), "MSKU1234565") {
		t.Errorf("Pack into MSKU1234566: %d, Container field %q; want 400 naming the check digit and MSKU1234565", code, fieldText(page, "container"))
	}
	ship := url.Values{"containers": {"MSKU1234565\n" + c}, "lots": {""}, "bol": {"PC-1"}, "destination": {port}, "time": {"2025-10-03T08:00"}, "tz": {"+00:00"}, "site": {mine}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(ship.Encode()), formHeader)
	page := html.UnescapeString(string(b))
	if !strings.Contains(page, `"`+urn+`"`) || !strings.Contains(page, `"`+c+`"`) || strings.Contains(fieldText(page, "containers"), "URI") {
		t.Errorf("Ship MSKU1234565 and %s: %d, Containers field %q; want both in the epcList, the number as %s", c, resp.StatusCode, fieldText(page, "containers"), urn)
	}
	// A wrong check digit on the Ship and Receive forms' container lines
	// is refused on its line, naming the right digit, as on Pack
	// (new-user check n8d: NUDU2384132 was taken on the Ship form). ISO
	// 6346: MSKU123456's check digit is 5, so MSKU1234566 is refused.
	for _, form := range []string{"ship", "receive"} {
		v := url.Values{"containers": {c + "\nMSKU1234566"}, "lots": {""}, "bol": {"PC-1"}, "time": {"2025-10-03T08:00"}, "tz": {"+00:00"}, "site": {mine}, "step": {"preview"}}
		if form == "ship" {
			v.Set("destination", port)
		}
		resp, b := do(t, "POST", ts.URL+"/record/"+form, operatorSecret, []byte(v.Encode()), formHeader)
		f := fieldText(html.UnescapeString(string(b)), "containers")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(f, "line 2") || !strings.Contains(f, "check digit is 5") || !strings.Contains(f, "MSKU1234565") {
			t.Errorf("%s with MSKU1234566: %d, Containers field %q (errors %s); want 400 on line 2 naming check digit 5 (MSKU1234565)", form, resp.StatusCode, f, fieldErrorText(html.UnescapeString(string(b))))
		}
	}
}
