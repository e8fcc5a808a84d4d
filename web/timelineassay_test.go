package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestTimelineLabRowShowsTheAssay (issue 15: a lot's timeline showed a
// laboratory result as "no quantity", without its assay): the row of a
// sample and assay gives the grades it reported.
func TestTimelineLabRowShowsTheAssay(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"step": {"capture"}, "lot": {"urn:critmin:demo:lot:REE-2025-001"}, "assays": {"TREO 11.9 %\nNd2O3 2.55 % as_received"},
		"moisture": {"8"}, "time": {"2025-08-20T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-00000000a551"}}
	if resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="event-id"`) {
		t.Fatalf("sample: %d\n%s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	resp, b := do(t, "GET", ts.URL+"/lots/urn:critmin:demo:lot:REE-2025-001", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lot page: %d", resp.StatusCode)
	}
	page := html.UnescapeString(string(b))
	tl := page[strings.Index(page, `id="timeline"`):]
	tl = tl[:strings.Index(tl, "</ul>")]
	var row string
	for _, li := range strings.Split(tl, "<li") {
		if strings.Contains(li, "5e0a1d2c-0000-4000-8000-00000000a551") {
			row = visibleText("<li" + li)
		}
	}
	if row == "" {
		t.Fatal("the sample is not on the lot's timeline")
	}
	if strings.Contains(row, "no quantity") || !strings.Contains(row, "TREO 11.9 % dry") || !strings.Contains(row, "Nd2O3 2.55 % as received") {
		t.Errorf("timeline row of the assay: %q; want its grades TREO 11.9 %% dry and Nd2O3 2.55 %% as received", row)
	}
}
