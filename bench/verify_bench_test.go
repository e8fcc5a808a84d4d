package bench_test

import (
	"context"
	"flag"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

var verifyEvents = flag.Int("verify-events", 20000, "events in BenchmarkVerifyRebuild's store (a multiple of 1,000)")

// BenchmarkVerifyRebuild times verify with the rebuild of every derived
// table (sqldb.DB.Verify with a scratch store) over a SQLite store of
// -verify-events generated events, in process, so that a CPU profile
// holds the verify alone (the store is built before the timer starts):
//
//	go test -run X -bench VerifyRebuild -benchtime 3x -verify-events 100000 -cpuprofile cpu.prof ./bench/
//
// It reports events/s and events per CPU-second (user + system time of
// the process, getrusage): on a shared machine the second is the one to
// compare.
func BenchmarkVerifyRebuild(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "v.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc, gen := ledger.NewService(db), bench.NewGenerator(1)
	n := *verifyEvents / 1000 * 1000
	for i := 0; i < n/1000; i++ {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: gen.Document(1000)}); err != nil {
			b.Fatal(err)
		}
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		scratch, closeScratch, err := sqlite.OpenScratch(ctx)
		if err != nil {
			b.Fatal(err)
		}
		c0 := cpuTime()
		b.StartTimer()
		rep, err := db.Verify(ctx, scratch, nil)
		b.StopTimer()
		cpu += cpuTime() - c0
		if err != nil {
			b.Fatal(err)
		}
		if !rep.OK() || rep.Records != int64(n) {
			b.Fatalf("verify of %d events: %d records, %v %v", n, rep.Records, rep.Problem, rep.Difference)
		}
		if err := closeScratch(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.N*n)/cpu.Seconds(), "events/CPU-s")
}

// cpuTime is the process's CPU time so far (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
