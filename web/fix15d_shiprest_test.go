package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestShipFormShipsTheRest (issue 15, fix15d item 4): FW-19 holds 19 t
// at Karachi (fw19Doc); 5,000 kg ship to Houston under B/L FW-19-A. The
// Ship form's lot line "FW-19" with no mass (it was refused: "no mass
// after …") ships what stands of the lot at Karachi, 19 − 5 = 14 t: the
// preview says so, the event states no quantity, and once captured the
// shipment page reads "14 t (no quantity stated: …)".
func TestShipFormShipsTheRest(t *testing.T) {
	ts := fw19Split(t, fw19Ship("urn:t:fw19d4:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000))
	const lot, houston, karachi = "urn:critmin:demo:lot:FW-19", "urn:critmin:demo:site:houston", "urn:critmin:demo:site:karachi"
	const bol = "urn:critmin:demo:bol:FW-19-R"
	v := url.Values{"lots": {lot}, "bol": {bol}, "destination": {houston}, "site": {karachi}, "time": {"2025-11-05T10:00"}, "tz": {"+05:00"},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000015d4"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader)
	var notes []string
	for _, m := range regexp.MustCompile(`(?s)<p class="note" id="preview-note">(.*?)</p>`).FindAllStringSubmatch(string(b), -1) {
		notes = append(notes, visibleText(m[1]))
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(strings.Join(notes, "\n"), "no mass stated: the shipment ships what stands of the lot where it leaves, 14 t") {
		t.Fatalf("preview: %d, notes %q\n%s", resp.StatusCode, notes, excerpt(string(b), "field-error"))
	}
	if strings.Contains(string(b), `&#34;quantity&#34;`) || strings.Contains(string(b), `"quantity"`) {
		t.Errorf("the event states a quantity:\n%s", excerpt(string(b), "quantityList"))
	}
	v.Set("step", "capture")
	if resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Fatalf("capture: %d %s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	resp, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(bol), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if page := visibleText(string(b)); resp.StatusCode != http.StatusOK || !strings.Contains(page, "14 t (no quantity stated: what stood of the lot where it left)") {
		t.Errorf("shipment page: %d; want 14 t shipped: %s", resp.StatusCode, excerpt(string(b), "shipment-lots"))
	}
}
