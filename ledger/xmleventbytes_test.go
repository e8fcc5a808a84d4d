package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// TestXMLEventByteLimitConsistent (issue 14, fix14c item 2): the
// per-event limit of 2 MiB of JSON event text (epcis.MaxEventBytes) held
// for a streamed XML document (longer than MaxXMLBytes) but not for one
// mapped whole (up to 4 MiB), so one event of 2.3 MB was stored when its
// document was 2.4 MB and refused when the same document was streamed.
// Now both refuse it, naming the event's index, its size and the limit,
// and both measure the same size.
//
// The document: 3 ObjectEvents; event 1 (counting from 0) has 9,000 EPCs
// of 250 characters. Its JSON text holds at least 9,000 × (250 + 3) =
// 2,277,000 bytes of epcList (each EPC quoted and followed by a comma but
// the last) > 2,097,152 = 2 MiB; its XML text is about 9,000 × (250 + 11)
// = 2,349,000 bytes (<epc></epc>), under the 4 MiB whole-mapping limit.
func TestXMLEventByteLimitConsistent(t *testing.T) {
	var big strings.Builder
	big.WriteString(`<ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList>`)
	for k := 0; k < 9000; k++ {
		const prefix = "urn:epc:id:sgtin:0614141.107346."
		id := fmt.Sprintf("%s9%0*d", prefix, 250-len(prefix)-1, k) // 250 characters, distinct
		big.WriteString("<epc>" + id + "</epc>")
	}
	big.WriteString(`</epcList><action>OBSERVE</action></ObjectEvent>`)
	doc := xmlDocumentWith(3, 2, 1, big.String())
	if len(doc) >= ledger.DefaultMaxXMLBytes || len(doc) < 2<<20 {
		t.Fatalf("document of %d bytes: the test needs more than 2 MiB and less than the %d bytes mapped whole", len(doc), ledger.DefaultMaxXMLBytes)
	}
	size := regexp.MustCompile(`event 1 \(counting from 0\) is ([\d,]+) bytes, more than the per-event limit of 2,097,152 bytes`)
	refusal := func(t *testing.T, limits ledger.Limits) string {
		t.Helper()
		db := openStore(t)
		svc := ledger.NewService(db)
		svc.Limits = limits
		_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(doc), XML: true})
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Fatalf("error %v; want EINVALID", err)
		}
		for _, f := range critmin.ErrorFields(err) {
			if m := size.FindStringSubmatch(f.Reason); m != nil {
				if f.Pointer != "/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]" {
					t.Errorf("refusal at %q; want the event's XML path", f.Pointer)
				}
				assertNothingStored(t, db)
				return m[1]
			}
		}
		t.Fatalf("errors %+v do not name event 1's size and the limit", critmin.ErrorFields(err))
		return ""
	}
	whole := refusal(t, ledger.DefaultLimits)
	streamed := refusal(t, ledger.Limits{MaxEvents: 100000, MaxBytes: 32 << 20, MaxXMLBytes: 64 << 10})
	if whole != streamed {
		t.Errorf("event 1 measured %s bytes mapped whole, %s streamed; want the same", whole, streamed)
	}
	var n int
	fmt.Sscan(strings.ReplaceAll(whole, ",", ""), &n)
	t.Logf("event 1: %d bytes of JSON event text", n)
	if n < 2_277_000 {
		t.Errorf("event 1 measured %d bytes; its epcList alone is at least 2,277,000", n)
	}

	// Under proceed the other two events are stored and event 1 is an
	// error of the job, as a streamed document's would be.
	db := openStore(t)
	svc := ledger.NewService(db)
	job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: doc, XML: true, Behaviour: critmin.BehaviourProceed})
	if err != nil {
		t.Fatal(err)
	}
	if job.Stored != 2 || len(job.Errors) != 1 || !strings.Contains(job.Errors[0].Detail, "per-event limit of 2,097,152 bytes") {
		t.Errorf("proceed: stored %d, errors %+v; want 2 stored and event 1's size refused", job.Stored, job.Errors)
	}
	if epcis.MaxEventBytes != 2097152 {
		t.Errorf("MaxEventBytes %d: the messages above expect 2 MiB", epcis.MaxEventBytes)
	}
}
