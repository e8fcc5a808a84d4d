package bench_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"
	"time"

	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestGeneratorIsValidAndReproducible checks that generated documents are
// accepted whole and that a seed gives the same document twice.
func TestGeneratorIsValidAndReproducible(t *testing.T) {
	a, b := bench.NewGenerator(7).Document(100), bench.NewGenerator(7).Document(100)
	if string(a) != string(b) {
		t.Fatal("same seed, different documents")
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	job, err := ledger.NewService(db).Capture(context.Background(), ledger.CaptureRequest{Body: a})
	if err != nil || job.Stored != 100 {
		t.Fatalf("capture of generated document: %v, %+v", err, job)
	}
	// 100 events = 12 whole lots of 8 events and 4 events of the 13th.
	lot, err := db.FindLot(context.Background(), bench.LotID(0))
	if err != nil || lot.Status != "consumed" || len(lot.Assays) != 1 || lot.OriginCountry != "PAK" {
		t.Errorf("first generated lot: %+v, %v", lot, err)
	}
}

// BenchmarkCaptureService measures the capture path without HTTP: decode,
// validate, project and store one 1,000-event document per iteration.
func BenchmarkCaptureService(b *testing.B) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := ledger.NewService(db)
	gen := bench.NewGenerator(1)
	docs := make([][]byte, b.N)
	for i := range docs {
		docs[i] = gen.Document(1000)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: docs[i]}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkCaptureStreamMemory captures one document of -events (100,000
// by default) generated on the fly and streamed through a pipe, as a
// client's body arrives, and reports the peak heap in use above the heap
// before the capture (sampled with runtime.ReadMemStats every 2 ms), the
// document's size, and both per event. A streamed capture holds one batch
// of events (ledger.StreamBatch) plus the per-lot projection, so the peak
// stays far below the document's size and grows little with it; run with
// -events 10000 and 100000 to compare:
//
//	go test -run X -bench CaptureStreamMemory -benchtime 1x ./bench/
func BenchmarkCaptureStreamMemory(b *testing.B) {
	n := *streamEvents
	for i := 0; i < b.N; i++ {
		db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), fmt.Sprintf("m%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		svc := ledger.NewService(db)
		svc.Limits = ledger.Limits{MaxBytes: 1 << 40}
		pr, pw := io.Pipe()
		var size int64
		go func() {
			cw := &countingWriter{w: pw}
			bw := bufio.NewWriterSize(cw, 64<<10)
			err := bench.NewGenerator(uint64(i+1)).WriteDocument(bw, n)
			if err == nil {
				err = bw.Flush()
			}
			size = cw.n
			pw.CloseWithError(err)
		}()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
						if p := os.Getenv("CRITMIN_HEAPPROFILE"); p != "" && m.HeapInuse > base+(20<<20) {
							if f, err := os.Create(p); err == nil {
								_ = pprof.WriteHeapProfile(f)
								f.Close()
							}
						}
					}
				}
			}
		}()
		job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: pr})
		close(stop)
		<-sampled
		if err != nil {
			b.Fatal(err)
		}
		if job.Stored != n {
			b.Fatalf("stored %d of %d", job.Stored, n)
		}
		growth := float64(peak.Load()) - float64(base)
		b.ReportMetric(growth/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(size)/(1<<20), "doc-MB")
		b.ReportMetric(growth/float64(n), "heap-B/event")
		b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(i+1), "events/s")
		db.Close()
	}
}

var streamEvents = flag.Int("events", 100000, "events in BenchmarkCaptureStreamMemory's document")

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
