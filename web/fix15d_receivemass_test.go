package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestReceivePreviewGivesLotMass (issue 15, fix15d item 1): FW-19 holds
// 19 t at Karachi (fw19Doc). 5,000 kg ship to Houston under B/L
// FW-19-A and are received there at 4,960 kg; the rest ships to Houston
// under B/L FW-19-B with no quantity: what stood at Karachi, 19 − 5 =
// 14 t. The Receive preview of B at 13,900 kg:
//   - says the lot's mass once captured: 4.96 + 13.9 = 18.86 t, all of
//     it at Houston (the part and the body); it said "13.9 t becomes the
//     lot's current mass";
//   - states the difference 13.9 − 14 = −0.1 t, −0.1 / 14 = −0.71 %
//     (beyond 0.5 %) in one paragraph, not in a note and a warning.
//
// Once captured, the lot's wetTonnes is 18.86.
func TestReceivePreviewGivesLotMass(t *testing.T) {
	ts := fw19Split(t,
		fw19Ship("urn:t:fw19d:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000),
		fw19Receive("urn:t:fw19d:ra", "2025-11-20T08:00:00-06:00", "FW-19-A", 4960),
		fw19Ship("urn:t:fw19d:sb", "2025-11-21T10:00:00+05:00", "FW-19-B", 0))
	ctx := context.Background()
	const lot, houston = "urn:critmin:demo:lot:FW-19", "urn:critmin:demo:site:houston"
	v := url.Values{"lots": {lot + " 13900 KGM"}, "bol": {"urn:critmin:demo:bol:FW-19-B"}, "time": {"2025-12-10T08:00"}, "tz": {"-06:00"},
		"site": {houston}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000015d1"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
	var paras []string
	for _, m := range regexp.MustCompile(`(?s)<p class="(?:note|warn)" id="preview-(?:note|warning)">(.*?)</p>`).FindAllStringSubmatch(string(b), -1) {
		paras = append(paras, visibleText(m[1]))
	}
	all := strings.Join(paras, "\n")
	if resp.StatusCode != http.StatusOK || !strings.Contains(all, "the lot's mass will be 18.86 t") || !strings.Contains(all, "18.86 t at Port of Houston") {
		t.Errorf("preview: %d, paragraphs %q; want the lot's mass 18.86 t, all at Houston", resp.StatusCode, paras)
	}
	// The received weight becomes the mass of what was shipped, never
	// "what was shipped" (nu15b: read as overwriting the shipped figure).
	if !strings.Contains(all, "13.9 t becomes the mass of what was shipped") {
		t.Errorf("preview: %q; want the received weight to become the mass of what was shipped", paras)
	}
	if strings.Contains(all, "13.9 t becomes the lot's current mass") {
		t.Errorf("preview says the received weight is the lot's mass: %q", paras)
	}
	if n := strings.Count(all, "−0.71 %"); n != 1 {
		t.Errorf("the difference −0.71 %% is stated %d times, want once: %q", n, paras)
	}
	v.Set("step", "capture")
	if resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Fatalf("capture: %d %s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	l, err := ts.Store.FindLot(ctx, lot)
	if err != nil || l.WetTonnes < 18.86-1e-9 || l.WetTonnes > 18.86+1e-9 {
		t.Errorf("lot after capture: %v t, %v; want 18.86 t", l.WetTonnes, err)
	}
}
