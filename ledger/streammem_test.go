package ledger_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// peakLiveHeap captures doc and returns the largest live heap (after a
// forced collection) seen at the capture's batch boundaries (its
// "validate" progress, once per batch of ledger.StreamBatch events),
// above the heap before it.
func peakLiveHeap(t *testing.T, doc []byte, xml bool) uint64 {
	t.Helper()
	svc := ledger.NewService(openStore(t))
	svc.Limits.MaxEvents = 100000
	svc.Limits.MaxBytes = 64 << 20
	svc.Limits.MaxXMLBytes = 64 << 10 // stream every XML document here
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	ctx := critmin.WithProgress(context.Background(), func(stage string, _, _ int64) {
		if stage != "validate" {
			return
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapAlloc)
	})
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Reader: bytes.NewReader(doc), XML: xml}); err != nil {
		t.Fatal(err)
	}
	return peak - base
}

// TestStreamedCaptureMemoryDoesNotGrowWithDocument: the live heap of a
// streamed capture is that of one batch, not of the document (issue 14:
// a 31.9 MB capture took a server from 135 to 396 MB). A document four
// times longer (8,000 events against 2,000, 20 EPCs each: 4 batches
// against 16 for JSON) must not hold more than 1.5 times the live heap
// at any batch boundary, for JSON and for streamed XML alike; were the
// events, their index rows or their audit copies kept until commit, the
// longer document's peak would be about four times the shorter's. The
// documents themselves are allocated before the baseline.
func TestStreamedCaptureMemoryDoesNotGrowWithDocument(t *testing.T) {
	for _, c := range []struct {
		name string
		doc  func(n, epcs int) []byte
		xml  bool
	}{{"JSON", jsonDocument, false}, {"XML", xmlDocument, true}} {
		short, long := c.doc(2000, 20), c.doc(8000, 20)
		a, b := peakLiveHeap(t, short, c.xml), peakLiveHeap(t, long, c.xml)
		t.Logf("%s: %.1f MB document: peak live heap %.1f MB; %.1f MB document: %.1f MB", c.name, float64(len(short))/(1<<20), float64(a)/(1<<20), float64(len(long))/(1<<20), float64(b)/(1<<20))
		if float64(b) > 1.5*float64(a) {
			t.Errorf("%s: live heap grows with the document: %d bytes for %d events, %d for %d", c.name, a, 2000, b, 8000)
		}
	}
}
