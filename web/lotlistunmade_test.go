package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/storetest"
	"github.com/critmin/critmin/storetest/unchecked"
)

// TestLotsPageUnmade (issue 8 §2, fixMm): the /lots page marks lot
// urn:t:lot:U (storetest.UnmadeLotDocuments: commissioning declared in
// error, the run that fed on it standing) and lot urn:t:lot:L
// (storetest.LateMakerDocuments: made again on 2025-10-10, after run r1
// drew on it on 2025-10-05) "not in the record", as their pages answer
// 410 — never "consumed" or "in stock" with 10 t. L's page names the
// late making event and the earlier run.
func TestLotsPageUnmade(t *testing.T) {
	ts := MustServe(t, true, nil)
	for _, d := range storetest.UnmadeLotDocuments {
		if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(d), nil); resp.StatusCode != 202 {
			t.Fatalf("capture: %d %s", resp.StatusCode, b)
		}
	}
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range storetest.LateMakerDocuments {
		unchecked.MustStore(t, ts.Store, d, now.Add(time.Duration(i)*time.Minute))
	}
	html := map[string]string{"Accept": "text/html"}
	resp, b := do(t, "GET", ts.URL+"/lots", "", nil, html)
	if resp.StatusCode != 200 {
		t.Fatalf("lots page: %d", resp.StatusCode)
	}
	page := string(b)
	for _, id := range []string{"urn:t:lot:U", "urn:t:lot:L"} {
		row := regexp.MustCompile(`(?s)<tr><td class="lot"><a href="/lots/` + regexp.QuoteMeta(url.PathEscape(id)) + `".*?</tr>`).FindString(page)
		if row == "" {
			t.Errorf("lots page has no row of %s", id)
			continue
		}
		if !strings.Contains(row, `<span class="badge not_in_record" title="not in the record:`) || !strings.Contains(row, ">not in the record</span>") {
			t.Errorf("row of %s is not marked not in the record: %s", id, row)
		}
		if strings.Contains(row, "consumed") || strings.Contains(row, "in stock") {
			t.Errorf("row of %s reads consumed or in stock: %s", id, row)
		}
	}
	// The page's status filter offers every status the list prints, and
	// not_in_record lists U and L alone (fixSs: it was refused 400).
	for _, st := range []string{"in_stock", "in_transit", "consumed", "unknown", "not_in_record"} {
		if !strings.Contains(page, `<option value="`+st+`"`) {
			t.Errorf("the status filter does not offer %s", st)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/lots?status=not_in_record", "", nil, html)
	if resp.StatusCode != 200 {
		t.Fatalf("lots page of status not_in_record: %d", resp.StatusCode)
	}
	rows := regexp.MustCompile(`<tr><td class="lot"><a href="/lots/([^"]+)"`).FindAllStringSubmatch(string(b), -1)
	if len(rows) != 2 || !strings.Contains(string(b), url.PathEscape("urn:t:lot:U")) || !strings.Contains(string(b), url.PathEscape("urn:t:lot:L")) {
		t.Errorf("lots page of status not_in_record lists %v; want U and L", rows)
	}
	resp, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:L"), "", nil, html)
	if resp.StatusCode != 410 {
		t.Fatalf("lot page of L: %d, want 410", resp.StatusCode)
	}
	for _, want := range []string{"made again too late", `href="/events/urn:t:ii:cc"`, `href="/events/urn:t:ii:r1"`, "date the making event before 2025-10-05T00:00:00Z"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("lot page of L does not show %q", want)
		}
	}
}
