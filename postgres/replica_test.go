package postgres_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestOpenWithReplica: writes go to the primary, reads to the read DSN.
// A second database stands in for the replica (a real streaming replica
// is set up as docs/security.md shows), so a named query written through
// the store is found by name (the primary) and not listed (the replica).
func TestOpenWithReplica(t *testing.T) {
	ctx := context.Background()
	primary, replica := pgtest.MustCreateDatabase(t), pgtest.MustCreateDatabase(t)
	r, err := postgres.Open(ctx, replica) // give the stand-in its schema
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	// Not a standby: refused with the reason (issue 14: --db-read accepted
	// any database, whose reads would never see the primary's writes).
	if _, err := postgres.OpenWithReplica(ctx, primary, replica); err == nil || !strings.Contains(err.Error(), "is not a standby") {
		t.Fatalf("a database that is not a standby was accepted as --db-read: %v", err)
	}
	// The primary itself as its own replica (issue 14 new-user check: it
	// started silently): refused, since it is not a standby.
	if _, err := postgres.OpenWithReplica(ctx, primary, primary); err == nil || !strings.Contains(err.Error(), "is not a standby") {
		t.Fatalf("the primary was accepted as its own --db-read: %v", err)
	}
	store, err := postgres.OpenWithReadPool(ctx, primary, replica, false)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// A list reads the replica; the look-up by name of what was just
	// created reads the primary (read-your-writes; token and session
	// look-ups too: TestSecurityAndLocationReadsUseThePrimary).
	if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "w", Query: json.RawMessage(`{}`), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if qs, err := store.ListNamedQueries(ctx, "", 10); err != nil || len(qs) != 0 {
		t.Errorf("list through the replica found the primary's row: %d, %v", len(qs), err)
	}
	if _, err := store.FindNamedQuery(ctx, "w"); err != nil {
		t.Errorf("look-up of the row just written: %v", err)
	}
	if _, err := postgres.OpenWithReplica(ctx, primary, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err == nil {
		t.Error("an unreachable replica was accepted")
	}
}
