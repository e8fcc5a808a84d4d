package sqlite_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/sqlite"
)

// TestOpenScratchPages: the scratch store verify rebuilds into has 64 KiB
// pages and keeps a page cache of 256 MiB whatever the page size. The
// cache is given in KiB (cache_size -262144), so with 65,536-byte pages
// SQLite counts 262,144 × 1,024 / 65,536 = 4,096 pages. With the 4 KiB
// default the same cache is 65,536 pages and page_size reads 4,096.
func TestOpenScratchPages(t *testing.T) {
	ctx := context.Background()
	db, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	var size, cache int64
	if err := db.Write.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	if err := db.Write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		t.Fatal(err)
	}
	if size != 65536 || cache != -262144 {
		t.Fatalf("scratch page_size %d, cache_size %d; want 65536 and -262144 (256 MiB)", size, cache)
	}
}
