package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testTokenLifecycle: expiry is kept, use is recorded at most once a
// minute, revocation (by the name in any letter case) is kept and ends
// the token's sessions, and a second revocation is a conflict.
func testTokenLifecycle(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	exp := now.Add(30 * 24 * time.Hour)
	tok := &critmin.Token{Name: "port", Role: critmin.RoleOperator, Hash: "h-port", CreatedAt: now, ExpiresAt: exp}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindTokenByHash(ctx, "h-port")
	if err != nil || !got.ExpiresAt.Equal(exp) || !got.RevokedAt.IsZero() || !got.LastUsedAt.IsZero() {
		t.Fatalf("FindTokenByHash = %+v, %v", got, err)
	}
	if err := s.TouchToken(ctx, tok.ID, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Thirty seconds later is within the minute: not recorded.
	if err := s.TouchToken(ctx, tok.ID, now.Add(time.Hour+30*time.Second)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindTokenByHash(ctx, "h-port")
	if !got.LastUsedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("last used %v, want %v", got.LastUsedAt, now.Add(time.Hour))
	}
	sess := &critmin.Session{IDHash: "sess-1", TokenID: tok.ID, CreatedAt: now, ExpiresAt: now.Add(12 * time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, st, err := s.FindSession(ctx, "sess-1", now.Add(time.Hour)); err != nil || st.Name != "port" {
		t.Fatalf("FindSession = %v, %v", st, err)
	}
	if _, _, err := s.FindSession(ctx, "sess-1", now.Add(13*time.Hour)); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("expired session: %v, want ENOTFOUND", err)
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "port" {
		t.Fatalf("ListTokens = %v, %v", list, err)
	}
	// Names are unique ignoring case, so "PORT" names the token "port"
	// for revocation as for creation.
	rev, err := s.RevokeToken(ctx, "PORT", now.Add(2*time.Hour))
	if err != nil || !rev.RevokedAt.Equal(now.Add(2*time.Hour)) || rev.Name != "port" {
		t.Fatalf("RevokeToken = %+v, %v", rev, err)
	}
	if _, _, err := s.FindSession(ctx, "sess-1", now.Add(3*time.Hour)); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("session of a revoked token: %v, want ENOTFOUND", err)
	}
	if ok, why := rev.Usable(now.Add(3 * time.Hour)); ok || why != "revoked" {
		t.Errorf("Usable after revocation = %v %q", ok, why)
	}
	if _, err := s.RevokeToken(ctx, "port", now.Add(3*time.Hour)); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("second revocation: %v, want ECONFLICT", err)
	}
	if _, err := s.RevokeToken(ctx, "nobody", now); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("revoke unknown: %v, want ENOTFOUND", err)
	}
	if err := s.DeleteSession(ctx, "no-such-session"); err != nil {
		t.Errorf("deleting a missing session: %v", err)
	}
}

// testLastAdminRevoke (issue 14, new-user check: the only admin token
// revoked itself, and then nobody could administer): revoking the last
// active admin token is a conflict naming the reason; an expired or
// revoked admin token does not count as another.
func testLastAdminRevoke(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for _, tok := range []*critmin.Token{
		{Name: "root", Role: critmin.RoleAdmin, Hash: "h-root", CreatedAt: now},
		{Name: "lapsed", Role: critmin.RoleAdmin, Hash: "h-lapsed", CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Hour)},
		{Name: "op", Role: critmin.RoleOperator, Hash: "h-op", CreatedAt: now},
	} {
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.RevokeToken(ctx, "root", now)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(fmt.Sprint(err), "last active admin token") {
		t.Fatalf("revoking the only active admin: %v (code %q), want a conflict naming the last active admin token", err, critmin.ErrorCode(err))
	}
	if _, err := s.RevokeToken(ctx, "op", now); err != nil {
		t.Fatalf("revoking an operator: %v", err)
	}
	if err := s.CreateToken(ctx, &critmin.Token{Name: "second", Role: critmin.RoleAdmin, Hash: "h-second", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeToken(ctx, "root", now); err != nil {
		t.Fatalf("revoking one of two admins: %v", err)
	}
	if _, err := s.RevokeToken(ctx, "second", now); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("revoking the admin left: %v, want a conflict", err)
	}
	// The lapsed admin may be revoked: it administers nothing.
	if _, err := s.RevokeToken(ctx, "lapsed", now); err != nil {
		t.Fatalf("revoking an expired admin: %v", err)
	}
}
