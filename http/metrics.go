package http

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// metrics keeps request counters and latency histograms for /metrics in
// the Prometheus text exposition format (version 0.0.4). A handful of
// counters does not justify a client library.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64 // method, route, status
	buckets  map[string][]uint64  // route → cumulative bucket counts
	sums     map[string]float64
	counts   map[string]uint64
	captured uint64
}

// latencyBuckets are upper bounds in seconds.
var latencyBuckets = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, buckets: map[string][]uint64{}, sums: map[string]float64{}, counts: map[string]uint64{}}
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{method, route, strconv.Itoa(status)}]++
	b := m.buckets[route]
	if b == nil {
		b = make([]uint64, len(latencyBuckets))
		m.buckets[route] = b
	}
	sec := d.Seconds()
	for i, ub := range latencyBuckets {
		if sec <= ub {
			b[i]++
		}
	}
	m.sums[route] += sec
	m.counts[route]++
}

func (m *metrics) addCaptured(n int) {
	m.mu.Lock()
	m.captured += uint64(n)
	m.mu.Unlock()
}

// handleMetrics exposes counters in Prometheus text format. GET /metrics
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	m := s.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintln(w, "# HELP critmin_http_requests_total HTTP requests by method, route and status.")
	fmt.Fprintln(w, "# TYPE critmin_http_requests_total counter")
	keys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0]+keys[i][1]+keys[i][2] < keys[j][0]+keys[j][1]+keys[j][2]
	})
	for _, k := range keys {
		fmt.Fprintf(w, "critmin_http_requests_total{method=%q,route=%q,status=%q} %d\n", k[0], k[1], k[2], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP critmin_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE critmin_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.buckets))
	for r := range m.buckets {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, rt := range routes {
		for i, ub := range latencyBuckets {
			fmt.Fprintf(w, "critmin_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", rt, strconv.FormatFloat(ub, 'g', -1, 64), m.buckets[rt][i])
		}
		fmt.Fprintf(w, "critmin_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", rt, m.counts[rt])
		fmt.Fprintf(w, "critmin_http_request_duration_seconds_sum{route=%q} %g\n", rt, m.sums[rt])
		fmt.Fprintf(w, "critmin_http_request_duration_seconds_count{route=%q} %d\n", rt, m.counts[rt])
	}
	fmt.Fprintln(w, "# HELP critmin_events_captured_total EPCIS events stored by capture.")
	fmt.Fprintln(w, "# TYPE critmin_events_captured_total counter")
	fmt.Fprintf(w, "critmin_events_captured_total %d\n", m.captured)
	fmt.Fprintln(w, "# HELP critmin_uptime_seconds Seconds since the server started.")
	fmt.Fprintln(w, "# TYPE critmin_uptime_seconds gauge")
	fmt.Fprintf(w, "critmin_uptime_seconds %g\n", time.Since(s.started).Seconds())
}
