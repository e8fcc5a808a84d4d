package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (several servers may run in one process, as in tests):
//
//   - critmin_http_requests_total{method, route, status}: requests answered;
//     route is the ServeMux pattern ("GET /lots/{id}"), "unmatched" for a 404
//     no route matched, so paths with IDs do not explode the label set;
//   - critmin_http_request_duration_seconds{route}: latency histogram, s;
//   - critmin_events_captured_total: EPCIS events stored by capture (API
//     and web forms);
//   - critmin_event_queries_total and critmin_events_returned_total: EPCIS
//     queries answered (GET /epcis/events and the vocabulary endpoints) and
//     the events their pages returned;
//   - critmin_uptime_seconds, and the Go runtime (go_*) and process
//     (process_*) collectors of the client library.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	captured prometheus.Counter
	queries  prometheus.Counter
	returned prometheus.Counter
	handler  http.Handler
}

// latencyBuckets are upper bounds in seconds, from a cached page (1 ms)
// to a large capture or a plan (10 s).
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

func newMetrics() *metrics {
	started := time.Now()
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "critmin_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "critmin_http_request_duration_seconds", Help: "HTTP request latency by route, in seconds.", Buckets: latencyBuckets,
		}, []string{"route"}),
		captured: prometheus.NewCounter(prometheus.CounterOpts{Name: "critmin_events_captured_total", Help: "EPCIS events stored by capture."}),
		queries:  prometheus.NewCounter(prometheus.CounterOpts{Name: "critmin_event_queries_total", Help: "EPCIS event queries answered."}),
		returned: prometheus.NewCounter(prometheus.CounterOpts{Name: "critmin_events_returned_total", Help: "Events returned by EPCIS event queries."}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.captured, m.queries, m.returned,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "critmin_uptime_seconds", Help: "Seconds since the server started."},
			func() float64 { return time.Since(started).Seconds() }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

func (m *metrics) addCaptured(n int) { m.captured.Add(float64(n)) }

// addQuery counts one answered event query that returned n events.
func (m *metrics) addQuery(n int) {
	m.queries.Inc()
	m.returned.Add(float64(n))
}

// handleMetrics exposes the metrics in the Prometheus text format (or
// OpenMetrics when the scraper asks for it). GET /metrics
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	s.metrics.handler.ServeHTTP(w, r)
}
