package ledger_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// FuzzCapture captures arbitrary documents into one SQLite store under
// rollback. Capture must never panic, and a refused document must store
// nothing: the event count is the same before and after it.
func FuzzCapture(f *testing.F) {
	for _, p := range []string{"../testdata/epcis/examples/*.jsonld", "../testdata/cases/*.jsonld", "../demo/corridor/*.jsonld"} {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	svc := ledger.NewService(store)
	f.Fuzz(func(t *testing.T, body []byte) {
		before, err := store.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		job, err := svc.Capture(ctx, ledger.CaptureRequest{Body: body, Behaviour: critmin.BehaviourRollback})
		after, cerr := store.CountEvents(ctx)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if err != nil && after != before {
			t.Fatalf("refused capture (%v) changed the event count from %d to %d", err, before, after)
		}
		if err == nil && job == nil {
			t.Fatal("capture returned neither a job nor an error")
		}
	})
}
