package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// visibleText is a page fragment as a reader sees it: tags dropped,
// entities read.
func visibleText(s string) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, ""))
}

// TestFormErrorNamesLotsAndSitesReadably (issue 15, fix15g item 1): a
// receipt at the wrong place — the demo's REE-2025-003, shipped under
// B/L BQM-HOU-2025-1112 to Houston, received at Karachi — is refused
// under Site with a message that names the lot, the bill of lading and
// both sites as the pages name them (the sites by their master-data
// names, the lot and the bill of lading by their identifiers' tails),
// not as raw URNs; each identifier stays in its element's title.
func TestFormErrorNamesLotsAndSitesReadably(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	sites := map[string]string{}
	all, err := ts.Store.FindSites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		sites[s.ID] = s.Name
	}
	karachi, houston := sites["urn:critmin:demo:site:karachi"], sites["urn:critmin:demo:site:houston"]
	if karachi == "" || houston == "" {
		t.Fatalf("demo sites unnamed: %q, %q", karachi, houston)
	}
	v := url.Values{"step": {"preview"}, "lots": {"urn:critmin:demo:lot:REE-2025-003 30000 KGM"}, "bol": {"urn:critmin:demo:bol:BQM-HOU-2025-1112"},
		"time": {"2025-12-10T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:karachi"}}
	resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
	page := string(b)
	i := strings.Index(page, `id="f-site"`)
	if resp.StatusCode != http.StatusConflict || i < 0 {
		t.Fatalf("receipt at Karachi: %d", resp.StatusCode)
	}
	block := page[i : i+strings.Index(page[i:], "</div>")]
	errs := regexp.MustCompile(`<span class="field-error">.*?</span>\n?`).FindAllString(block, -1)
	text := visibleText(strings.Join(errs, " "))
	want := "lot REE-2025-003 is received at " + karachi + ", but bill of lading BQM-HOU-2025-1112 ships it to " + houston
	if !strings.Contains(text, want) {
		t.Errorf("Site error reads %q; want it to contain %q", text, want)
	}
	if strings.Contains(text, "urn:") || strings.Contains(text, "https://") {
		t.Errorf("Site error shows a raw identifier: %q", text)
	}
	for _, id := range []string{"urn:critmin:demo:lot:REE-2025-003", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston", "urn:critmin:demo:bol:BQM-HOU-2025-1112"} {
		if !strings.Contains(block, `title="`+id+`"`) {
			t.Errorf("identifier %s not kept in a title", id)
		}
	}
}

// TestCapturePageNamesLotsAndSitesReadably (fix15g item 1): the same
// receipt at Karachi posted as a document on the Capture page is refused
// with its errors worded as the pages name things — the sites by name,
// the lot by its identifier's tail — the identifiers kept in titles.
func TestCapturePageNamesLotsAndSitesReadably(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-10T14:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:recv-khi", "eventTime": "2025-12-10T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE",
	  "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-003", "quantity": 30000, "uom": "KGM"}],
	  "readPoint": {"id": "urn:critmin:demo:site:karachi"}, "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:BQM-HOU-2025-1112"}]}]}}`
	v := url.Values{"document": {doc}, "behaviour": {"rollback"}}
	_, b := do(t, "POST", ts.URL+"/capture", operatorSecret, []byte(v.Encode()), formHeader)
	page := string(b)
	if id := regexp.MustCompile(`/capture/(cap-[^"]+)"`).FindStringSubmatch(page); id != nil && !strings.Contains(page, `id="capture-errors"`) {
		_, b = do(t, "GET", ts.URL+"/capture/"+id[1], operatorSecret, nil, map[string]string{"Accept": "text/html"})
		page = string(b)
	}
	text := visibleText(page)
	if !strings.Contains(text, "lot REE-2025-003 is received at Port of Karachi") {
		t.Errorf("errors do not name the lot and site readably:\n%s", excerpt(text, "received at"))
	}
	if !strings.Contains(page, `title="urn:critmin:demo:site:karachi"`) {
		t.Error("site identifier not kept in a title")
	}
}
