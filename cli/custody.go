package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// errChainBroken makes verify commands exit non-zero after reporting.
type errChainBroken struct{ p *custody.Problem }

func (e errChainBroken) Error() string { return e.p.Error() }

func runKeygen(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "keygen", "keygen --out FILE")
	out := fs.String("out", "", "file for the private key (created, mode 0600; required)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out: required")
	}
	pub, err := custody.GenerateKey(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Ed25519 private key written to %s. Public key (give it to verifiers):\n%s\n", *out, pub)
	return nil
}

func runVerify(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "verify", "verify [--db DSN]")
	dsn := dbFlag(fs, env)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	store, err := OpenStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	rep, err := custody.VerifyStore(ctx, store)
	if err != nil {
		return err
	}
	el := time.Since(start)
	if rep.Problem != nil {
		return errChainBroken{rep.Problem}
	}
	rate := float64(rep.Records) / el.Seconds()
	fmt.Fprintf(env.Stdout, "ok: %d records and %d day roots verified in %s (%.0f records/s)\n", rep.Records, rep.Roots, el.Round(time.Millisecond), rate)
	return nil
}

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "export", "export --key FILE --out FILE [--from N] [--to N] [--lot ID] [--db DSN]")
	dsn := dbFlag(fs, env)
	keyFile := fs.String("key", "", "Ed25519 private key from critmin keygen (required)")
	out := fs.String("out", "", "bundle file to write (required)")
	from := fs.Int64("from", 1, "first record position")
	to := fs.Int64("to", 0, "last record position (default: the last)")
	lot := fs.String("lot", "", "export the run of records from a lot's first event to its last")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *keyFile == "" || *out == "" {
		return usagef("--key and --out are required")
	}
	key, err := custody.LoadPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	store, err := OpenStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	if *lot != "" {
		if *from, *to, err = lotRange(ctx, store, *lot); err != nil {
			return err
		}
	}
	b, err := custody.Export(ctx, store, *from, *to, key, time.Now())
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "exported records %d–%d (%d) with %d day roots to %s\n", b.FromSeq, b.ToSeq, len(b.Records), len(b.Roots), *out)
	return nil
}

// lotRange finds the chain positions of a lot's first and last events.
func lotRange(ctx context.Context, store critmin.Store, lot string) (int64, int64, error) {
	if _, err := store.FindLot(ctx, lot); err != nil {
		return 0, 0, err
	}
	page, err := store.FindEvents(ctx, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{lot}, Exact: true}}, OrderBy: "recordTime", OrderAscending: true, Limit: 10000})
	if err != nil {
		return 0, 0, err
	}
	var from, to int64
	err = store.ScanChain(ctx, func(r *critmin.ChainRecord) error {
		for _, e := range page.Events {
			if e.PK == r.PK {
				if from == 0 {
					from = r.Seq
				}
				to = r.Seq
			}
		}
		return nil
	})
	return from, to, err
}

func runVerifyBundle(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "verify-bundle", "verify-bundle --pubkey KEY FILE")
	pubkey := fs.String("pubkey", "", "the signer's Ed25519 public key, base64 or a file holding it (required)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 || *pubkey == "" {
		return usagef("verify-bundle: give --pubkey and one bundle file")
	}
	pub, err := custody.ParsePublicKey(*pubkey)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	rep, err := custody.VerifyBundle(data, pub)
	if err != nil {
		return err
	}
	if rep.Problem != nil {
		return errChainBroken{rep.Problem}
	}
	fmt.Fprintf(env.Stdout, "ok: signature valid; %d records and %d day roots verified\n", rep.Records, rep.Roots)
	return nil
}
