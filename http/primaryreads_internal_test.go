package http

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqlite"
)

// TestPrimaryReadRoutesAreRegistered (fix14o item 2): every look-up by
// ID that reads the primary (primaryReadRoutes) is a registered route, so
// a renamed route cannot silently fall back to the replica.
func TestPrimaryReadRoutesAreRegistered(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := NewServer(store, custody.NewService(store), slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, p := range srv.Routes() {
		registered[p] = true
	}
	for p := range primaryReadRoutes {
		if !registered[p] {
			t.Errorf("primaryReadRoutes names %q, which is not a registered route", p)
		}
	}
}
