package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestShipmentsIndexAndShortBOL (issue 15): /shipments lists the demo's
// voyages (no index existed: 404); the short bill of lading and another
// case of it open the shipment; the page shows the weights found on
// receipt beside those shipped. Demo voyage KHI-HOU-2025-0901: shipped
// 40,000 kg of antimony lot SB2025001, received 39,900 kg at Houston
// (event 016): 39.9 − 40 = −0.1 t; the REE lots arrived as shipped
// (24,950 and 17,980 kg, difference 0 t).
func TestShipmentsIndexAndShortBOL(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	const bol = "urn:critmin:demo:bol:KHI-HOU-2025-0901"
	for _, path := range []string{"/shipments", "/shipments/"} {
		resp, b := do(t, "GET", ts.URL+path, "", nil, nil)
		page := html.UnescapeString(string(b))
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/shipments/`+url.PathEscape(bol)+`"`) {
			t.Fatalf("%s: %d\n%s", path, resp.StatusCode, page)
		}
		row := regexp.MustCompile(`(?s)<tr><td><a href="/shipments/` + regexp.QuoteMeta(url.PathEscape(bol)) + `"[^>]*>.*?</tr>`).FindString(page)
		for _, want := range []string{"Port of Karachi", "Port of Houston", "arrived 2025-10-02", "82.93"} {
			if !strings.Contains(row, want) {
				t.Errorf("%s: the voyage's row lacks %q:\n%s", path, want, row)
			}
		}
	}
	if resp, b := do(t, "GET", ts.URL+"/", "", nil, nil); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `<a href="/shipments"`) {
		t.Errorf("navigation has no Shipments link")
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, short := range []string{"KHI-HOU-2025-0901", "khi-hou-2025-0901", "urn:critmin:demo:bol:khi-hou-2025-0901"} {
		resp, err := noFollow.Get(ts.URL + "/shipments/" + url.PathEscape(short))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/shipments/"+url.PathEscape(bol) {
			t.Errorf("%s: %d → %q; want 303 to the full bill of lading", short, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(bol), "", nil, nil)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shipment: %d", resp.StatusCode)
	}
	sb := regexp.MustCompile(`(?s)<tr><td[^>]*><a href="/lots/urn:epc:class:lgtin:0614141.012345.SB2025001"[^>]*>.*?</tr>`).FindString(page)
	if !strings.Contains(sb, "40 t (40,000 kg)") || !strings.Contains(sb, "39.9 t (39,900 kg)") || !strings.Contains(sb, "−0.1 t") {
		t.Errorf("antimony lot row lacks shipped 40 t, received 39.9 t, −0.1 t:\n%s", sb)
	}
	if resp, _ := do(t, "GET", ts.URL+"/shipments/HOU", "", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a short form matching no bill of lading: %d; want 404", resp.StatusCode)
	}
}

// TestShipmentPageIsItsVoyage (nu15 item 1): the page of bill of lading
// BQM-HOU-2025-0902 shows that voyage — event 015, Port Qasim → Houston on
// 2 Sept 2025, 60,000 kg of copper lot CU2025001 in container CAIU2223330
// — not the container's later Houston → Arizona trip (event 022, 15 Oct,
// 59.9 t, no bill of lading). The receipt names no bill of lading; it is
// matched by the lot and container: the first valid receipt after the
// shipment is corr-001 (4 Oct, 59,900 kg; the 59,000 kg receipt it
// corrects is declared in error), so the voyage arrived on 2025-10-04 and
// 59.9 − 60 = −0.1 t. The index lists it arrived, not in transit.
func TestShipmentPageIsItsVoyage(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	const bol = "urn:critmin:demo:bol:BQM-HOU-2025-0902"
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(bol), "", nil, nil)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shipment: %d", resp.StatusCode)
	}
	for _, want := range []string{"urn:critmin:demo:event:015", "arrived at Port of Houston on 2025-10-04", "60 t (60,000 kg)", "59.9 t (59,900 kg)", "urn:critmin:demo:event:corr-001"} {
		if !strings.Contains(page, want) {
			t.Errorf("the voyage's page lacks %q", want)
		}
	}
	for _, bad := range []string{"urn:critmin:demo:event:022", "in transit", "none on the shipping event"} {
		if strings.Contains(page, bad) {
			t.Errorf("the voyage's page shows %q (the container's later trip)", bad)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/shipments", "", nil, nil)
	row := regexp.MustCompile(`(?s)<tr><td><a href="/shipments/` + regexp.QuoteMeta(url.PathEscape(bol)) + `"[^>]*>.*?</tr>`).FindString(html.UnescapeString(string(b)))
	if resp.StatusCode != http.StatusOK || !strings.Contains(row, "arrived 2025-10-04") {
		t.Errorf("index row: %d\n%s; want arrived 2025-10-04", resp.StatusCode, row)
	}
}

// TestShipmentPagesNameThings (new-user check 7): the shipment page
// highlights Shipments in the navigation, not Events; the NDPR voyage's
// destination urn:critmin:demo:site:magnet-tx is named from the demo's
// master data on /shipments and on the NDPR lot page, never shown raw;
// and a lot's quantity reads "30,000 kg", not the Rec 20 code "KGM".
func TestShipmentPagesNameThings(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(t.Context(), ts.Trade()); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:critmin:demo:bol:KHI-HOU-2025-0901"), "", nil, nil)
	if page := string(b); !strings.Contains(page, `<a href="/shipments" class="active">`) || strings.Contains(page, `<a href="/events" class="active">`) {
		t.Errorf("shipment page navigation does not highlight Shipments")
	}
	for _, path := range []string{"/shipments", "/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001"), "/lots?status=in_transit"} {
		_, b := do(t, "GET", ts.URL+path, "", nil, nil)
		page := html.UnescapeString(string(b))
		text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")
		if strings.Contains(text, "urn:critmin:demo:site:magnet-tx") || !strings.Contains(text, "Magnet maker, Fort Worth") {
			t.Errorf("%s shows the raw site URN magnet-tx, or not its name", path)
		}
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:REE-2025-003"), "", nil, nil)
	if page := string(b); !regexp.MustCompile(`<dt>Quantity</dt><dd>[0-9,.]+ kg</dd>`).MatchString(page) || strings.Contains(page, "KGM</dd>") {
		t.Errorf("lot page quantity not in kg:\n%s", regexp.MustCompile(`<dt>Quantity</dt><dd>.*?</dd>`).FindString(page))
	}
}

// TestContainerPageIsItsPacking (nu15f item 2): container TGHU7654320
// sailed on bill of lading KHI-HOU-2025-0901 beside MSKU1234565, but
// packing event 007 put only the antimony lot SB2025001 (40,000 kg) in
// it; the REE lots (event 006: 25,000 + 18,000 kg) went into
// MSKU1234565. The container's page lists its own lot and 40 t (not the
// bill of lading's 24.95 + 17.98 + 40 = 82.93 t, 3 lots); MSKU1234565's
// lists the two REE lots as the shipping event loaded them, 24.95 +
// 17.98 = 42.93 t, with the 25 t packed shown as an earlier leg's
// (new-user finding nu37b-1: it read 25 + 18 = 43 t packed). The bill
// of lading's page still lists all three.
func TestContainerPageIsItsPacking(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	lots := func(path string) (string, []string) {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(path), "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		page := html.UnescapeString(string(b))
		table := regexp.MustCompile(`(?s)<table id="shipment-lots"[^>]*>.*?</table>`).FindString(page)
		var ids []string
		for _, m := range regexp.MustCompile(`href="/lots/([^"]+)"`).FindAllStringSubmatch(table, -1) {
			u, _ := url.PathUnescape(m[1])
			ids = append(ids, u)
		}
		return page, ids
	}
	page, ids := lots("urn:critmin:demo:container:TGHU7654320")
	if len(ids) != 1 || ids[0] != "urn:epc:class:lgtin:0614141.012345.SB2025001" {
		t.Errorf("TGHU7654320 lists %v; want only the antimony lot SB2025001", ids)
	}
	if !strings.Contains(page, "40 t</div>") || strings.Contains(page, "82.93") || !strings.Contains(page, "(1 lot)") {
		t.Errorf("TGHU7654320's tonnage is not its own 40 t:\n%s", regexp.MustCompile(`(?s)<div class="cards">.*?</div>\s*</div>`).FindString(page))
	}
	page, ids = lots("urn:critmin:demo:container:MSKU1234565")
	if len(ids) != 2 || !strings.Contains(page, "42.93 t</div>") || !strings.Contains(page, "24.95 t (24,950 kg)") || !strings.Contains(page, "25 t (25,000 kg) packed; what changed since (an earlier leg, a re-weighing)") {
		t.Errorf("MSKU1234565 lists %v; want REE-2025-001 and -002, 24.95 + 17.98 = 42.93 t loaded, 25 t packed earlier", ids)
	}
	if _, ids = lots("urn:critmin:demo:bol:KHI-HOU-2025-0901"); len(ids) != 3 {
		t.Errorf("the bill of lading lists %v; want its three lots", ids)
	}
}

// TestShipmentsNameTheVessel (nu15f item 7): the demo's ocean voyages
// name their vessel (cm:vessel on the shipping event): KHI-HOU-2025-0901
// sailed on "Illustrative Trader (IMO 9700005)", which the index's
// Vessel column and the shipment page show; the overland trip of
// CAIU2223330 from Houston to Arizona (event 022) names none.
func TestShipmentsNameTheVessel(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	const bol, vessel = "urn:critmin:demo:bol:KHI-HOU-2025-0901", "Illustrative Trader (IMO 9700005)"
	_, b := do(t, "GET", ts.URL+"/shipments", "", nil, nil)
	row := regexp.MustCompile(`(?s)<tr><td><a href="/shipments/` + regexp.QuoteMeta(url.PathEscape(bol)) + `"[^>]*>.*?</tr>`).FindString(html.UnescapeString(string(b)))
	if !strings.Contains(row, "<td>"+vessel+"</td>") {
		t.Errorf("the index row names no vessel:\n%s", row)
	}
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(bol), "", nil, nil)
	if !strings.Contains(html.UnescapeString(string(b)), `<dd id="shipment-vessel">`+vessel+`</dd>`) {
		t.Errorf("the shipment page names no vessel")
	}
}
