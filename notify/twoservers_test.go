package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestTwoServersOnePostgreSQL: two dispatchers, each on its own
// connection pool to one PostgreSQL database as two servers would be,
// work one stream subscription while events are captured through both
// pools. Every captured event reaches the webhook, and — with no server
// failing — exactly once: the runs are leased and the outbox rows claimed
// FOR UPDATE SKIP LOCKED.
func TestTwoServersOnePostgreSQL(t *testing.T) {
	ctx := context.Background()
	dsn, drop, err := postgres.CreateDatabase(ctx, pgtest.AdminDSN(), "critmin_test_")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("PostgreSQL not available (set CI=true to make this fatal): %v", err)
	}
	var stores []critmin.Store
	for range 2 {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	t.Cleanup(func() {
		for _, s := range stores {
			s.Close()
		}
		_ = drop()
	})

	var mu sync.Mutex
	seen := map[string]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !notify.Verify("k", b, r.Header.Get(notify.SignatureHeader)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
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
		if err := json.Unmarshal(b, &doc); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, e := range doc.EPCISBody.QueryResults.ResultsBody.EventList {
			seen[e.EventID]++
		}
		mu.Unlock()
	}))
	defer hook.Close()

	now := time.Now().UTC()
	if err := stores[0].CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "all", Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := stores[1].CreateSubscription(ctx, &critmin.Subscription{ID: "s1", QueryName: "all", Dest: hook.URL, Secret: "k", Stream: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, s := range stores {
		d := notify.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		d.Owner = fmt.Sprintf("server-%d", i)
		d.Interval = 5 * time.Millisecond
		wg.Add(1)
		go func() { defer wg.Done(); d.Run(runCtx) }()
	}
	const n = 30
	var cw sync.WaitGroup
	for i := range n {
		cw.Add(1)
		go func() {
			defer cw.Done()
			doc := fmt.Sprintf(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:%d", "eventTime": "2025-06-01T10:00:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"]}]}}`, i, i)
			if _, err := ledger.NewService(stores[i%2]).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
				t.Error(err)
			}
		}()
	}
	cw.Wait()
	for i := 0; ; i++ {
		mu.Lock()
		k := len(seen)
		mu.Unlock()
		if k == n {
			break
		}
		if i > 6000 {
			t.Fatalf("%d of %d events delivered", k, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Let any duplicate in flight land before counting.
	sub, err := stores[0].FindSubscription(ctx, "all", "s1")
	for i := 0; err == nil && sub.Pending > 0 && i < 6000; i++ {
		time.Sleep(10 * time.Millisecond)
		sub, err = stores[0].FindSubscription(ctx, "all", "s1")
	}
	stop()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, c := range seen {
		if c != 1 {
			t.Errorf("%s delivered %d times", id, c)
		}
	}
	if sub.Pending != 0 || sub.Failures != 0 {
		t.Errorf("subscription state %+v", sub)
	}
}
