package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// fakeClock is a settable clock for the token and session cache.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestAuthCacheRevocation (issue 11 §7): token and session look-ups are
// served from memory for sqldb.AuthCacheTTL. Through the handle that
// revokes (or signs out), the change is seen at once; through a second
// handle on the same database — another process — only once the cached
// entry is AuthCacheTTL old, never later. A token created elsewhere is
// found at once (unknown secrets are never cached), and a cached
// session's expiry is still checked at each look-up.
func TestAuthCacheRevocation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "auth.db")
	open := func() *sqldb.DB {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	clock := &fakeClock{t: time.Now()}
	a.SetAuthClock(clock.now)
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

	// Unknown, then created through b: a finds it at once.
	if _, err := a.FindTokenByHash(ctx, "h1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("unknown token: %v, want ENOTFOUND", err)
	}
	// "keeper" stays active: the last active admin token cannot be revoked
	// (storetest LastAdminRevoke), and this test revokes one and two.
	for _, name := range []string{"one", "two", "keeper"} {
		if err := b.CreateToken(ctx, &critmin.Token{Name: name, Role: critmin.RoleAdmin, Hash: "h-" + name, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := a.FindTokenByHash(ctx, "h-one")
	if err != nil || !tok.RevokedAt.IsZero() {
		t.Fatalf("token created by another handle: %+v, %v", tok, err)
	}

	// Revoked through a itself: seen by a at once.
	if _, err := a.RevokeToken(ctx, "one", now); err != nil {
		t.Fatal(err)
	}
	if tok, err := a.FindTokenByHash(ctx, "h-one"); err != nil || tok.RevokedAt.IsZero() {
		t.Fatalf("after revoking through this handle: %+v, %v; want revoked", tok, err)
	}

	// Cached by a, revoked through b: a may answer from memory until the
	// entry is AuthCacheTTL old, and reads the store from then on.
	if _, err := a.FindTokenByHash(ctx, "h-two"); err != nil {
		t.Fatal(err)
	}
	sess := &critmin.Session{IDHash: "s-two", TokenID: tok.ID + 1, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := b.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.FindSession(ctx, "s-two", now); err != nil {
		t.Fatalf("session: %v", err)
	}
	if _, err := b.RevokeToken(ctx, "two", now); err != nil {
		t.Fatal(err)
	}
	clock.add(sqldb.AuthCacheTTL)
	if tok, err := a.FindTokenByHash(ctx, "h-two"); err != nil || tok.RevokedAt.IsZero() {
		t.Fatalf("%v after revocation through another handle: %+v, %v; want revoked", sqldb.AuthCacheTTL, tok, err)
	}
	if _, _, err := a.FindSession(ctx, "s-two", now); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("%v after the token's revocation ended its sessions elsewhere: %v, want ENOTFOUND", sqldb.AuthCacheTTL, err)
	}

	// A cached session expires on time, and signing out through a ends
	// it at once.
	if err := a.CreateToken(ctx, &critmin.Token{Name: "three", Role: critmin.RoleAdmin, Hash: "h-three", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	three, err := a.FindTokenByHash(ctx, "h-three")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"s-a", "s-b"} {
		if err := a.CreateSession(ctx, &critmin.Session{IDHash: id, TokenID: three.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.FindSession(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := a.FindSession(ctx, "s-a", now.Add(time.Hour)); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("cached session looked up at its expiry: %v, want ENOTFOUND", err)
	}
	if err := a.DeleteSession(ctx, "s-b"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.FindSession(ctx, "s-b", now); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("after signing out through this handle: %v, want ENOTFOUND", err)
	}
}
