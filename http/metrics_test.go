package http_test

import (
	"strings"
	"testing"
)

// TestMetrics reads /metrics after a known set of requests: the demo's 29
// events captured, two EPCIS queries (4 shipping events, then a page of 3),
// one API call and one unmatched path.
func TestMetrics(t *testing.T) {
	ts := MustServe(t, false, nil)
	captureCorridor(t, ts)
	for _, q := range []string{"/epcis/events?EQ_bizStep=shipping", "/epcis/events?perPage=3"} {
		if resp, b := do(t, "GET", ts.URL+q, viewerSecret, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", q, resp.StatusCode, b)
		}
	}
	do(t, "GET", ts.URL+"/api/v1/sites", viewerSecret, nil, nil)
	do(t, "GET", ts.URL+"/no/such/page", viewerSecret, nil, nil)
	resp, b := do(t, "GET", ts.URL+"/metrics", "", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	body := string(b)
	for _, want := range []string{
		"critmin_events_captured_total 29\n",
		"critmin_event_queries_total 2\n",
		"critmin_events_returned_total 7\n", // 4 + 3
		`critmin_http_requests_total{method="GET",route="GET /api/v1/sites",status="200"} 1` + "\n",
		`critmin_http_requests_total{method="GET",route="unmatched",status="404"} 1` + "\n",
		`critmin_http_requests_total{method="GET",route="GET /epcis/events",status="200"} 2` + "\n",
		`critmin_http_request_duration_seconds_count{route="GET /epcis/events"} 2` + "\n",
		`critmin_http_request_duration_seconds_bucket{route="GET /api/v1/sites",le="+Inf"} 1` + "\n",
		"# TYPE critmin_http_request_duration_seconds histogram\n",
		"# TYPE go_goroutines gauge\n",
		"# TYPE process_start_time_seconds gauge\n",
		"# TYPE critmin_uptime_seconds gauge\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", body)
	}
}
