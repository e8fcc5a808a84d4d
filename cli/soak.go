package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/critmin/critmin/bench"
)

// runBenchSoak runs the kill -9 campaign.
// critmin bench soak [--cycles N] [--postgres ADMIN_DSN] [--loaders N] …
func runBenchSoak(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "bench soak", "bench soak [--cycles N] [--postgres ADMIN_DSN] [--dir DIR] [--loaders N] [--events N] [--min-up D] [--max-up D] [--seed N] [--binary PATH] [--progress]\n\nStarts critmin serve, captures continuously from --loaders clients, kills the\nserver with SIGKILL at a random moment, restarts and checks that every\nacknowledged event is stored, that no document is half stored, and that\nverify passes; --cycles times. Prints acknowledged, lost and partial counts\nand fails if any were lost or partial.")
	var cfg bench.SoakConfig
	fs.IntVar(&cfg.Cycles, "cycles", 30, "kill -9 cycles")
	fs.StringVar(&cfg.PostgresAdmin, "postgres", "", "run on a scratch database on this PostgreSQL server instead of SQLite")
	fs.StringVar(&cfg.Dir, "dir", "", "directory for the SQLite file and the signing key (default: temporary)")
	fs.IntVar(&cfg.Loaders, "loaders", 4, "concurrent capturing clients")
	fs.IntVar(&cfg.DocEvents, "events", 40, "events per captured document")
	fs.DurationVar(&cfg.MinUp, "min-up", time.Second, "shortest time the server runs before it is killed")
	fs.DurationVar(&cfg.MaxUp, "max-up", 4*time.Second, "longest time the server runs before it is killed")
	seed := fs.Uint64("seed", 1, "random seed (kill moments and documents)")
	binary := fs.String("binary", env.Executable, "critmin executable to run as the server (default: this one)")
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if cfg.Cycles < 1 || cfg.Loaders < 1 || cfg.DocEvents < 1 || cfg.MinUp <= 0 || cfg.MaxUp < cfg.MinUp {
		return usagef("--cycles, --loaders and --events must be positive and 0 < --min-up ≤ --max-up")
	}
	if *binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return usagef("--binary: give the critmin executable to run")
		}
		*binary = exe
	}
	cfg.Binary, cfg.Seed = *binary, *seed
	ctx, cfg.Progress = startProgress(ctx, env, *showProgress, "bench soak")
	r, err := bench.Soak(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backend=%s cycles=%d documents=%d acknowledged_events=%d unacknowledged_events=%d stored_events=%d lost=%d partial=%d verify_failures=%d\n",
		r.Backend, r.Cycles, r.Documents, r.Acknowledged, r.Unacknowledged, r.Events, r.Lost, r.Partial, r.VerifyFailures)
	if r.Lost > 0 || r.Partial > 0 || r.VerifyFailures > 0 {
		return fmt.Errorf("soak: %d acknowledged events lost, %d documents partly stored, %d verify failures", r.Lost, r.Partial, r.VerifyFailures)
	}
	return nil
}
