package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestDemoLotShowsItsBillOfLadingOnce (issue 15, fixCc item 1): demo lot
// REE-2025-002 crossed once, under bill of lading KHI-HOU-2025-0901
// (shipped 17,980 kg by event 014, received 17,980 kg at Houston by
// event 016), then went by truck from the port to the plant (departing
// 018, receiving 019: no bill of lading). Its lot page showed the
// voyage's "Shipped / received" line twice: receipt 019, naming no
// bill of lading, was matched to the voyage the lot had already ended.
// One line: shipped 17.98 wmt, received 17.98 wmt, difference
// 17.98 − 17.98 = 0 wmt.
func TestDemoLotShowsItsBillOfLadingOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:REE-2025-002"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	lines := regexp.MustCompile(`(?s)<dd class="outturn">.*?</dd>`).FindAllString(string(b), -1)
	if len(lines) != 1 {
		t.Fatalf("lot page has %d shipped / received lines; want 1:\n%q", len(lines), lines)
	}
	if got := pageText(lines[0]); !strings.Contains(got, "bill of lading KHI-HOU-2025-0901 : shipped 17.98 wmt") || !strings.Contains(got, "received 17.98 wmt") || !strings.Contains(got, "difference 0 wmt") {
		t.Errorf("shipped / received line %q; want B/L KHI-HOU-2025-0901, 17.98 wmt shipped and received, difference 0", got)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:critmin:demo:lot:REE-2025-002"), viewerSecret, nil, nil)
	var l struct {
		Outturns []struct {
			BillOfLading   string `json:"billOfLading"`
			ReceiptEventID string `json:"receiptEventID"`
		} `json:"outturns"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &l) != nil {
		t.Fatalf("lot API: %d %s", resp.StatusCode, b)
	}
	if len(l.Outturns) != 1 || l.Outturns[0].BillOfLading != "urn:critmin:demo:bol:KHI-HOU-2025-0901" || l.Outturns[0].ReceiptEventID != "urn:critmin:demo:event:016" {
		t.Errorf("lot API outturns %+v; want one, B/L KHI-HOU-2025-0901 closed by receipt 016", l.Outturns)
	}
}

// partiesCell is the visible text of the first lot row's "Owners and
// custodians" cell of a shipment page.
func partiesCell(t *testing.T, ts *testServer, shipment string) string {
	t.Helper()
	_, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(shipment), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	cell := regexp.MustCompile(`(?s)class="shipment-parties">(.*?)</td>`).FindStringSubmatch(string(b))
	if cell == nil {
		t.Fatalf("shipment page of %s lacks the parties cell:\n%s", shipment, b)
	}
	return pageText(cell[1])
}

// TestShipmentAtSeaNamesTheCarrier (issue 15, fixCc item 2): while a
// shipment is at sea (shipped, not received) what it carries is in the
// carrier's hands — the possessing_party its shipping event hands it to
// (destinationList, CBV 2.0 §7.5) — not the shipper's. The demo's second
// voyage (B/L BQM-HOU-2025-1112, event 027, not yet received) names the
// demo's ocean carrier: its row says so, and FWO stays its owner. A
// shipment naming no carrier (FW-19-A, fw19Ship) says that none is named,
// and names no other party as the custodian.
func TestShipmentAtSeaNamesTheCarrier(t *testing.T) {
	ts := fw19Split(t, fw19Ship("urn:t:fixCc:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000))
	if got := partiesCell(t, ts, "urn:critmin:demo:bol:BQM-HOU-2025-1112"); got != "owner Frontier Works Organization; custodian Illustrative Ocean Carrier, the carrier, at sea" {
		t.Errorf("at sea with a carrier named: %q; want the owner FWO and the carrier as custodian", got)
	}
	if got := partiesCell(t, ts, "urn:critmin:demo:bol:FW-19-A"); !strings.HasSuffix(got, "custodian in transit: no carrier named on the shipping event") || strings.Count(got, "custodian") != 1 {
		t.Errorf("at sea with no carrier named: %q; want it said that no carrier is named", got)
	}
	// Once received, the row is as before: the demo's first voyage names
	// no carrier as custodian.
	if got := partiesCell(t, ts, "urn:critmin:demo:bol:KHI-HOU-2025-0901"); strings.Contains(got, "at sea") || strings.Contains(got, "Carrier") {
		t.Errorf("received shipment: %q; want no carrier at sea", got)
	}
}

// TestShipFormRefusalNamesWhoMayShip (issue 15, fixCc item 3): the Ship
// form's refusal of a From owner that holds nothing of the lot where it
// leaves listed only the owners there. At Houston FW-19 stands as two
// holdings (fw19Split): USSM's 5 t, received for and held by USSM, and
// the smelter's 3 t, held by the smelter. From owner FWO is refused
// (409) naming why and, for each holding, the owner and the custodian
// that may ship it, with its 5 t and 3 t.
func TestShipFormRefusalNamesWhoMayShip(t *testing.T) {
	const ussm, smelter, fwo = "urn:critmin:demo:party:ussm", "urn:critmin:demo:party:smelter", "urn:critmin:demo:party:fwo"
	ts := fw19Split(t,
		fw19Ship("urn:t:fixCc:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000), fw19Ship("urn:t:fixCc:sb", "2025-11-03T10:00:00+05:00", "FW-19-B", 3000),
		fw19ReceiveFor("urn:t:fixCc:ra", "2025-11-20T10:00:00-06:00", "FW-19-A", 5000, ussm), fw19ReceiveFor("urn:t:fixCc:rb", "2025-11-21T10:00:00-06:00", "FW-19-B", 3000, smelter))
	form := url.Values{"lots": {"urn:critmin:demo:lot:FW-19"}, "bol": {"urn:critmin:demo:bol:FW-19-L"}, "destination": {"urn:critmin:demo:site:karachi"},
		"site": {"urn:critmin:demo:site:houston"}, "time": {"2025-11-25T10:00"}, "tz": {"-06:00"}, "from_owner": {fwo},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000000cc"}, "step": {"capture"}}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form.Encode()), formHeader)
	errs := regexp.MustCompile(`<span class="field-error">(.*?)</span>`).FindAllStringSubmatch(fieldBlock(string(b), "from_owner"), -1)
	if resp.StatusCode != http.StatusConflict || len(errs) == 0 {
		t.Fatalf("from owner FWO: %d with no From owner error; want 409:\n%s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	got := visibleText(errs[0][1])
	for _, want := range []string{
		fwo + " holds nothing of lot urn:critmin:demo:lot:FW-19 at",
		"cannot ship it from there",
		"a shipment takes only of the holding of the owner it names",
		"owner " + ussm + ", custodian " + ussm + " (5 t)",
		"owner " + smelter + ", custodian " + smelter + " (3 t)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("refusal %q lacks %q", got, want)
		}
	}
}

// TestUnstatedPlaceReadsNotStated (issue 15, fixCc item 5): a label
// whose value no event states read "—" after it ("owner —", "Business
// location —"); it reads "not stated", as the lot page words its other
// unknowns. Demo event 014 (the vessel's shipping) states a read point
// and no business location.
func TestUnstatedPlaceReadsNotStated(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/events/"+url.PathEscape("urn:critmin:demo:event:014"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	text := pageText(string(b))
	if !strings.Contains(text, "Business location not stated") || strings.Contains(text, "Business location —") {
		t.Errorf("event 014's business location: want not stated:\n%.2000s", text)
	}
}
