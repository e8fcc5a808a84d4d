package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqlite"
)

// TestTokenNamesUniqueIgnoringCase (issue 14, fix14 item 6): "Alice" and
// "alice" could both be created. A name that differs from an existing
// one only in case (ASCII or not: "ÉLODIE" beside "élodie") is refused,
// ECONFLICT naming the field and the name it clashes with, and nothing
// is stored; a store made before the rule that holds such names keeps
// every one after migration 0064, and TokenNameClashes lists the later
// ones.
func TestTokenNamesUniqueIgnoringCase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "critmin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	create := func(name, hash string) error {
		return db.CreateToken(ctx, &critmin.Token{Name: name, Role: critmin.RoleViewer, Hash: hash, CreatedAt: now})
	}
	if err := create("alice", "h1"); err != nil {
		t.Fatal(err)
	}
	if err := create("élodie", "h2"); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Alice", "ALICE", "ÉLODIE", "alice"} {
		err := create(name, "hx"+name)
		fe := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || (name != "alice" && (len(fe) != 1 || fe[0].Pointer != "name")) {
			t.Errorf("%d %q: %v %+v; want a conflict naming the field", i, name, err, fe)
		}
	}
	if toks, err := db.ListTokens(ctx); err != nil || len(toks) != 2 {
		t.Fatalf("%d tokens stored (%v); want 2: a refused create stores nothing", len(toks), err)
	}
	// Back to the schema before 0064, with case-variant names written then.
	for _, q := range []string{
		`DROP INDEX tokens_name_fold`,
		`ALTER TABLE tokens DROP COLUMN name_key`,
		`ALTER TABLE capture_jobs DROP COLUMN errors_omitted`,
		`INSERT INTO tokens (name, role, hash, created_us) VALUES ('Alice', 'viewer', 'h3', 1), ('ALICE', 'admin', 'h4', 2), ('bob', 'viewer', 'h5', 3)`,
		`DELETE FROM schema_migrations WHERE version = 64`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	toks, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tk := range toks {
		names = append(names, tk.Name)
	}
	slices.Sort(names)
	if want := []string{"ALICE", "Alice", "alice", "bob", "élodie"}; !slices.Equal(names, want) {
		t.Errorf("tokens after migration %q; want every one kept %q", names, want)
	}
	clashes, err := db.TokenNameClashes(ctx)
	if want := []string{`"Alice" (id 3) clashes with "alice"`, `"ALICE" (id 4) clashes with "alice"`}; err != nil || !slices.Equal(clashes, want) {
		t.Errorf("clashes %q (%v); want %q", clashes, err, want)
	}
	// critmin verify reports them (a warning beside its checks).
	if rep, err := db.Verify(ctx, nil, nil); err != nil || len(rep.TokenNameClashes) != 2 {
		t.Errorf("verify: clashes %q (%v); want the 2", rep.TokenNameClashes, err)
	}
	if err := create("bOB", "h6"); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("bOB after migration: %v; want a conflict with bob", err)
	}
	if err := create("carol", "h7"); err != nil {
		t.Errorf("carol: %v", err)
	}
}
