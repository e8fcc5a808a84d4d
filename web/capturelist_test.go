package web_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestCapturePageListsSummariesPaged (issue 14, fix14c item 1): the
// capture page read 20 whole jobs, each with up to 1,000 errors, on every
// view. Now it lists summaries, 20 a page, newest first, with a link to
// the older ones and to each job's own page (which shows its errors).
//
// 25 jobs, job-00 the oldest at base, job-NN at base + NN s; job-24 (the
// newest) holds 1,000 errors whose detail reads "SECRET-DETAIL-n" and 2
// omitted (1,002 in all) and 3 duplicates. Page 1: job-24 … job-05 (20
// jobs), "1002 errors", "3 duplicates skipped", no error detail, and an
// "Older jobs" link; page 2: job-04 … job-00 (5 jobs), no further link.
// A cursor that does not decode is a 400 naming "after".
func TestCapturePageListsSummariesPaged(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 25 {
		j := &critmin.CaptureJob{CaptureID: fmt.Sprintf("job-%02d", i), CreatedAt: base.Add(time.Duration(i) * time.Second), CaptureErrorBehaviour: "proceed", EventCount: 1, Stored: 1}
		if i == 24 {
			for k := range 1000 {
				j.Errors = append(j.Errors, critmin.CaptureError{Type: "epcisException:ValidationException", Title: "event is invalid", Status: 400, Detail: fmt.Sprintf("SECRET-DETAIL-%d", k)})
			}
			j.ErrorsOmitted, j.Duplicates, j.Stored = 2, []string{"urn:uuid:a", "urn:uuid:b", "urn:uuid:c"}, 0
		}
		if err := ts.Store.SaveCaptureJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	hdr := map[string]string{"Authorization": "Bearer " + viewerSecret, "Accept": "text/html"}
	ids := regexp.MustCompile(`href="/capture/(job-\d\d)"`)
	listed := func(page string) string {
		var out []string
		for _, m := range ids.FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return strings.Join(out, " ")
	}
	resp, b := send(t, "GET", ts.URL+"/capture", nil, hdr)
	page := string(b)
	var want []string
	for i := 24; i >= 5; i-- {
		want = append(want, fmt.Sprintf("job-%02d", i))
	}
	if resp.StatusCode != 200 || listed(page) != strings.Join(want, " ") {
		t.Fatalf("page 1: %d, jobs %q; want %q", resp.StatusCode, listed(page), strings.Join(want, " "))
	}
	if !strings.Contains(page, "1,002 errors") || !strings.Contains(page, "3 duplicates skipped") || strings.Contains(page, "SECRET-DETAIL") {
		t.Errorf("page 1 should count job-24's 1,002 errors and 3 duplicates without listing an error")
	}
	older := regexp.MustCompile(`<a href="([^"]+)" id="capture-older">`).FindStringSubmatch(page)
	if older == nil {
		t.Fatal("page 1 has no Older jobs link")
	}
	resp, b = send(t, "GET", ts.URL+html.UnescapeString(older[1]), nil, hdr)
	page = string(b)
	if resp.StatusCode != 200 || listed(page) != "job-04 job-03 job-02 job-01 job-00" || strings.Contains(page, `id="capture-older"`) {
		t.Errorf("page 2: %d, jobs %q; want job-04 … job-00 and no further link", resp.StatusCode, listed(page))
	}
	resp, b = send(t, "GET", ts.URL+"/capture?after=%21%21", nil, hdr)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "after") {
		t.Errorf("a forged cursor: %d, want 400 naming after", resp.StatusCode)
	}
}
