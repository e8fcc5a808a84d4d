package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLotPageReceiptNotWeighedAndGain (issue 15, fix15zd, nu15g items 3
// and 4): FW-19, 19 t at Karachi (fw19Doc). 5,000 kg shipped under B/L
// FW-19-N and received under it stating no weight: the part line read
// "received 0 wmt"; it now reads "received, not weighed", the part
// keeping its 5 t. 2,000 kg shipped under FW-19-G, then 3,000 kg received
// at Houston naming no bill of lading: only G is at sea, so the receipt
// closes G — (3 − 2) / 2 = +50.00 %. The lot page had no outturn and no
// anomaly for it; it now lists "bill of lading FW-19-G: shipped 2 wmt …
// received 3 wmt … (+50.00 %) transit_gain" (the leg the receipt
// closed), and the lot's anomalies transit_gain and
// mass_above_commissioned: the lot 19 − 2 + 3 = 20 t at 5 % moisture,
// 20 × 0.95 = 19 t dry, above the 19 × 0.95 = 18.05 t dry commissioned.
// Capture refuses that receipt now (1 t beyond the 2 t trip,
// TripEndWeighed); the page is that of a store holding it from before.
func TestLotPageReceiptNotWeighedAndGain(t *testing.T) {
	gain := strings.Replace(fw19Receive("urn:t:fw19zd:rg", "2025-11-10T08:00:00-06:00", "FW-19-G", 3000), `,
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-G"}]`, "", 1)
	ts := fw19SplitUnchecked(t,
		fw19Ship("urn:t:fw19zd:sg", "2025-11-02T10:00:00+05:00", "FW-19-G", 2000),
		gain,
		fw19Ship("urn:t:fw19zd:sn", "2025-11-12T10:00:00+05:00", "FW-19-N", 5000),
		fw19Receive("urn:t:fw19zd:rn", "2025-11-20T08:00:00-06:00", "FW-19-N", 0))
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:FW-19"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	text := html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(visibleText(string(b)), " "))
	for _, want := range []string{"received, not weighed", "bill of lading FW-19-G: shipped 2 wmt", "received 3 wmt", "(+50.00 %) transit_gain",
		"was received with 3 t of the 2 t shipped under bill of lading FW-19-G (+50.0 %", "holds 19 t dry, more than the 18.05 t dry ever commissioned into it"} {
		if !strings.Contains(text, want) {
			t.Errorf("lot page lacks %q", want)
		}
	}
	if strings.Contains(text, "received 0 wmt") {
		t.Errorf("lot page still reads \"received 0 wmt\" for a receipt stating no weight")
	}
}
