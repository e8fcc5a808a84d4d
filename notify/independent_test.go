package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// hangingListener accepts connections, reads the request and never
// answers; each request read is reported on the returned channel.
func hangingListener(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{}, 16)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
					got <- struct{}{}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String() + "/hook", got
}

func captureOne(t *testing.T, store critmin.Store, i int) {
	t.Helper()
	doc := fmt.Sprintf(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:%d", "eventTime": "2025-06-01T10:00:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"]}]}}`, i, i)
	if _, err := ledger.NewService(store).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
}

// TestHangingDestinationDelaysOnlyItsOwnSubscription: two subscriptions,
// to two named queries, one whose webhook accepts the connection and
// never answers, one healthy. The client's timeout is an hour, so the
// hanging delivery is still in flight for the whole test; the healthy
// subscription still receives every event, and new events are still
// queued for both. The hanging subscription has one delivery in flight at
// a time: its second notification waits in the outbox, and survives the
// shutdown undelivered (at least once).
func TestHangingDestinationDelaysOnlyItsOwnSubscription(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	hangURL, hung := hangingListener(t)
	received := make(chan string, 16)
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var doc struct {
			EPCISBody struct {
				QueryResults struct {
					ResultsBody struct {
						EventList []struct {
							EventID string `json:"eventID"`
						} `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		_ = json.Unmarshal(b, &doc)
		for _, e := range doc.EPCISBody.QueryResults.ResultsBody.EventList {
			received <- e.EventID
		}
	}))
	defer healthy.Close()

	now := time.Now().UTC()
	for _, q := range []string{"slow", "fast"} {
		if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: q, Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.CreateSubscription(ctx, &critmin.Subscription{ID: "hang", QueryName: "slow", Dest: hangURL, Stream: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSubscription(ctx, &critmin.Subscription{ID: "ok", QueryName: "fast", Dest: healthy.URL, Stream: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}

	d := notify.New(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.Client = &http.Client{Timeout: time.Hour}
	d.Lease = 2 * time.Hour
	d.Interval = 10 * time.Millisecond
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(runCtx) }()
	defer func() { stop(); <-done }()

	wait := func(what string, c <-chan struct{}) {
		t.Helper()
		select {
		case <-c:
		case <-time.After(2 * time.Minute):
			t.Fatalf("no %s within two minutes", what)
		}
	}
	expect := func(id string) {
		t.Helper()
		select {
		case got := <-received:
			if got != id {
				t.Fatalf("healthy webhook got %s, want %s", got, id)
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("healthy webhook did not get %s while the other destination hangs", id)
		}
	}

	captureOne(t, store, 1)
	wait("request at the hanging destination", hung)
	expect("urn:t:ev:1")
	// With the first delivery to "hang" in flight, a new event is still
	// queued for both subscriptions and delivered to the healthy one.
	captureOne(t, store, 2)
	expect("urn:t:ev:2")
	for i := 0; ; i++ {
		sub, err := store.FindSubscription(ctx, "slow", "hang")
		if err != nil {
			t.Fatal(err)
		}
		if sub.Pending == 2 {
			break
		}
		if i > 12000 {
			t.Fatalf("hanging subscription: %d pending, want 2 queued", sub.Pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Deliveries go on after the second notification of "hang" was queued;
	// it is not sent while the first is in flight.
	captureOne(t, store, 3)
	expect("urn:t:ev:3")
	select {
	case <-hung:
		t.Fatal("a second delivery to the hanging subscription started while the first was in flight")
	default:
	}
	// The healthy webhook reports an event before it answers: wait for
	// the third delivery to be recorded.
	for i := 0; ; i++ {
		ok, err := store.FindSubscription(ctx, "fast", "ok")
		if err != nil {
			t.Fatal(err)
		}
		if ok.Delivered == 3 {
			break
		}
		if i > 12000 {
			t.Fatalf("healthy subscription: %d delivered, want 3", ok.Delivered)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	sub, err := store.FindSubscription(ctx, "slow", "hang")
	if err != nil {
		t.Fatal(err)
	}
	// Events 1, 2 and 3 are each in a notification still due: one per run
	// (the first, the second, and the one after event 3 or joined with it).
	if sub.Pending < 2 || sub.Delivered != 0 {
		t.Errorf("hanging subscription after shutdown: %d pending, %d delivered; want its notifications kept undelivered", sub.Pending, sub.Delivered)
	}
	ok, err := store.FindSubscription(ctx, "fast", "ok")
	if err != nil {
		t.Fatal(err)
	}
	if ok.Pending != 0 || ok.Delivered != 3 {
		t.Errorf("healthy subscription: %d pending, %d delivered, want 0 and 3", ok.Pending, ok.Delivered)
	}
}
