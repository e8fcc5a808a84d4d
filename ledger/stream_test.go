package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/units"
)

// bigEvents spans three batches of a streamed capture (StreamBatch is
// 1,000), so that the first two are staged in the transaction before the
// last event is read.
const bigEvents = 2*ledger.StreamBatch + 500

func openStore(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// docWithLast returns a generated document of n-1 good events followed by
// the event last (JSON text).
func docWithLast(t *testing.T, n int, last string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := bench.NewGenerator(3).WriteDocument(&b, n-1); err != nil {
		t.Fatal(err)
	}
	body := bytes.TrimSuffix(b.Bytes(), []byte("]}}"))
	return append(append(body, ","+last+"]}}"...), nil...)
}

const badLast = `{"type":"ObjectEvent","eventID":"urn:critmin:test:last","action":"OBSERVE","eventTime":"2025-13-45T00:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["urn:critmin:test:c"]}`

// assertNothingStored checks every trace a capture leaves: events, the
// capture job, lots and the log.
func assertNothingStored(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	if n, err := db.CountEvents(ctx); err != nil || n != 0 {
		t.Errorf("%d events stored (%v); want none", n, err)
	}
	if jobs, err := db.ListCaptureJobs(ctx, nil, 10); err != nil || len(jobs) != 0 {
		t.Errorf("%d capture jobs stored (%v); want none", len(jobs), err)
	}
	if _, err := db.FindLot(ctx, bench.LotID(0)); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("first lot: %v; want not found", err)
	}
	if head, err := db.LogHead(ctx); err != nil || head.Size != 0 {
		t.Errorf("log head %+v (%v); want empty", head, err)
	}
}

// TestStreamedCaptureRejectsBadLastEvent: a document whose last event is
// invalid, read after two batches were staged, is refused whole with the
// pointer of the field at fault, and leaves nothing stored.
func TestStreamedCaptureRejectsBadLastEvent(t *testing.T) {
	db := openStore(t)
	svc := ledger.NewService(db)
	svc.Limits = ledger.Limits{MaxEvents: 0, MaxBytes: 64 << 20}
	body := docWithLast(t, bigEvents, badLast)
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(body)})
	var ce *critmin.Error
	if !errorsAs(err, &ce) || ce.Code != critmin.EINVALID {
		t.Fatalf("error %v; want EINVALID", err)
	}
	want := fmt.Sprintf("/epcisBody/eventList/%d/eventTime", bigEvents-1)
	if len(ce.Fields) != 1 || ce.Fields[0].Pointer != want {
		t.Fatalf("fields %+v; want one at %s", ce.Fields, want)
	}
	if !strings.Contains(ce.Message, "1 of "+units.Int(bigEvents)+" events are invalid") {
		t.Errorf("message %q", ce.Message)
	}
	assertNothingStored(t, db)

	// The same document with a good last event is stored whole.
	good := docWithLast(t, bigEvents, strings.Replace(badLast, "2025-13-45", "2025-12-30", 1))
	job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(good)})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountEvents(context.Background()); job.Stored != bigEvents || n != bigEvents || job.EventCount != bigEvents {
		t.Errorf("stored %d (job %d of %d); want %d", n, job.Stored, job.EventCount, bigEvents)
	}
	// A replay of the chain (critmin verify) rebuilds the same rows: the
	// projection settled at the same events when it was captured.
	scratch, closeScratch, err := sqlite.OpenScratch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	if diff, _, err := db.Rebuild(context.Background(), scratch); err != nil || diff != nil {
		t.Errorf("rebuild after a streamed capture: %v, %v", diff, err)
	}
	// Sent again, every event is a duplicate, across batches too.
	again, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: good})
	if err != nil || again.Stored != 0 || len(again.Duplicates) != bigEvents {
		t.Errorf("recapture: %v, stored %d, %d duplicates; want 0 and %d", err, again.Stored, len(again.Duplicates), bigEvents)
	}
}

// TestStreamedCaptureProceedKeepsGoodEvents: under proceed the valid
// events of every batch are stored and the bad last one is reported.
func TestStreamedCaptureProceedKeepsGoodEvents(t *testing.T) {
	db := openStore(t)
	svc := ledger.NewService(db)
	svc.Limits = ledger.Limits{MaxBytes: 64 << 20}
	job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: docWithLast(t, bigEvents, badLast), Behaviour: critmin.BehaviourProceed})
	if err != nil {
		t.Fatal(err)
	}
	if job.Stored != bigEvents-1 || len(job.Errors) != 1 || job.Errors[0].Pointer != fmt.Sprintf("/epcisBody/eventList/%d/eventTime", bigEvents-1) {
		t.Errorf("job stored %d, errors %+v", job.Stored, job.Errors)
	}
	if n, _ := db.CountEvents(context.Background()); n != int64(bigEvents-1) {
		t.Errorf("%d events stored; want %d", n, bigEvents-1)
	}
}

// TestStreamedCaptureDocumentErrorsAfterEvents: problems of the document
// itself found only after its events were staged — a type that does not
// match the list, a bad header after the body, trailing data, a body cut
// short, a document over the size or event limit — refuse it whole.
func TestStreamedCaptureDocumentErrorsAfterEvents(t *testing.T) {
	var gen bytes.Buffer
	if err := bench.NewGenerator(5).WriteDocument(&gen, bigEvents); err != nil {
		t.Fatal(err)
	}
	doc := gen.Bytes()
	withTail := func(tail string) []byte {
		return append(bytes.TrimSuffix(bytes.Clone(doc), []byte("}")), tail...)
	}
	// Move "type" behind the body, with another value.
	typeLast := func(typ string) []byte {
		b := bytes.Replace(bytes.Clone(doc), []byte(`"type":"EPCISDocument",`), nil, 1)
		return append(bytes.TrimSuffix(b, []byte("}")), []byte(`,"type":"`+typ+`"}`)...)
	}
	cases := []struct {
		name   string
		body   []byte
		limits ledger.Limits
		code   string
		ptr    string
	}{
		{"query document type after an eventList", typeLast("EPCISQueryDocument"), ledger.Limits{}, critmin.EINVALID, "/epcisBody/eventList"},
		{"unknown type after the body", typeLast("Bogus"), ledger.Limits{}, critmin.EINVALID, "/type"},
		{"bad header after the body", withTail(`,"epcisHeader":{"epcisMasterData":{"vocabularyList":[{"type":"urn:epcglobal:epcis:vtype:BusinessLocation","vocabularyElementList":[{"id":"` + strings.Repeat("x", 2000) + `"}]}]}}}`), ledger.Limits{}, critmin.EINVALID, "/epcisHeader/epcisMasterData/vocabularyList"},
		{"event list given twice", withTail(`,"epcisBody":{"eventList":[]}}`), ledger.Limits{}, critmin.EINVALID, "/epcisBody"},
		{"trailing data", append(bytes.Clone(doc), " {}"...), ledger.Limits{}, critmin.EINVALID, ""},
		{"cut short", doc[:len(doc)-10], ledger.Limits{}, critmin.EINVALID, ""},
		{"over the event limit", doc, ledger.Limits{MaxEvents: bigEvents - 1}, critmin.ETOOLARGE, ""},
		{"over the size limit", doc, ledger.Limits{MaxBytes: int64(len(doc) - 1)}, critmin.ETOOLARGE, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := openStore(t)
			svc := ledger.NewService(db)
			svc.Limits = c.limits
			_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: io.MultiReader(bytes.NewReader(c.body))})
			var ce *critmin.Error
			if !errorsAs(err, &ce) || ce.Code != c.code {
				t.Fatalf("error %v; want %s", err, c.code)
			}
			if c.ptr != "" && (len(ce.Fields) == 0 || !strings.HasPrefix(ce.Fields[0].Pointer, c.ptr)) {
				t.Errorf("fields %+v; want pointer %s", ce.Fields, c.ptr)
			}
			assertNothingStored(t, db)
		})
	}
	// The document exactly at both limits is accepted.
	db := openStore(t)
	svc := ledger.NewService(db)
	svc.Limits = ledger.Limits{MaxEvents: bigEvents, MaxBytes: int64(len(doc))}
	if job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(doc)}); err != nil || job.Stored != bigEvents {
		t.Fatalf("document at the limits: %v", err)
	}
}

// TestStreamedCaptureKeyOrders: a document's members may come in any
// order (a writer that sorts keys puts "type" after "epcisBody"; one may
// even put "@context" last, which is read with the body held): the stored
// events are the same.
func TestStreamedCaptureKeyOrders(t *testing.T) {
	first := bench.NewGenerator(9).Document(300) // json.Marshal sorts keys: type after epcisBody
	var m map[string]json.RawMessage
	if err := json.Unmarshal(first, &m); err != nil {
		t.Fatal(err)
	}
	contextLast := []byte(fmt.Sprintf(`{"type":%s,"schemaVersion":%s,"creationDate":%s,"epcisBody":%s,"@context":%s}`, m["type"], m["schemaVersion"], m["creationDate"], m["epcisBody"], m["@context"]))
	var raws [2][]string
	for i, body := range [][]byte{first, contextLast} {
		db := openStore(t)
		svc := ledger.NewService(db)
		if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Reader: bytes.NewReader(body)}); err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		page, err := db.FindEvents(context.Background(), critmin.EventFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			raws[i] = append(raws[i], ev.EventID+" "+ev.EventTime.String()+" "+ev.BizStep)
		}
	}
	if len(raws[0]) != 300 || strings.Join(raws[0], "\n") != strings.Join(raws[1], "\n") {
		t.Errorf("key orders stored different events: %d vs %d", len(raws[0]), len(raws[1]))
	}
}

func errorsAs(err error, target **critmin.Error) bool { return errors.As(err, target) }
