package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testTokenNamesIgnoreCase (fix14 item 6): a token name that differs
// from an existing one only in case is refused ECONFLICT naming the
// field, and nothing is stored — on every backend (PostgreSQL's index is
// what decides between two concurrent creates).
func testTokenNamesIgnoreCase(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.CreateToken(ctx, &critmin.Token{Name: "Alice", Role: critmin.RoleViewer, Hash: "case-h1", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"alice", "ALICE", "aLiCe"} {
		err := s.CreateToken(ctx, &critmin.Token{Name: name, Role: critmin.RoleAdmin, Hash: "case-" + name, CreatedAt: now})
		if fe := critmin.ErrorFields(err); critmin.ErrorCode(err) != critmin.ECONFLICT || len(fe) != 1 || fe[0].Pointer != "name" {
			t.Errorf("%q beside Alice: %v; want a conflict naming the field", name, err)
		}
	}
	toks, err := s.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tk := range toks {
		if critmin.TokenNameKey(tk.Name) == critmin.TokenNameKey("alice") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d tokens named alice in some case; want 1", n)
	}
}
