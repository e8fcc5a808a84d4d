package bench_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/bench"
)

// A soak campaign given a --dir that holds an earlier campaign's database
// is refused before anything runs, naming --dir, the files there and what
// to do (it failed with 'a token named "soak" exists'); other files in
// the directory do not matter.
func TestSoakRefusesDirOfEarlierCampaign(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"soak.db", "soak.db.signing.key", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := bench.SoakConfig{Binary: "/nonexistent/critmin", Dir: dir, Cycles: 1, Loaders: 1, DocEvents: 1, MinUp: time.Millisecond, MaxUp: time.Millisecond}
	_, err := bench.Soak(context.Background(), cfg)
	msg := critmin.ErrorText(err)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(msg, "--dir") || !strings.Contains(msg, "soak.db, soak.db.signing.key") || !strings.Contains(msg, "remove those files") || strings.Contains(msg, "notes.txt") {
		t.Errorf("reused --dir: %v", err)
	}
}
