package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
	"github.com/critmin/critmin/storetest/unchecked"
)

// TestLotShowLateMaker (issue 8 §2, fixMm): a store written before
// capture refused it holds storetest.LateMakerDocuments — lot
// urn:t:lot:L's commissioning declared in error and its corrective dated
// 2025-10-10, after run urn:t:ii:r1 drew on L on 2025-10-05. `critmin lot
// show` and `lot certificate` fail naming both events, as the lot API
// answers 410 — never L in stock with 10 t.
func TestLotShowLateMaker(t *testing.T) {
	db := uncheckedStore(t, storetest.LateMakerDocuments)
	env := map[string]string{"CRITMIN_DB": db}
	for _, sub := range []string{"show", "certificate"} {
		out, _, err := run(t, env, "lot", sub, "urn:t:lot:L")
		if err == nil {
			t.Errorf("lot %s of L, made after a run drew on it: no error; printed %q", sub, out)
			continue
		}
		for _, want := range []string{"is not in the record", "urn:t:ii:cc", "2025-10-10", "urn:t:ii:r1", "2025-10-05"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("lot %s: error %q does not name %q", sub, err, want)
			}
		}
	}
}

// uncheckedStore is a new SQLite store holding docs as a store from
// before capture's checks holds them (unchecked.MustStore, one minute
// apart from 1 November 2025), closed; it returns its path.
func uncheckedStore(t *testing.T, docs []string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "t.db")
	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range docs {
		unchecked.MustStore(t, s, d, now.Add(time.Duration(i)*time.Minute))
	}
	s.Close()
	return db
}
