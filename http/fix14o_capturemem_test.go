package http_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// captureDoc writes an EPCIS document of n ObjectEvents, each carrying
// an extension field of pad bytes (the issue 14 measurement: 3 KB each),
// to a pipe as it is read: the benchmark's own heap holds no copy of the
// document, so the heap it measures is the server's.
func captureDoc(n, pad int) (io.Reader, int64) {
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.com/ex/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [`
	filler := strings.Repeat("x", pad)
	event := func(i int) string {
		sep := ""
		if i > 0 {
			sep = ","
		}
		return fmt.Sprintf(`%s{"type": "ObjectEvent", "eventID": "urn:t:ev:M%d", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"], "bizLocation": {"id": "urn:t:site:m"}, "ex:note": "%s"}`, sep, i, i, filler)
	}
	size := int64(len(head) + len(`]}}`))
	for i := 0; i < n; i++ {
		size += int64(len(event(i)))
	}
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriter(pw)
		w.WriteString(head)
		for i := 0; i < n; i++ {
			w.WriteString(event(i))
		}
		w.WriteString(`]}}`)
		pw.CloseWithError(w.Flush())
	}()
	return pr, size
}

// BenchmarkCaptureMemory captures a document of 10,000 events of 3 KB
// each (31 MB) through POST /epcis/capture and reports the peak heap in
// use over the run (sampled every millisecond) above the heap before it:
// what one capture holds, for docs/benchmarks.md. Not a test: figures of
// memory vary with the Go runtime and are not asserted.
func BenchmarkCaptureMemory(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("CRITMIN_BENCH_CAPTURE_EVENTS")); err == nil && v > 0 {
		n = v
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ts := MustServe(b, false, nil)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		b.ReportMetric(float64(procStatusKB("VmRSS"))/1024, "RSS-before-MiB")
		var peak atomic.Uint64
		done := make(chan struct{})
		go func() {
			var m runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
				}
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					if out := os.Getenv("CRITMIN_BENCH_PEAK_HEAP"); out != "" && m.HeapInuse > peak.Load()+2<<20 {
						// The heap profile near the peak (its in-use
						// figures are those of the last GC).
						if f, err := os.Create(out); err == nil {
							_ = pprof.Lookup("heap").WriteTo(f, 0)
							f.Close()
						}
					}
					peak.Store(m.HeapInuse)
				}
			}
		}()
		b.StartTimer()
		doc, size := captureDoc(n, 3000)
		req, _ := http.NewRequest("POST", ts.URL+"/epcis/capture", doc)
		req.ContentLength = size
		req.Header.Set("Authorization", "Bearer "+adminSecret)
		req.Header.Set("Content-Type", "application/ld+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		b.StopTimer()
		close(done)
		if resp.StatusCode/100 != 2 {
			b.Fatalf("capture: %d", resp.StatusCode)
		}
		b.ReportMetric(float64(size)/(1<<20), "doc-MiB")
		b.ReportMetric(float64(procStatusKB("VmHWM"))/1024, "peak-RSS-MiB")
		b.ReportMetric(float64(peak.Load()-base)/(1<<20), "peak-heap-MiB")
	}
}

// procStatusKB is a figure of /proc/self/status in kB (VmRSS, VmHWM: the
// process's resident set now and at its peak), or 0 where there is none.
func procStatusKB(name string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
