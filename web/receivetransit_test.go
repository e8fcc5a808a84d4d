package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestReceivePreviewCountsWhatIsAtSea (nu15 finding 3): the Receive
// preview's breakdown of the lot's mass left out the parts still in
// transit, so its terms added up to less than the total it gave. FW-19
// holds 19 t at Karachi (fw19Doc); 5,000 kg ship to Houston under B/L
// FW-19-A and 3,000 kg under FW-19-B. Receiving A at 4,960 kg while B is
// at sea, the lot will weigh
//
//	body 19 − 5 − 3 = 11 t at Karachi + 4.96 t received at Houston
//	+ 3 t in transit = 18.96 t
//
// and the preview names all three terms. The body at sea counts too
// (nu15b finding 5, ledger.AtSea): with 5,000 kg under A and the rest,
// 14 t, shipped under B with no quantity (the body in transit),
// receiving A at 4,960 kg reads 4.96 t at Houston + 14 t in transit =
// 18.96 t.
func TestReceivePreviewCountsWhatIsAtSea(t *testing.T) {
	receiveA := func(t *testing.T, ts *testServer) string {
		t.Helper()
		v := url.Values{"lots": {"urn:critmin:demo:lot:FW-19 4960 KGM"}, "bol": {"urn:critmin:demo:bol:FW-19-A"}, "time": {"2025-11-20T08:00"}, "tz": {"-06:00"},
			"site": {"urn:critmin:demo:site:houston"}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000015e1"}, "step": {"preview"}}
		resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
		var paras []string
		for _, m := range regexp.MustCompile(`(?s)<p class="(?:note|warn)" id="preview-(?:note|warning)">(.*?)</p>`).FindAllStringSubmatch(string(b), -1) {
			paras = append(paras, visibleText(m[1]))
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("preview: %d", resp.StatusCode)
		}
		return strings.Join(paras, "\n")
	}
	body := fw19Split(t,
		fw19Ship("urn:t:nu15t:ba", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000),
		fw19Ship("urn:t:nu15t:bb", "2025-11-03T10:00:00+05:00", "FW-19-B", 0))
	all := receiveA(t, body)
	for _, want := range []string{"the lot's mass will be 18.96 t", "4.96 t at Port of Houston", "14 t in transit"} {
		if !strings.Contains(all, want) {
			t.Errorf("body at sea: preview %q; want %q (4.96 + 14 = 18.96 t)", all, want)
		}
	}
	ts := fw19Split(t,
		fw19Ship("urn:t:nu15t:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000),
		fw19Ship("urn:t:nu15t:sb", "2025-11-03T10:00:00+05:00", "FW-19-B", 3000))
	all = receiveA(t, ts)
	if !strings.Contains(all, "the lot's mass will be 18.96 t") {
		t.Errorf("preview: %q; want the lot's mass 18.96 t", all)
	}
	for _, want := range []string{"11 t at Port of Karachi", "4.96 t at Port of Houston", "3 t in transit"} {
		if !strings.Contains(all, want) {
			t.Errorf("preview: %q; want %q among the lot's terms (11 + 4.96 + 3 = 18.96 t)", all, want)
		}
	}
}
