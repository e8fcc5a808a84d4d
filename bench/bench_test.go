package bench_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestGeneratorIsValidAndReproducible checks that generated documents are
// accepted whole and that a seed gives the same document twice.
func TestGeneratorIsValidAndReproducible(t *testing.T) {
	a, b := bench.NewGenerator(7).Document(100), bench.NewGenerator(7).Document(100)
	if string(a) != string(b) {
		t.Fatal("same seed, different documents")
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	job, err := ledger.NewService(db).Capture(context.Background(), ledger.CaptureRequest{Body: a})
	if err != nil || job.Stored != 100 {
		t.Fatalf("capture of generated document: %v, %+v", err, job)
	}
	// 100 events = 12 whole lots of 8 events and 4 events of the 13th.
	lot, err := db.FindLot(context.Background(), bench.LotID(0))
	if err != nil || lot.Status != "consumed" || len(lot.Assays) != 1 || lot.OriginCountry != "PAK" {
		t.Errorf("first generated lot: %+v, %v", lot, err)
	}
}

// BenchmarkCaptureService measures the capture path without HTTP: decode,
// validate, project and store one 1,000-event document per iteration.
func BenchmarkCaptureService(b *testing.B) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := ledger.NewService(db)
	gen := bench.NewGenerator(1)
	docs := make([][]byte, b.N)
	for i := range docs {
		docs[i] = gen.Document(1000)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: docs[i]}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}
