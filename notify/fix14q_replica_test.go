package notify_test

import (
	"context"
	"encoding/json"
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
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// TestDispatcherReadsThePrimaryUnderALaggingReplica (issue 14, fix14q
// item 4): with serve --db-read the dispatcher read the replica — the
// newest sequence number, the named query and the events a subscription
// is sent — so a lagging replica held back notifications (the run saw no
// new event) or, with the primary's sequence and the replica's events,
// would skip them. Here the replica is a copy of the store taken after
// the subscription was made (sqldb.DB.UseReadPool, as in the http
// lagging-replica tests) and lags the one event captured after it; one
// run of the dispatcher must still send that event.
func TestDispatcherReadsThePrimaryUnderALaggingReplica(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	primary, replica := filepath.Join(dir, "primary.db"), filepath.Join(dir, "replica.db")
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
	}))
	defer hook.Close()

	setup, err := sqlite.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := setup.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "all", Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := setup.CreateSubscription(ctx, &critmin.Subscription{ID: "s", QueryName: "all", Dest: hook.URL, Stream: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Write.ExecContext(ctx, `VACUUM INTO ?`, replica); err != nil {
		t.Fatal(err)
	}
	setup.Close()

	store, err := sqlite.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stale, err := sqlite.Open(ctx, replica)
	if err != nil {
		t.Fatal(err)
	}
	defer stale.Close()
	store.UseReadPool(stale.Read)
	captureOne(t, store, 7) // on the primary only: the replica lags it

	d := notify.New(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.Contains(got[0], "urn:t:ev:7") {
		t.Errorf("notifications sent with the replica lagging: %d %q; want one carrying urn:t:ev:7 (read from the primary)", len(got), got)
	}
}
