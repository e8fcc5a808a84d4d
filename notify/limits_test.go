package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// TestSubscriptionHonoursQueryLimits: three events match each query; a
// run of a subscription is one execution of its query, so the query's
// limits bound it as they bound GET /queries/{name}/events:
//   - eventCountLimit=1, orderBy eventTime DESC: one notification with
//     the latest event only (10:02 of 10:00, 10:01, 10:02);
//   - maxEventCount=2: 3 > 2, the callback gets a QueryTooLargeException;
//   - maxEventCount=3: 3 ≤ 3, all three events.
func TestSubscriptionHonoursQueryLimits(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	var mu sync.Mutex
	got := map[string][]string{} // path → bodies
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[r.URL.Path] = append(got[r.URL.Path], string(b))
		mu.Unlock()
	}))
	defer hook.Close()

	now := time.Now().UTC()
	queries := map[string]string{
		"limited": `{"eventType": ["ObjectEvent"], "eventCountLimit": 1, "orderBy": "eventTime", "orderDirection": "DESC"}`,
		"capped":  `{"eventType": ["ObjectEvent"], "maxEventCount": 2}`,
		"roomy":   `{"eventType": ["ObjectEvent"], "maxEventCount": 3}`,
	}
	for name, q := range queries {
		if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: name, Query: json.RawMessage(q), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := store.CreateSubscription(ctx, &critmin.Subscription{ID: name, QueryName: name, Dest: hook.URL + "/" + name, Stream: true, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		doc := fmt.Sprintf(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:%d", "eventTime": "2025-06-01T10:0%d:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"]}]}}`, i, i, i)
		if _, err := ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	d := notify.New(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	ids := func(body string) []string {
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
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("notification %s: %v", body, err)
		}
		var out []string
		for _, e := range doc.EPCISBody.QueryResults.ResultsBody.EventList {
			out = append(out, e.EventID)
		}
		return out
	}
	if b := got["/limited"]; len(b) != 1 || fmt.Sprint(ids(b[0])) != "[urn:t:ev:2]" {
		t.Errorf("eventCountLimit=1: %d notifications %v, want one with urn:t:ev:2", len(b), b)
	}
	if b := got["/roomy"]; len(b) != 1 || len(ids(b[0])) != 3 {
		t.Errorf("maxEventCount=3: %v, want the three events", b)
	}
	b := got["/capped"]
	if len(b) != 1 {
		t.Fatalf("maxEventCount=2: %d notifications, want one exception", len(b))
	}
	var p struct {
		Type           string `json:"type"`
		Status         int    `json:"status"`
		SubscriptionID string `json:"subscriptionID"`
		Detail         string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(b[0]), &p); err != nil || p.Type != "epcisException:QueryTooLargeException" || p.Status != 413 ||
		p.SubscriptionID != "capped" || !strings.Contains(p.Detail, "maxEventCount=2") {
		t.Errorf("maxEventCount=2: %s, want a QueryTooLargeException", b[0])
	}
	// The exception answered the run: the subscription moved past the
	// three events and has nothing pending.
	if s, err := store.FindSubscription(ctx, "capped", "capped"); err != nil || s.Pending != 0 || s.Delivered != 1 {
		t.Errorf("capped subscription after its run: %+v %v", s, err)
	}
}
