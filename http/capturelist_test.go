package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestCaptureJobListPaged: GET /epcis/capture lists summaries — errors
// and duplicates counted, not listed — newest first, and pages with a
// Link rel="next" that reaches every job exactly once, even when jobs
// share a creation instant.
//
// Five jobs, each with 1000 stored errors (+ 7 omitted, so errorCount
// 1007) and 3 duplicates; jobs 3 and 4 created in the same microsecond.
// perPage=2 → pages of 2, 2, 1 (5 = 2+2+1), the first two with a next
// link, the last without.
func TestCaptureJobListPaged(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	errs := make([]critmin.CaptureError, 1000)
	for i := range errs {
		errs[i] = critmin.CaptureError{Type: "epcisException:ValidationException", Title: "bad", Status: 400, Detail: strings.Repeat("x", 100)}
	}
	created := []time.Duration{1, 2, 3, 3, 4} // minutes after base
	for i, m := range created {
		job := &critmin.CaptureJob{
			CaptureID: fmt.Sprintf("cap-%d", i), CreatedAt: base.Add(m * time.Minute), CaptureErrorBehaviour: "rollback",
			Errors: errs, ErrorsOmitted: 7, Duplicates: []string{"a", "b", "c"},
		}
		if err := ts.Store.SaveCaptureJob(ctx, job); err != nil {
			t.Fatal(err)
		}
	}
	next := ts.URL + "/epcis/capture?perPage=2"
	var seen []string
	pages := 0
	for next != "" {
		resp, b := do(t, "GET", next, viewerSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", next, resp.StatusCode, b)
		}
		pages++
		// 2 summaries of ~330 bytes; the old list carried 2 × 1000 errors (> 200 kB).
		if len(b) > 2000 {
			t.Errorf("page %d is %d bytes; summaries must not carry the errors", pages, len(b))
		}
		var jobs []map[string]any
		if err := json.Unmarshal(b, &jobs); err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			id := j["captureID"].(string)
			seen = append(seen, id)
			if _, has := j["errors"]; has {
				t.Errorf("%s lists its errors", id)
			}
			if j["errorCount"] != 1007.0 || j["errorsOmitted"] != 7.0 || j["duplicateCount"] != 3.0 || j["href"] != "/epcis/capture/"+id {
				t.Errorf("%s summary = %v; want errorCount 1007, errorsOmitted 7, duplicateCount 3, href to the job", id, j)
			}
		}
		next = ""
		if m := regexp.MustCompile(`<([^>]+)>; rel="next"`).FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			next = ts.URL + m[1]
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	// newest first; equal instants by captureID
	if want := "cap-4 cap-2 cap-3 cap-1 cap-0"; strings.Join(seen, " ") != want || pages != 3 {
		t.Errorf("jobs in %d pages: %v; want 3 pages of %s", pages, seen, want)
	}
	resp, b := do(t, "GET", ts.URL+"/epcis/capture/cap-4", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || strings.Count(string(b), `"title"`) != 1000 {
		t.Errorf("the job's own resource must show its errors: %d", resp.StatusCode)
	}
	for _, q := range []string{"perPage=0", "perPage=1001", "nextPageToken=forged", "limit=3"} {
		resp, b := do(t, "GET", ts.URL+"/epcis/capture?"+q, viewerSecret, nil, nil)
		mustProblem(t, resp, b, 400)
	}
}

// TestCaptureJobListByteBound: a page stops at 256 KiB even within
// perPage. 600 jobs with 300-character captureIDs make summaries of
// about 942 bytes each in the page as writeJSON indents it (the ID twice,
// in captureID and href, ≈ 650 bytes; the other ten fields ≈ 290); a
// page holds (262,144 − 4) / 942 = 278.3 → 278 jobs, so perPage=1000
// gives 278 + 278 + 44 = 600: three pages, each within the bound,
// together holding every job once.
func TestCaptureJobListByteBound(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	const n = 600
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("cap-%04d-%s", i, strings.Repeat("y", 291))
		if err := ts.Store.SaveCaptureJob(ctx, &critmin.CaptureJob{CaptureID: id, CreatedAt: base.Add(time.Duration(i) * time.Second), CaptureErrorBehaviour: "rollback"}); err != nil {
			t.Fatal(err)
		}
	}
	next, pages, seen := ts.URL+"/epcis/capture?perPage=1000", 0, map[string]bool{}
	for next != "" && pages < 10 {
		resp, b := do(t, "GET", next, viewerSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		pages++
		if len(b) > 256<<10 {
			t.Errorf("page %d is %d bytes, over 262,144", pages, len(b))
		}
		var jobs []struct{ CaptureID string }
		if err := json.Unmarshal(b, &jobs); err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			if seen[j.CaptureID] {
				t.Errorf("%s listed twice", j.CaptureID[:9])
			}
			seen[j.CaptureID] = true
		}
		next = ""
		if m := regexp.MustCompile(`<([^>]+)>; rel="next"`).FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			next = ts.URL + m[1]
		}
	}
	if pages != 3 || len(seen) != n {
		t.Errorf("%d pages holding %d jobs; want 3 pages holding %d", pages, len(seen), n)
	}
}
