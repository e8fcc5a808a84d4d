package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// xmlDocument returns an EPCIS 2.0 XML document of n ObjectEvents with
// epcs EPCs each, and the size of one event's text.
func xmlDocument(n, epcs int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-10-01T00:00:00Z"><EPCISBody><EventList>`)
	for i := 0; i < n; i++ {
		b.WriteString(`<ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList>`)
		for k := 0; k < epcs; k++ {
			fmt.Fprintf(&b, `<epc>urn:epc:id:sgtin:0614141.107346.%d</epc>`, i*epcs+k)
		}
		b.WriteString(`</epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:inspecting</bizStep></ObjectEvent>`)
	}
	b.WriteString(`</EventList></EPCISBody></epcis:EPCISDocument>`)
	return b.Bytes()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// An XML document is mapped onto JSON-LD as a whole tree, so it has its
// own, smaller limit (ledger.DefaultMaxXMLBytes): a document over it is
// refused with ETOOLARGE naming the XML limit after reading at most the
// limit and one byte — never the whole body — and nothing is stored; a
// document under it is captured.
func TestXMLCaptureLimit(t *testing.T) {
	db := openStore(t)
	svc := ledger.NewService(db)
	svc.Limits = ledger.Limits{MaxEvents: 100000, MaxBytes: 32 << 20, MaxXMLBytes: 256 << 10}
	big := xmlDocument(400, 20) // 400 × ~1.2 kB ≈ 480 kB > 256 kB
	if len(big) <= 256<<10 {
		t.Fatalf("test document of %d bytes is not over the limit", len(big))
	}
	cr := &countingReader{r: bytes.NewReader(big)}
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: cr, XML: true})
	if critmin.ErrorCode(err) != critmin.ETOOLARGE || !strings.Contains(err.Error(), "XML capture limit of 262144 bytes") {
		t.Fatalf("error %v; want ETOOLARGE naming the XML limit", err)
	}
	if cr.n > 256<<10+1 {
		t.Errorf("read %d bytes of a refused document; want at most the limit + 1", cr.n)
	}
	_, err = svc.Capture(context.Background(), ledger.CaptureRequest{Body: big, XML: true})
	if critmin.ErrorCode(err) != critmin.ETOOLARGE {
		t.Fatalf("body over the limit: %v; want ETOOLARGE", err)
	}
	assertNothingStored(t, db)
	small := xmlDocument(100, 20)
	job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(small), XML: true})
	if err != nil || job.EventCount != 100 {
		t.Fatalf("document of %d bytes under the limit: %v, job %+v", len(small), err, job)
	}
	if ledger.DefaultLimits.MaxXMLBytes != ledger.DefaultMaxXMLBytes || ledger.DefaultMaxXMLBytes >= ledger.DefaultLimits.MaxBytes {
		t.Errorf("default XML limit %d is not below the file-size limit %d", ledger.DefaultLimits.MaxXMLBytes, ledger.DefaultLimits.MaxBytes)
	}
}

// BenchmarkXMLCaptureHeap captures an XML document just under the default
// XML limit (75 EPCs an event, like the document that took a server to
// 2.4 GB) and reports the peak heap in use during the capture, sampled
// every millisecond, above the heap before it. Run it with
// `go test ./ledger -run '^$' -bench XMLCaptureHeap -benchtime 1x`.
func BenchmarkXMLCaptureHeap(b *testing.B) {
	per := len(xmlDocument(1, 75))
	n := (ledger.DefaultMaxXMLBytes - 400) / per
	doc := xmlDocument(n, 75)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := openStore(&testing.T{})
		svc := ledger.NewService(db)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base, peak := ms.HeapInuse, ms.HeapInuse
		var mu sync.Mutex
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					mu.Lock()
					peak = max(peak, m.HeapInuse)
					mu.Unlock()
				}
			}
		}()
		b.StartTimer()
		job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(doc), XML: true})
		b.StopTimer()
		close(done)
		wg.Wait()
		db.Close()
		if err != nil || job.EventCount != n {
			b.Fatalf("capture: %v", err)
		}
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(len(doc))/(1<<20), "doc-MB")
		b.ReportMetric(float64(n), "events")
	}
}

// jsonDocument returns an EPCIS 2.0 JSON-LD document of n ObjectEvents
// with epcs EPCs each.
func jsonDocument(n, epcs int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":"ObjectEvent","eventTime":"2025-10-01T08:00:00Z","eventTimeZoneOffset":"+00:00","epcList":[`)
		for k := 0; k < epcs; k++ {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"urn:epc:id:sgtin:0614141.107346.%d"`, i*epcs+k)
		}
		b.WriteString(`],"action":"OBSERVE","bizStep":"inspecting"}`)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

// BenchmarkJSONCaptureHeap captures a streamed JSON document of 9,000
// ObjectEvents × 75 EPCs (≈ 31 MB, the document of issue 14's memory
// report) and reports the peak heap in use above the heap before it.
// `go test ./ledger -run '^$' -bench JSONCaptureHeap -benchtime 1x`
func BenchmarkJSONCaptureHeap(b *testing.B) {
	doc := jsonDocument(9000, 75)
	for i := 0; i < b.N; i++ {
		db := openStore(&testing.T{})
		svc := ledger.NewService(db)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base, peak := ms.HeapInuse, ms.HeapInuse
		var mu sync.Mutex
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					mu.Lock()
					peak = max(peak, m.HeapInuse)
					mu.Unlock()
				}
			}
		}()
		job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(doc)})
		close(done)
		wg.Wait()
		db.Close()
		if err != nil || job.EventCount != 9000 {
			b.Fatalf("capture: %v", err)
		}
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(len(doc))/(1<<20), "doc-MB")
	}
}
