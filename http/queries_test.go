package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// shipDoc is a document with one shipping and one receiving event, with
// eventIDs ending in n1 and n2.
func shipDoc(n1, n2 int) []byte {
	return []byte(fmt.Sprintf(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-01T08:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-%012d", "eventTime": "2025-06-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
     "action": "OBSERVE", "bizStep": "shipping", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"]},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-%012d", "eventTime": "2025-06-01T11:00:00Z", "eventTimeZoneOffset": "+00:00",
     "action": "OBSERVE", "bizStep": "receiving", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"]}]}}`, n1, n1, n2, n2))
}

func eventID(n int) string { return fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", n) }

// serveAt starts a server over the SQLite store at path, with a notifier
// tuned for tests (fast polls and retries).
func serveAt(tb testing.TB, path string) (*critminhttp.Server, critmin.Store) {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	for name, t := range map[string][2]string{"operator": {operatorSecret, critmin.RoleOperator}, "viewer": {viewerSecret, critmin.RoleViewer}} {
		if _, err := store.FindTokenByHash(ctx, critminhttp.HashToken(t[0])); err == nil {
			continue
		}
		if err := store.CreateToken(ctx, &critmin.Token{Name: name, Role: t[1], Hash: critminhttp.HashToken(t[0]), CreatedAt: time.Now()}); err != nil {
			tb.Fatal(err)
		}
	}
	srv, err := critminhttp.NewServer(store, custody.NewService(store), slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		tb.Fatal(err)
	}
	srv.Notifier.Interval = 20 * time.Millisecond
	srv.Notifier.BackoffBase = 10 * time.Millisecond
	srv.Notifier.BackoffMax = 40 * time.Millisecond
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	stopped := false
	tb.Cleanup(func() {
		if !stopped {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
			store.Close()
		}
	})
	return srv, store
}

// receiver is a webhook that checks each notification's GS1-Signature
// (none when it has no secret) and answers 500 to the first failFirst requests.
type receiver struct {
	mu        sync.Mutex
	secret    string
	failFirst int
	requests  int
	bad       int
	docs      []map[string]any
	got       chan struct{}
}

func newReceiver(tb testing.TB, secret string, failFirst int) (*receiver, *httptest.Server) {
	rc := &receiver{secret: secret, failFirst: failFirst, got: make(chan struct{}, 100)}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.requests++
		sig := r.Header.Get(notify.SignatureHeader)
		if (rc.secret == "" && sig != "") || (rc.secret != "" && !notify.Verify(rc.secret, b, sig)) {
			rc.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if rc.requests <= rc.failFirst {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.docs = append(rc.docs, doc)
		rc.got <- struct{}{}
	}))
	tb.Cleanup(ts.Close)
	return rc, ts
}

// wait waits for n accepted notifications, until the test's deadline.
func (rc *receiver) wait(tb testing.TB, n int) {
	tb.Helper()
	ctx := testDeadline(tb)
	for range n {
		select {
		case <-rc.got:
		case <-ctx.Done():
			tb.Fatalf("no notification arrived by the test's deadline")
		}
	}
}

// docEventIDs returns the eventIDs of a notification and its subscriptionID.
func docEventIDs(doc map[string]any) (ids []string, subID string) {
	qr := doc["epcisBody"].(map[string]any)["queryResults"].(map[string]any)
	subID, _ = qr["subscriptionID"].(string)
	for _, e := range qr["resultsBody"].(map[string]any)["eventList"].([]any) {
		ids = append(ids, e.(map[string]any)["eventID"].(string))
	}
	return ids, subID
}

func createQuery(tb testing.TB, base, name, query string) {
	tb.Helper()
	resp, b := do(tb, "POST", base+"/epcis/queries", operatorSecret, []byte(`{"name": "`+name+`", "query": `+query+`}`), jsonCT)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/epcis/queries/"+name {
		tb.Fatalf("create query: %d %s (Location %q)", resp.StatusCode, b, resp.Header.Get("Location"))
	}
}

func TestNamedQueries(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, shipDoc(1, 2), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	createQuery(t, ts.URL, "shipments", `{"EQ_bizStep": ["shipping"], "eventType": ["ObjectEvent"]}`)
	// A second query of the name: 409 ResourceAlreadyExistsException.
	resp, b := do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, []byte(`{"name": "shipments", "query": {}}`), jsonCT)
	if p := mustProblem(t, resp, b, 409); p.Type != "epcisException:ResourceAlreadyExistsException" {
		t.Errorf("duplicate name: type %q", p.Type)
	}
	// Bad queries: every problem named at its pointer.
	resp, b = do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, []byte(`{"name": "bad", "query": {"EQ_bizstep": ["shipping"], "EQ_zz:f": [1], "perPage": 3}}`), jsonCT)
	p := mustProblem(t, resp, b, 400)
	var ptrs []string
	for _, e := range p.Errors {
		ptrs = append(ptrs, e.Pointer)
	}
	if got := strings.Join(ptrs, " "); got != "/query/perPage" {
		t.Errorf("bad query pointers: %q", got)
	}
	resp, b = do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, []byte(`{"name": "bad", "query": {"EQ_bizstep": ["shipping"], "EQ_zz:f": [1]}}`), jsonCT)
	p = mustProblem(t, resp, b, 400)
	ptrs = nil
	for _, e := range p.Errors {
		ptrs = append(ptrs, e.Pointer)
	}
	if got := strings.Join(ptrs, " "); got != "/query/EQ_bizstep /query/EQ_zz:f" {
		t.Errorf("bad query pointers: %q", got)
	}
	for _, body := range []string{`{"name": "a/b", "query": {}}`, `{"query": {}}`, `{"name": "x"}`, `{"name": "x", "query": {}, "extra": 1}`} {
		resp, b = do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, []byte(body), jsonCT)
		mustProblem(t, resp, b, 400)
	}
	resp, b = do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, []byte(`{"name": "x", "query": {}}`), map[string]string{"Content-Type": "text/plain"})
	mustProblem(t, resp, b, 415)
	// A viewer may read, not create.
	resp, b = do(t, "POST", ts.URL+"/epcis/queries", viewerSecret, []byte(`{"name": "v", "query": {}}`), jsonCT)
	mustProblem(t, resp, b, 403)

	type namedQuery struct {
		Name  string              `json:"name"`
		Query map[string][]string `json:"query"`
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/queries", viewerSecret, nil, nil)
	var list []namedQuery
	if resp.StatusCode != 200 || json.Unmarshal(b, &list) != nil || len(list) != 1 || list[0].Name != "shipments" || list[0].Query["EQ_bizStep"][0] != "shipping" {
		t.Errorf("list: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/queries/shipments", viewerSecret, nil, nil)
	var one namedQuery
	if resp.StatusCode != 200 || json.Unmarshal(b, &one) != nil || one.Query["eventType"][0] != "ObjectEvent" {
		t.Errorf("get: %d %s", resp.StatusCode, b)
	}
	// Paged: two queries, one a page.
	createQuery(t, ts.URL, "receipts", `{"EQ_bizStep": ["receiving"]}`)
	resp, b = do(t, "GET", ts.URL+"/epcis/queries?perPage=1", viewerSecret, nil, nil)
	next := regexp.MustCompile(`<([^>]+)>; rel="next"`).FindStringSubmatch(resp.Header.Get("Link"))
	if resp.StatusCode != 200 || next == nil || resp.Header.Get("GS1-Next-Page-Token-Expires") == "" || json.Unmarshal(b, &list) != nil || len(list) != 1 || list[0].Name != "receipts" {
		t.Fatalf("first page: %d %s %q", resp.StatusCode, b, resp.Header.Get("Link"))
	}
	resp, b = do(t, "GET", ts.URL+next[1], viewerSecret, nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Link") != "" || json.Unmarshal(b, &list) != nil || len(list) != 1 || list[0].Name != "shipments" {
		t.Errorf("second page: %d %s", resp.StatusCode, b)
	}
	// Its events: the shipping event only, under the query's name.
	resp, b = do(t, "GET", ts.URL+"/epcis/queries/shipments/events", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), eventID(1)) || strings.Contains(string(b), eventID(2)) || !strings.Contains(string(b), `"queryName":"shipments"`) {
		t.Errorf("events: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/queries/shipments/events?EQ_bizStep=receiving", viewerSecret, nil, nil)
	mustProblem(t, resp, b, 400)
	resp, b = do(t, "GET", ts.URL+"/epcis/queries/shipments/events?stream=true", viewerSecret, nil, nil)
	if p := mustProblem(t, resp, b, 400); p.Type != "epcisException:SubscriptionControlsException" {
		t.Errorf("stream without upgrade: %q", p.Type)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/queries/none/events", viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	// Delete, then gone.
	if resp, b = do(t, "DELETE", ts.URL+"/epcis/queries/shipments", operatorSecret, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/queries/shipments", viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	resp, b = do(t, "DELETE", ts.URL+"/epcis/queries/shipments", operatorSecret, nil, nil)
	mustProblem(t, resp, b, 404)
}

// TestWebhookSubscription: a streaming subscription's notification,
// signed, reaches a real webhook after two failed deliveries; only the
// matching event is in it; the subscription shows its delivery state.
func TestWebhookSubscription(t *testing.T) {
	srv, _ := serveAt(t, filepath.Join(t.TempDir(), "critmin.db"))
	base := srv.URL()
	rc, hook := newReceiver(t, "13df38d8275b13f05704629e5f1cf3d45d6132d5", 2)
	createQuery(t, base, "shipments", `{"EQ_bizStep": ["shipping"]}`)
	// Bad subscriptions: every problem at once, SubscriptionControlsException.
	resp, b := do(t, "POST", base+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "ftp://x", "schedule": {"hour": "25"}, "stream": true}`), jsonCT)
	p := mustProblem(t, resp, b, 400)
	if p.Type != "epcisException:SubscriptionControlsException" || len(p.Errors) != 3 {
		t.Errorf("bad subscription: %s", b)
	}
	// A schedule that can never fire (31 February).
	resp, b = do(t, "POST", base+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "http://x/", "schedule": {"dayOfMonth": "31", "month": "2"}}`), jsonCT)
	if p := mustProblem(t, resp, b, 400); p.Type != "epcisException:SubscriptionControlsException" || !hasPointer(p, "/schedule/dayOfMonth") {
		t.Errorf("31 February: %s", b)
	}
	// A schedule field of the wrong JSON type is named by its pointer.
	resp, b = do(t, "POST", base+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "http://x/", "schedule": {"hour": 13}}`), jsonCT)
	if p := mustProblem(t, resp, b, 400); !hasPointer(p, "/schedule/hour") || !strings.Contains(string(b), "must be a string, not a number") {
		t.Errorf("schedule hour as a number: %s", b)
	}
	resp, b = do(t, "POST", base+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "http://x/", "stream": true, "epcFormat": "Sometimes"}`), jsonCT)
	if p := mustProblem(t, resp, b, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "/epcFormat" {
		t.Errorf("bad epcFormat: %s", b)
	}
	// An unknown key and a missing dest: both named at once.
	resp, b = do(t, "POST", base+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"bogus": 1, "stream": true}`), jsonCT)
	if p := mustProblem(t, resp, b, 400); !hasPointer(p, "/bogus") || !hasPointer(p, "/dest") {
		t.Errorf("unknown key and missing dest: want both: %s", b)
	}
	resp, b = do(t, "POST", base+"/epcis/queries/none/subscriptions", operatorSecret, []byte(`{"dest": "http://x/", "stream": true}`), jsonCT)
	mustProblem(t, resp, b, 404)

	resp, b = do(t, "POST", base+"/epcis/queries/shipments/subscriptions", operatorSecret,
		[]byte(`{"dest": "`+hook.URL+`/cb", "signatureToken": "13df38d8275b13f05704629e5f1cf3d45d6132d5", "stream": true}`), jsonCT)
	if resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	var sub struct {
		SubscriptionID string `json:"subscriptionID"`
	}
	_ = json.Unmarshal(b, &sub)
	if loc := resp.Header.Get("Location"); loc != "/epcis/queries/shipments/subscriptions/"+sub.SubscriptionID || strings.Contains(string(b), "13df38") {
		t.Errorf("subscription response: Location %q, body %s (the secret must not come back)", loc, b)
	}
	if resp, b := do(t, "POST", base+"/epcis/capture", operatorSecret, shipDoc(11, 12), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	rc.wait(t, 1)
	rc.mu.Lock()
	ids, subID := docEventIDs(rc.docs[0])
	requests, bad := rc.requests, rc.bad
	rc.mu.Unlock()
	if len(ids) != 1 || ids[0] != eventID(11) || subID != sub.SubscriptionID {
		t.Errorf("notification carries %v of subscription %q, want [%s] of %s", ids, subID, eventID(11), sub.SubscriptionID)
	}
	// Identifiers as query results write them by default: GS1 Digital Link.
	rc.mu.Lock()
	ev := rc.docs[0]["epcisBody"].(map[string]any)["queryResults"].(map[string]any)["resultsBody"].(map[string]any)["eventList"].([]any)[0].(map[string]any)
	rc.mu.Unlock()
	if epc := ev["epcList"].([]any)[0].(string); !strings.HasPrefix(epc, "https://id.gs1.org/01/") {
		t.Errorf("notification EPC %q, want a GS1 Digital Link", epc)
	}
	// 2 refused + 1 accepted, every one correctly signed.
	if requests != 3 || bad != 0 {
		t.Errorf("%d requests (%d badly signed), want 3 correctly signed", requests, bad)
	}
	// The signature is over the body: a changed body does not verify.
	body, _ := json.Marshal(rc.docs[0])
	if notify.Verify("13df38d8275b13f05704629e5f1cf3d45d6132d5", append(body, ' '), notify.Sign("13df38d8275b13f05704629e5f1cf3d45d6132d5", body)) {
		t.Error("signature verified a changed body")
	}
	// The webhook answered before the server recorded the delivery: poll
	// until it has.
	var got struct {
		Stream         bool       `json:"stream"`
		LastNotifiedAt *time.Time `json:"lastNotifiedAt"`
		Signed         bool       `json:"signed"`
		Delivery       struct {
			Delivered, Pending, Failures int
			LastError                    string
		} `json:"delivery"`
	}
	waitUntil(t, "the delivery recorded", func() bool {
		resp, b = do(t, "GET", base+"/epcis/queries/shipments/subscriptions/"+sub.SubscriptionID, viewerSecret, nil, nil)
		got.Delivery.LastError = "" // omitted when empty: not kept from an earlier poll
		if err := json.Unmarshal(b, &got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("get subscription: %d %s", resp.StatusCode, b)
		}
		return got.Delivery.Pending == 0
	})
	if !got.Stream || !got.Signed || got.LastNotifiedAt == nil || got.Delivery.Delivered != 1 || got.Delivery.Pending != 0 || got.Delivery.Failures != 2 ||
		got.Delivery.LastError != "" {
		// Two failures (counted), then a delivery, which clears the last
		// error.
		t.Errorf("subscription state: %s", b)
	}
	resp, b = do(t, "GET", base+"/epcis/queries/shipments/subscriptions", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), sub.SubscriptionID) {
		t.Errorf("list subscriptions: %d %s", resp.StatusCode, b)
	}
	// Unsubscribe: later captures send nothing more.
	if resp, b := do(t, "DELETE", base+"/epcis/queries/shipments/subscriptions/"+sub.SubscriptionID, operatorSecret, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("unsubscribe: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", base+"/epcis/queries/shipments/subscriptions/"+sub.SubscriptionID, viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
}

// TestScheduledSubscription: a schedule of every second with
// reportIfEmpty sends an empty EPCISQueryDocument when nothing matched;
// initialRecordTime in the past brings events captured before the
// subscription.
func TestScheduledSubscription(t *testing.T) {
	srv, _ := serveAt(t, filepath.Join(t.TempDir(), "critmin.db"))
	base := srv.URL()
	if resp, b := do(t, "POST", base+"/epcis/capture", operatorSecret, shipDoc(21, 22), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	createQuery(t, base, "shipments", `{"EQ_bizStep": ["shipping"]}`)
	createQuery(t, base, "nothing", `{"EQ_bizStep": ["destroying"]}`)
	pastRC, pastHook := newReceiver(t, "", 0)
	emptyRC, emptyHook := newReceiver(t, "", 0)
	for _, c := range []struct{ query, body string }{
		{"shipments", `{"dest": "` + pastHook.URL + `", "schedule": {"second": "*"}, "initialRecordTime": "2000-01-01T00:00:00Z"}`},
		{"nothing", `{"dest": "` + emptyHook.URL + `", "schedule": {"second": "*"}, "reportIfEmpty": true}`},
	} {
		if resp, b := do(t, "POST", base+"/epcis/queries/"+c.query+"/subscriptions", operatorSecret, []byte(c.body), jsonCT); resp.StatusCode != 201 {
			t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
		}
	}
	pastRC.wait(t, 1)
	pastRC.mu.Lock()
	ids, _ := docEventIDs(pastRC.docs[0])
	pastRC.mu.Unlock()
	if len(ids) != 1 || ids[0] != eventID(21) {
		t.Errorf("initialRecordTime in the past: got %v, want [%s]", ids, eventID(21))
	}
	emptyRC.wait(t, 1)
	emptyRC.mu.Lock()
	ids, _ = docEventIDs(emptyRC.docs[0])
	emptyRC.mu.Unlock()
	if len(ids) != 0 {
		t.Errorf("reportIfEmpty notification carries %v", ids)
	}
}

// TestSubscriptionSurvivesRestart: a notification the webhook refused is
// in the database's outbox; a new server on the reopened store delivers
// it.
func TestSubscriptionSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	down := true
	var mu sync.Mutex
	got := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if down {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer hook.Close()

	srv, store := serveAt(t, path)
	base := srv.URL()
	createQuery(t, base, "shipments", `{"EQ_bizStep": ["shipping"]}`)
	if resp, b := do(t, "POST", base+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "`+hook.URL+`", "stream": true}`), jsonCT); resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, "POST", base+"/epcis/capture", operatorSecret, shipDoc(31, 32), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	// Wait until the outbox holds the notification and a delivery failed.
	waitUntil(t, "a failed delivery recorded", func() bool {
		subs, err := store.ListSubscriptions(context.Background(), "shipments")
		if err != nil {
			t.Fatal(err)
		}
		return len(subs) == 1 && subs[0].Pending == 1 && subs[0].Failures >= 1
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = srv.Shutdown(ctx)
	cancel()
	store.Close()

	mu.Lock()
	down = false
	mu.Unlock()
	srv2, store2 := serveAt(t, path)
	_ = srv2
	select {
	case body := <-got:
		if !strings.Contains(body, eventID(31)) || strings.Contains(body, eventID(32)) {
			t.Errorf("delivered after restart: %s", body)
		}
	case <-testDeadline(t).Done():
		// A delivery in flight when the first server stopped is given
		// back at shutdown; if it could not be (the store closed first),
		// its lease runs out after notify.DefaultLease and the retry
		// follows its backoff: waited for until the test's deadline.
		t.Fatal("the pending notification was not delivered after the restart")
	}
	waitUntil(t, "the delivery recorded", func() bool {
		subs, _ := store2.ListSubscriptions(context.Background(), "shipments")
		return len(subs) == 1 && subs[0].Delivered == 1 && subs[0].Pending == 0
	})
}

// TestWebSocketStream: a WebSocket subscription (stream=true) receives a
// captured event that matches its named query, and not one that does
// not.
func TestWebSocketStream(t *testing.T) {
	srv, _ := serveAt(t, filepath.Join(t.TempDir(), "critmin.db"))
	base := srv.URL()
	createQuery(t, base, "shipments", `{"EQ_bizStep": ["shipping"]}`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/epcis/queries/shipments/events?stream=true"
	// Without a token: refused before the upgrade.
	if _, resp, err := websocket.Dial(ctx, wsURL, nil); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("dial without token: %v %v", resp, err)
	}
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + viewerSecret}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if resp, b := do(t, "POST", base+"/epcis/capture", operatorSecret, shipDoc(41, 42), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	typ, msg, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if typ != websocket.MessageText || json.Unmarshal(msg, &doc) != nil {
		t.Fatalf("message %v %s", typ, msg)
	}
	ids, subID := docEventIDs(doc)
	if len(ids) != 1 || ids[0] != eventID(41) || !strings.HasPrefix(subID, "ws-") {
		t.Errorf("websocket notification: %v (%s)", ids, subID)
	}
	// Deleting the query closes the socket.
	if resp, b := do(t, "DELETE", base+"/epcis/queries/shipments", operatorSecret, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, b)
	}
	if _, _, err := conn.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("after delete: %v, want a normal closure", err)
	}
}

// hasPointer reports whether a problem names pointer among its errors.
func hasPointer(p problem, pointer string) bool {
	for _, e := range p.Errors {
		if e.Pointer == pointer {
			return true
		}
	}
	return false
}

// TestSubscriptionFutureInitialRecordTime: initialRecordTime limits the
// first run only — the REST binding's GS1-Query-InitialRecordTime "only
// applies the first time a subscriber receives events", and the
// subscription's minimum record time is "set initially to
// initialRecordTime and then updated to the most recent execution
// timestamp" (openapi.yaml, GS1-Query-Min-Record-Time). A stream
// subscription given a future initialRecordTime (2099) is therefore sent
// the events captured after it was made, not nothing until 2099; an event
// captured before it was made is not sent (its record time is before
// both the subscription and 2099).
func TestSubscriptionFutureInitialRecordTime(t *testing.T) {
	srv, _ := serveAt(t, filepath.Join(t.TempDir(), "critmin.db"))
	base := srv.URL()
	if resp, b := do(t, "POST", base+"/epcis/capture", operatorSecret, shipDoc(31, 32), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	createQuery(t, base, "shipments", `{"EQ_bizStep": ["shipping"]}`)
	rc, hook := newReceiver(t, "", 0)
	resp, b := do(t, "POST", base+"/epcis/queries/shipments/subscriptions", operatorSecret,
		[]byte(`{"dest": "`+hook.URL+`/f", "stream": true, "initialRecordTime": "2099-01-01T00:00:00Z"}`), jsonCT)
	if resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	if !strings.Contains(string(b), `"initialRecordTime": "2099-01-01T00:00:00Z"`) {
		t.Errorf("the subscription shows initialRecordTime as given: %s", b)
	}
	if resp, b := do(t, "POST", base+"/epcis/capture", operatorSecret, shipDoc(33, 34), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	rc.wait(t, 1)
	rc.mu.Lock()
	ids, _ := docEventIDs(rc.docs[0])
	rc.mu.Unlock()
	if len(ids) != 1 || ids[0] != eventID(33) {
		t.Errorf("future initialRecordTime: notified %v, want [%s] (the event captured after subscribing)", ids, eventID(33))
	}
}
