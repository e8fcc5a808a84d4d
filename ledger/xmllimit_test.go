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
	"github.com/critmin/critmin/sqldb"
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

// xmlDocumentWith is xmlDocument with event bad (0-based) replaced by
// the ObjectEvent text ev.
func xmlDocumentWith(n, epcs, bad int, ev string) []byte {
	doc := string(xmlDocument(n, epcs))
	parts := strings.SplitAfter(doc, "</ObjectEvent>")
	head := strings.Index(parts[bad], "<ObjectEvent>")
	parts[bad] = parts[bad][:head] + ev
	return []byte(strings.Join(parts, ""))
}

// An XML document longer than MaxXMLBytes is streamed (epcis.StreamXML)
// within the JSON binding's limits, not refused: 2,500 events (three
// batches of ledger.StreamBatch) are captured, and they are the events
// the whole-tree mapping stores for the same document (same eventIDs,
// which critmin derives from each event's hash when the event has none).
// An invalid event deep in the document (event 2,202, in the third
// batch), an unknown element in one, or one in the list itself, refuses
// the whole document with the XML path of the fault, and nothing is
// stored, though two batches had been staged. A document over MaxBytes is refused with ETOOLARGE
// after reading at most the limit and one byte.
func TestXMLCaptureStreamed(t *testing.T) {
	limits := ledger.Limits{MaxEvents: 100000, MaxBytes: 32 << 20, MaxXMLBytes: 64 << 10}
	doc := xmlDocument(2500, 2)
	if len(doc) <= 64<<10 {
		t.Fatalf("test document of %d bytes is not over MaxXMLBytes", len(doc))
	}
	db := openStore(t)
	svc := ledger.NewService(db)
	svc.Limits = limits
	job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(doc), XML: true})
	if err != nil || job.EventCount != 2500 || job.Stored != 2500 {
		t.Fatalf("streamed capture: %v, job %+v", err, job)
	}
	if n, err := db.CountEvents(context.Background()); err != nil || n != 2500 {
		t.Fatalf("%d events stored (%v), want 2500", n, err)
	}
	wdb := openStore(t)
	whole := ledger.NewService(wdb)
	whole.Limits = ledger.Limits{MaxEvents: 100000, MaxBytes: 32 << 20, MaxXMLBytes: 32 << 20}
	if _, err := whole.Capture(context.Background(), ledger.CaptureRequest{Body: doc, XML: true}); err != nil {
		t.Fatal(err)
	}
	ids := func(db *sqldb.DB) string {
		page, err := db.FindEvents(context.Background(), critmin.EventFilter{OrderBy: "recordTime", OrderAscending: true, Limit: 3000})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range page.Events {
			out = append(out, e.EventID)
		}
		return strings.Join(out, " ")
	}
	if a, b := ids(db), ids(wdb); a != b || len(a) < 2500 {
		t.Errorf("streamed and whole mapping stored different events: %.200s… vs %.200s…", a, b)
	}

	for _, c := range []struct {
		name, event, path string
	}{
		{"bad eventTime", `<ObjectEvent><eventTime>yesterday</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList><action>OBSERVE</action></ObjectEvent>`,
			"/EPCISDocument/EPCISBody/EventList/ObjectEvent[2202]/eventTime"},
		{"unknown element", `<ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList><action>OBSERVE</action><colour>red</colour></ObjectEvent>`,
			"/EPCISDocument/EPCISBody/EventList/ObjectEvent[2202]/colour"},
		{"unknown element in the list", `<Bogus><x>1</x></Bogus>`, "/EPCISDocument/EPCISBody/EventList/Bogus"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openStore(t)
			svc := ledger.NewService(db)
			svc.Limits = limits
			bad := xmlDocumentWith(2500, 2, 2201, c.event)
			_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(bad), XML: true})
			if critmin.ErrorCode(err) != critmin.EINVALID {
				t.Fatalf("error %v; want EINVALID", err)
			}
			found := false
			for _, f := range critmin.ErrorFields(err) {
				found = found || strings.HasPrefix(f.Pointer, c.path)
			}
			if !found {
				t.Errorf("errors %+v do not name %s", critmin.ErrorFields(err), c.path)
			}
			assertNothingStored(t, db)
		})
	}

	db = openStore(t)
	svc = ledger.NewService(db)
	svc.Limits = ledger.Limits{MaxEvents: 100000, MaxBytes: 256 << 10, MaxXMLBytes: 64 << 10}
	big := xmlDocument(1000, 2)
	cr := &countingReader{r: bytes.NewReader(big)}
	_, err = svc.Capture(context.Background(), ledger.CaptureRequest{Reader: cr, XML: true})
	if critmin.ErrorCode(err) != critmin.ETOOLARGE || !strings.Contains(err.Error(), "file-size limit of 262,144 bytes") {
		t.Fatalf("error %v; want ETOOLARGE naming the file-size limit", err)
	}
	if cr.n > 256<<10+1 {
		t.Errorf("read %d bytes of a refused document; want at most the limit + 1", cr.n)
	}
	assertNothingStored(t, db)
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

// BenchmarkXMLStreamHeap captures an XML document of 8,000 ObjectEvents
// × 75 EPCs (≈ 30 MB), far over DefaultMaxXMLBytes and so streamed
// (epcis.StreamXML), and reports the peak heap in use above the heap
// before it, as BenchmarkJSONCaptureHeap does for JSON.
// `go test ./ledger -run '^$' -bench XMLStreamHeap -benchtime 1x`
func BenchmarkXMLStreamHeap(b *testing.B) {
	doc := xmlDocument(8000, 75)
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
		job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(doc), XML: true})
		close(done)
		wg.Wait()
		db.Close()
		if err != nil || job.EventCount != 8000 {
			b.Fatalf("capture: %v", err)
		}
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(len(doc))/(1<<20), "doc-MB")
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
