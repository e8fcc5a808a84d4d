package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestElsewhereNamesEventThatPutBodyThere (issue 15, fix15b item 2): the
// refusal of a lot elsewhere says since when its body stands at its site
// by the event that put it there. X15-L1's body stands at Karachi since
// its commissioning (urn:t:x15:c, 1 Nov); a sampling there on 21 Nov
// (urn:t:x15:sm) did not move it. A ticket at Port Qasim on 22 Nov (the
// import) and a sample there (the Sample form) are refused "since
// commissioning, event urn:t:x15:c", never "since sampling".
func TestElsewhereNamesEventThatPutBodyThere(t *testing.T) {
	sample := `,
 {"type": "ObjectEvent", "eventID": "urn:t:x15:sm", "eventTime": "2025-11-21T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "sampling",
  "quantityList": [{"epcClass": "` + fix15xLot + `"}], "bizLocation": {"id": "` + fix15xKarachi + `"}}`
	ts := fix15xSplit(t, sample)
	want, not := "since commissioning, event urn:t:x15:c", "since sampling"
	_, page := postImport(t, ts, fix15xTicket(fix15xQasim, "5000"))
	found := false
	for _, e := range rowErrorsOf(page) {
		if !strings.Contains(e, "was at") {
			continue
		}
		found = true
		if !strings.Contains(e, want) || strings.Contains(e, not) {
			t.Errorf("import row error %q\n want %q, not %q", e, want, not)
		}
	}
	if !found {
		t.Errorf("import at Port Qasim: no refusal of a lot elsewhere in %q", rowErrorsOf(page))
	}
	v := url.Values{"step": {"preview"}, "lot": {fix15xLot}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"Sb 40 %"},
		"time": {"2025-11-22T09:00"}, "tz": {"+05:00"}, "site": {fix15xQasim}}
	resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	block := fieldBlock(string(b), "site")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(block, want) || strings.Contains(block, not) {
		t.Errorf("sample form at Port Qasim: %d, Site shows %q\n want %q, not %q", resp.StatusCode, block, want, not)
	}
}
