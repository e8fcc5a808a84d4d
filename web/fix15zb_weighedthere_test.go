package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLotPageWeighedThereIsWhatStood (issue 15, fix15zb item 2): FW-19
// (fw19Split) ships 5,000 kg from Karachi to Houston under FW-19-W,
// received there at 5,000 kg; 2,000 kg are shipped on from Houston on
// 22 November; a 3,010 kg inspection at Houston on 23 November weighs
// the 3 t that stood there (+0.33 %). The part's line reads "weighed
// there 3.01 wmt on 2025-11-23" — what the weighing weighed — and
// "2 wmt shipped on from there"; it read "weighed there 5.01 wmt", the
// 2 t gone before the weighing counted as weighed.
func TestLotPageWeighedThereIsWhatStood(t *testing.T) {
	const hou = "urn:critmin:demo:site:houston"
	ts := fw19Split(t,
		fw19Ship("urn:t:fw19w:s", "2025-11-02T10:00:00+05:00", "FW-19-W", 5000),
		fw19Receive("urn:t:fw19w:r", "2025-11-20T08:00:00-06:00", "FW-19-W", 5000),
		`{"type": "ObjectEvent", "eventID": "urn:t:fw19w:on", "eventTime": "2025-11-22T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": `+fw19Quantity(2000)+`, "bizLocation": {"id": "`+hou+`"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-ON"}], "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:karachi"}]}`,
		`{"type": "ObjectEvent", "eventID": "urn:t:fw19w:w", "eventTime": "2025-11-23T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "inspecting",
  "quantityList": `+fw19Quantity(3010)+`, "bizLocation": {"id": "`+hou+`"}}`)
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:FW-19"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	var line string
	for _, m := range regexp.MustCompile(`(?s)<dd class="part">(.*?)</dd>`).FindAllStringSubmatch(string(b), -1) {
		if p := html.UnescapeString(visibleText(m[1])); strings.Contains(p, "received 5 wmt") {
			line = p
		}
	}
	if resp.StatusCode != http.StatusOK || line == "" {
		t.Fatalf("lot page %d: no line for the part received at Houston", resp.StatusCode)
	}
	for _, want := range []string{"weighed there 3.01 wmt on 2025-11-23", "2 wmt shipped on from there"} {
		if !strings.Contains(line, want) {
			t.Errorf("part line %q; want %q", line, want)
		}
	}
}
