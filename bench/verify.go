package bench

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/sqlite"
)

// VerifyResult is what `critmin bench verify` reports.
type VerifyResult struct {
	Backend     string
	Events      int64
	LoadSeconds float64
	// ChainSeconds is the chain, audit chain and log check alone;
	// FullSeconds the whole verify including the rebuild of every derived
	// table into a scratch SQLite store and the row-by-row comparison.
	ChainSeconds, FullSeconds float64
	Rows                      int64
	Tables                    int
	// ChainCPU and FullCPU are the process's CPU seconds (user + system)
	// for the same two runs: on a shared machine, a rate per CPU second
	// says more than one per wall second.
	ChainCPU, FullCPU float64
}

// cpuSeconds is the process's CPU time so far (getrusage).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// Verify loads cfg.Events generated corridor events through the capture
// service (documents of cfg.Batch events, in process) and times
// `critmin verify` over them: once without the rebuild, once with it.
func Verify(ctx context.Context, cfg Config) (*VerifyResult, error) {
	cfg.defaults()
	epcis.MustLoadSchemas()
	store, backend, cleanup, err := openStore(ctx, &cfg, "verify")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	_, loadSeconds, err := load(ctx, cfg, store)
	if err != nil {
		return nil, err
	}
	res := &VerifyResult{Backend: backend, LoadSeconds: loadSeconds}
	t0, c0 := time.Now(), cpuSeconds()
	rep, err := store.Verify(ctx, nil, nil)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("bench: verify found %v", rep.Problem)
	}
	res.ChainSeconds, res.ChainCPU = time.Since(t0).Seconds(), cpuSeconds()-c0
	fmt.Fprintf(cfg.Progress, "chain, audit and log of %d records checked in %.1f s; rebuilding\n", rep.Records, res.ChainSeconds)
	scratch, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		return nil, err
	}
	defer closeScratch()
	t0, c0 = time.Now(), cpuSeconds()
	rep, err = store.Verify(ctx, scratch, nil)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("bench: verify found %v %v", rep.Problem, rep.Difference)
	}
	res.FullSeconds, res.FullCPU = time.Since(t0).Seconds(), cpuSeconds()-c0
	res.Events, res.Rows, res.Tables = rep.Records, rep.Rebuild.Rows, rep.Rebuild.Tables
	return res, nil
}
