package web_test

import (
	"context"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis/epcistest"
	"github.com/critmin/critmin/ledger"
)

// TestReceivePreviewSplitsByParty (issue 15, fix15f item 1): a receipt's
// owning_party concerns what it received (CBV 2.0 §7.5), so where two
// parties hold parts of a lot at the receiving site the Receive preview
// says which part the weight applies to and what each party holds there
// once captured — as capture then stores it (ledger.StandsAt's
// Holdings).
//
// Lot L10, 10 t at MINE owned by SELL. 6 t ship under B/L A to S and are
// received there at 6,000 kg for Buyer One; the rest, 10 − 6 = 4 t,
// ships under B/L B to S. The Receive form previews B at 3,900 kg for
// Buyer Two: 3.9 t becomes the mass of the part received for Buyer Two
// (the 4 t shipped under B), the lot's mass 6 + 3.9 = 9.9 t, all at
// Site S: 6 t owned by Buyer One and 3.9 t owned by Buyer Two. The
// preview said only "9.9 t at Site S (received parts)", naming no party. Once captured, the lot's standsAt
// holds the same two holdings.
func TestReceivePreviewSplitsByParty(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const lot, mine, s = "urn:t15f:lot:L10", "urn:t15f:site:MINE", "urn:t15f:site:S"
	const sell, buy1, buy2 = "urn:t15f:party:SELL", "urn:t15f:party:BUY1", "urn:t15f:party:BUY2"
	ev := func(id, at, step, body string) string { return epcistest.Object("urn:t15f:ev:"+id, at, step, body) }
	bol := func(b string) string { return epcistest.BOL("urn:t15f:bol:" + b) }
	doc := epcistest.Document([]string{epcistest.Named(mine, "Mine M"), epcistest.Named(s, "Site S")},
		[]string{epcistest.Named(sell, "Seller"), epcistest.Named(buy1, "Buyer One"), epcistest.Named(buy2, "Buyer Two")}, `{"type": "ObjectEvent", "eventID": "urn:t15f:ev:c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "`+lot+`", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"},
  "destinationList": [{"type": "owning_party", "destination": "`+sell+`"}, {"type": "possessing_party", "destination": "`+sell+`"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}`,
		ev("sa", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 6000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+s+`"}], `+bol("A")),
		ev("ra", "2025-10-10T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 6000, "uom": "KGM"}], "bizLocation": {"id": "`+s+`"}, "destinationList": [{"type": "owning_party", "destination": "`+buy1+`"}, {"type": "possessing_party", "destination": "`+buy1+`"}], `+bol("A")),
		ev("sb", "2025-10-11T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 4000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+s+`"}], `+bol("B")))
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"lots": {lot + " 3900 KGM"}, "bol": {"urn:t15f:bol:B"}, "owner": {buy2}, "time": {"2025-10-20T08:00"}, "tz": {"+00:00"},
		"site": {s}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-00000015f001"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
	var paras []string
	for _, m := range regexp.MustCompile(`(?s)<p class="(?:note|warn)" id="preview-(?:note|warning)">(.*?)</p>`).FindAllStringSubmatch(string(b), -1) {
		paras = append(paras, visibleText(m[1]))
	}
	all := strings.Join(paras, "\n")
	if resp.StatusCode != 200 {
		t.Fatalf("preview: %d %s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	for _, want := range []string{
		"3.9 t becomes the mass of the part received here for Buyer Two (the rest of the lot is unchanged)",
		"the lot's mass will be 9.9 t: 9.9 t at Site S (received parts): 6 t owned by Buyer One, held by Buyer One; 3.9 t owned by Buyer Two, held by Buyer Two",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("preview paragraphs %q\nlack %q", paras, want)
		}
	}
	v.Set("step", "capture")
	if resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != 200 {
		t.Fatalf("capture: %d %s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	l, err := ts.Store.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	st := ledger.StandsAt(l)
	if len(st) != 1 || len(st[0].Holdings) != 2 {
		t.Fatalf("stored standsAt %+v; want one site, two holdings", st)
	}
	h := st[0].Holdings
	if h[0].Owner != buy1 || math.Abs(h[0].WetTonnes-6) > 1e-9 || h[1].Owner != buy2 || math.Abs(h[1].WetTonnes-3.9) > 1e-9 {
		t.Errorf("stored holdings %+v; want Buyer One 6 t, Buyer Two 3.9 t", h)
	}
}
