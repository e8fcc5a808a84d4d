package bench

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/sqlite"
)

func TestZZProfileVerify(t *testing.T) {
	path := os.Getenv("ZZDB")
	if path == "" {
		t.Skip()
	}
	epcis.MustLoadSchemas()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, _ := os.Create(os.Getenv("ZZPROF"))
	scratch, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	t0, c0 := time.Now(), cpuSeconds()
	pprof.StartCPUProfile(f)
	rep, err := db.Verify(ctx, scratch, nil)
	pprof.StopCPUProfile()
	if err != nil || !rep.OK() {
		t.Fatal(err, rep.Problem, rep.Difference)
	}
	el, cpu := time.Since(t0).Seconds(), cpuSeconds()-c0
	t.Logf("records %d wall %.2fs cpu %.2fs: %.0f ev/s, %.0f ev/CPU-s", rep.Records, el, cpu, float64(rep.Records)/el, float64(rep.Records)/cpu)
}
