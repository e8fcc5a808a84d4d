package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// streamDoc is a document of n ObjectEvents; event i observes lot
// urn:t:slot:<i mod lots> with quantity i+1 t, one minute after event
// i-1. last, when set, replaces the last event.
func streamDoc(n, lots int, last string) string {
	var b strings.Builder
	b.WriteString(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [`)
	t0 := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if i == n-1 && last != "" {
			b.WriteString(last)
			break
		}
		fmt.Fprintf(&b, `{"type": "ObjectEvent", "eventID": "urn:t:sev:%d", "eventTime": %q, "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
 "quantityList": [{"epcClass": "urn:t:slot:%d", "quantity": %d, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s%d"}}`,
			i, t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i%lots, i+1, i%3)
	}
	b.WriteString(`]}}`)
	return b.String()
}

// testStreamedCapture: a document of 2,500 events is staged in three
// batches and settled in three projection units (ledger.StreamBatch,
// sqldb.ProjectEvery: 1,000). A bad last event refuses it whole and
// leaves nothing; the good document projects every lot across the units
// as one pass would.
func testStreamedCapture(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := ledger.NewService(s)
	const n, lots = 2500, 250
	bad := `{"type": "ObjectEvent", "eventID": "urn:t:sev:last", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "quantityList": [{"epcClass": "urn:t:slot:0", "quantity": -1, "uom": "TNE"}]}`
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Reader: strings.NewReader(streamDoc(n, lots, bad))})
	var ce *critmin.Error
	if !errors.As(err, &ce) || ce.Code != critmin.EINVALID || len(ce.Fields) != 1 || ce.Fields[0].Pointer != fmt.Sprintf("/epcisBody/eventList/%d/quantityList/0/quantity", n-1) {
		t.Fatalf("bad last event: %v", err)
	}
	if c, _ := s.CountEvents(ctx); c != 0 {
		t.Fatalf("%d events stored after a refused document", c)
	}
	if _, err := s.FindLot(ctx, "urn:t:slot:0"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("lot after a refused document: %v", err)
	}
	job, err := svc.Capture(ctx, ledger.CaptureRequest{Reader: strings.NewReader(streamDoc(n, lots, ""))})
	if err != nil || job.Stored != n {
		t.Fatalf("good document: %v, %+v", err, job)
	}
	// Lot k is named by events k, k+250, …, k+2250: 10 events, the last
	// (latest eventTime) with quantity k+2251 t at site s((k+2250) mod 3).
	for _, k := range []int{0, 7, 249} {
		l, err := s.FindLot(ctx, fmt.Sprintf("urn:t:slot:%d", k))
		if err != nil {
			t.Fatal(err)
		}
		last := k + 2250
		if l.EventCount != 10 || l.Quantity != float64(last+1) || l.Location != fmt.Sprintf("urn:t:site:s%d", last%3) {
			t.Errorf("lot %d: %d events, %v t at %s; want 10, %d t at s%d", k, l.EventCount, l.Quantity, l.Location, last+1, last%3)
		}
	}
}
