package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/units"
)

// runBenchSoak runs the kill -9 campaign.
// critmin bench soak [--cycles N] [--postgres ADMIN_DSN] [--loaders N] …
func runBenchSoak(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "bench soak", "bench soak [--cycles N] [--postgres ADMIN_DSN] [--dir DIR] [--loaders N] [--events N] [--min-up D] [--max-up D] [--seed N] [--binary PATH] [--progress]\n\nStarts critmin serve, captures continuously from --loaders clients, kills the\nserver with SIGKILL at a random moment, restarts and checks that every\nacknowledged event is stored, that no document is half stored, and that\nverify passes; --cycles times. Prints acknowledged, lost and partial counts\nand fails if any were lost or partial.")
	var cfg bench.SoakConfig
	fs.IntVar(&cfg.Cycles, "cycles", 30, "kill -9 cycles")
	fs.StringVar(&cfg.PostgresAdmin, "postgres", "", "run on a scratch database on this PostgreSQL server instead of SQLite")
	fs.StringVar(&cfg.DBPrefix, "db-prefix", "critmin_soak_", "with --postgres: the scratch database's name is this prefix and 12 random hex digits (a lower-case letter or _, then lower-case letters, digits and _; at most 51 bytes)")
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
	switch max := ledger.DefaultLimits.MaxEvents; {
	case cfg.Cycles < 1:
		return usagef("--cycles %d: give 1 or more kill -9 cycles", cfg.Cycles)
	case cfg.Loaders < 1:
		return usagef("--loaders %d: give 1 or more capturing clients", cfg.Loaders)
	case cfg.DocEvents < 1:
		return usagef("--events %d: give 1 or more events per document", cfg.DocEvents)
	case cfg.DocEvents > max:
		// Every document would be refused (413) and nothing acknowledged.
		return usagef("--events %d: over the capture limit of %s events per document (GS1-EPCIS-Capture-Limit); give at most %d", cfg.DocEvents, units.Int(max), max)
	// Durations in words ("2 s", "1 min"), not Go's "1m0s" (fix14q).
	case cfg.MinUp <= 0:
		return usagef("--min-up %s: give a duration above 0 (such as 1s)", durationWords(cfg.MinUp))
	case cfg.MaxUp < cfg.MinUp:
		return usagef("--min-up %s is above --max-up %s: give --max-up at least --min-up", durationWords(cfg.MinUp), durationWords(cfg.MaxUp))
	case cfg.PostgresAdmin != "" && !postgres.IsDSN(cfg.PostgresAdmin):
		return usagef("--postgres %s: not a PostgreSQL URL; give the admin database of a PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres); leave it out to run on SQLite", cfg.PostgresAdmin)
	}
	if err := checkDBPrefix(fs, cfg.PostgresAdmin != "", cfg.DBPrefix); err != nil {
		return err
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
	fmt.Fprintf(env.Stdout, "backend=%s cycles=%d documents=%d acknowledged_events=%d unacknowledged_events=%d stored_events=%d lost=%d partial=%d verify_failures=%d refused_documents=%d\n",
		r.Backend, r.Cycles, r.Documents, r.Acknowledged, r.Unacknowledged, r.Events, r.Lost, r.Partial, r.VerifyFailures, r.Refused)
	return soakOutcome(r)
}

// soakOutcome is the campaign's verdict: it fails when an acknowledged
// event was lost, a document partly stored or verify failed — and also
// when no event was acknowledged or a capture was refused with a 4xx,
// since 0 lost of nothing acknowledged proves nothing.
func soakOutcome(r *bench.SoakResult) error {
	if r.Lost > 0 || r.Partial > 0 || r.VerifyFailures > 0 {
		return fmt.Errorf("soak: %d acknowledged events lost, %d documents partly stored, %d verify failures", r.Lost, r.Partial, r.VerifyFailures)
	}
	if r.Refused > 0 {
		return fmt.Errorf("soak: the server refused %s of %s documents (the first: %s); the campaign tests nothing it refuses", units.Int(r.Refused), units.Int(r.Documents), r.FirstRefusal)
	}
	if r.Acknowledged == 0 {
		return fmt.Errorf("soak: no event was acknowledged in %d documents sent; give longer --min-up/--max-up so the server accepts captures before it is killed", r.Documents)
	}
	return nil
}

// checkDBPrefix refuses a --db-prefix that would not make, with the 12 hex
// digits after it, an unquoted PostgreSQL database name (a letter or _,
// then letters, digits and _; at most 63 bytes, NAMEDATALEN−1), or that
// is given without --postgres. Upper case is refused: an unquoted name is
// folded to lower case.
func checkDBPrefix(fs *flag.FlagSet, postgres bool, prefix string) error {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "db-prefix" })
	if !given {
		return nil
	}
	const most = 63 - 12
	switch {
	case !postgres:
		return usagef("--db-prefix %q: names the scratch PostgreSQL database; give it with --postgres", prefix)
	case prefix == "":
		return usagef("--db-prefix: empty; give a prefix such as critmin_soak_")
	case len(prefix) > most:
		return usagef("--db-prefix %q: %d bytes; at most %d (PostgreSQL names are at most 63 bytes, and 12 hex digits follow)", prefix, len(prefix), most)
	case !(prefix[0] == '_' || prefix[0] >= 'a' && prefix[0] <= 'z'):
		return usagef("--db-prefix %q: must begin with a lower-case letter or _ (an unquoted PostgreSQL name)", prefix)
	}
	for _, r := range prefix {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return usagef("--db-prefix %q: %q is not allowed; use lower-case letters, digits and _", prefix, string(r))
		}
	}
	return nil
}
