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

// fixPnDoc commissions lot CO, 10,000 kg at the mine (moisture 0), and
// packs 4,000 kg of it into container c there on Oct 2.
func fixPnDoc(c, mine, port string) string {
	return strings.Replace(fixPcDoc(c, mine, port), `"childQuantityList": [{"epcClass": "urn:t:lot:CO", "quantity": 10000, "uom": "KGM"}]`,
		`"childQuantityList": [{"epcClass": "urn:t:lot:CO", "quantity": 4000, "uom": "KGM"}]`, 1)
}

// TestReceivePreviewMassCountsContainerShipments (issue 15, new-user
// check n15-1): the Receive preview's "the lot's mass will be M t: …"
// replayed the lot's own events only, leaving out a shipment of a
// container the lot was packed in that names the container alone, so
// its sum disagreed with the lot the API gives after capture. CO, 10 t
// at the mine, 4 t packed into C (Oct 2); C shipped alone to the port
// under PN-C (Oct 3, carrying the 4 t); 3 t of CO shipped loose under
// PN-L (Oct 3). The receipt of the 3 t under PN-L at the port (Oct 5)
// leaves: body at the mine 10 − 4 − 3 = 3 t, 3 t received at the port,
// 4 t in transit in C: 3 + 3 + 4 = 10 t, the lot's mass.
func TestReceivePreviewMassCountsContainerShipments(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000127", "urn:t:site:mine-PAK", "urn:t:site:port"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPnDoc(c, mine, port))}); err != nil {
		t.Fatal(err)
	}
	for i, ship := range []url.Values{
		{"containers": {c}, "lots": {""}, "bol": {"PN-C"}, "destination": {port}, "time": {"2025-10-03T08:00"}, "tz": {"+00:00"}, "site": {mine},
			"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000005a1"}, "step": {"capture"}},
		{"containers": {""}, "lots": {"urn:t:lot:CO 3000 KGM"}, "bol": {"PN-L"}, "destination": {port}, "time": {"2025-10-03T09:00"}, "tz": {"+00:00"}, "site": {mine},
			"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000005a2"}, "step": {"capture"}},
	} {
		resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(ship.Encode()), formHeader)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("shipment %d: %d %s", i, resp.StatusCode, fieldErrorText(string(b)))
		}
	}
	recv := url.Values{"containers": {""}, "lots": {"urn:t:lot:CO 3000 KGM"}, "bol": {"PN-L"}, "time": {"2025-10-05T08:00"}, "tz": {"+00:00"}, "site": {port}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(recv.Encode()), formHeader)
	page := html.UnescapeString(pageText(string(b)))
	i := strings.Index(page, "the lot's mass will be")
	note := ""
	if i >= 0 {
		note = page[i:]
		if j := strings.Index(note, "; the loading weight"); j > 0 {
			note = note[:j]
		}
	}
	want := "the lot's mass will be 10 t: 3 t at mine (the lot's body) · 3 t at port (received part) · 4 t in transit"
	if resp.StatusCode != http.StatusOK || note != want {
		t.Errorf("CO's receipt preview: %d\n got %q\nwant %q", resp.StatusCode, note, want)
	}
}
