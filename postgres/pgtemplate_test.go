package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqldb"
)

// TestTemplateCopySameSchema: the store pgtest.MustOpen gives a test
// under pgtest.Main (a copy of one migrated template database) holds
// exactly the tables, columns, indexes and migration versions of a store
// postgres.Open migrates itself on an empty database. Before pgtest.Main
// every store was migrated afresh and there was no copy to compare.
func TestTemplateCopySameSchema(t *testing.T) {
	ctx := context.Background()
	schema := func(db *sqldb.DB) string {
		t.Helper()
		var b strings.Builder
		for _, q := range []string{
			`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
			`SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`,
			`SELECT version || ' ' || name FROM schema_migrations ORDER BY version`,
		} {
			rows, err := db.Write.QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				b.WriteString(s + "\n")
			}
			rows.Close()
		}
		return b.String()
	}
	fresh, err := postgres.Open(ctx, pgtest.MustCreateDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	want := schema(fresh)
	if !strings.Contains(want, "112 0112_replay_parties_runs.sql") {
		t.Fatalf("the migrated store lacks the last migration:\n%s", want)
	}
	for range 2 {
		if got := schema(pgtest.MustOpen(t)); got != want {
			t.Errorf("a copied store's schema:\n%s\nwant the migrated store's:\n%s", got, want)
		}
	}
}
