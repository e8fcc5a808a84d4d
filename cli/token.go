package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
)

const tokenUsage = `Usage: critmin token create|list|revoke [flags]

  token create --name NAME --role admin|operator|viewer [--expires 720h | --expires-at TIME]
               prints a new API token as the last line; only its SHA-256 is stored
  token list   names, roles, creation, expiry, revocation and last use (never secrets)
  token revoke NAME
               revokes a token and ends its browser sessions`

// runToken manages API tokens. critmin token create|list|revoke
func runToken(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("token: give a subcommand: create, list or revoke")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, tokenUsage)
		return nil
	case "create":
		return runTokenCreate(ctx, env, args[1:])
	case "list":
		return runTokenList(ctx, env, args[1:])
	case "revoke":
		return runTokenRevoke(ctx, env, args[1:])
	}
	return usagef("token: unknown subcommand %q; use create, list or revoke", args[0])
}

func runTokenCreate(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "token create", "token create --name NAME --role admin|operator|viewer [--expires DURATION | --expires-at TIME] [--db DSN]")
	dsn := dbFlag(fs, env)
	name := fs.String("name", "", "a name for the token, unique (required)")
	role := fs.String("role", "", "admin, operator (may capture) or viewer (read only) (required)")
	expires := fs.String("expires", "", "lifetime, e.g. 720h (default: no expiry)")
	expiresAt := fs.String("expires-at", "", "expiry as an RFC 3339 time")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *name == "" {
		return usagef("--name is required (a name for the token, unique)")
	}
	// A flag left out is said to be required, not refused as a bad empty
	// value (nu39c: `--role: "" is not admin, operator or viewer`).
	if *role == "" {
		return usagef("--role is required (admin, operator or viewer)")
	}
	if !critmin.ValidRole(*role) {
		return usagef("--role: %q is not admin, operator or viewer", *role)
	}
	now := time.Now()
	exp, err := critminhttp.ParseExpiry(*expiresAt, *expires, now)
	if err != nil {
		// Named as the flag was typed: expires_in is --expires, expires_at
		// --expires-at.
		flagName := map[string]string{"expires_in": "--expires", "expires_at": "--expires-at"}
		var e *critmin.Error
		if errors.As(err, &e) && len(e.Fields) == 1 && flagName[e.Fields[0].Pointer] != "" {
			reason := strings.NewReplacer("expires_at or expires_in", "--expires-at or --expires", "expiry out", "--expires out").Replace(e.Fields[0].Reason)
			// A value out of range is refused with its reason, not
			// sent to the usage, which does not explain it (fix14p);
			// one that is not a duration or a time at all ("3days") is
			// a fault of the command line's form, and points to the
			// usage as other bad flags do (new-user finding nu37b-6).
			if strings.Contains(reason, "is not a duration") || strings.HasPrefix(reason, "not an RFC 3339 time") {
				return usagef("%s: %s", flagName[e.Fields[0].Pointer], reason)
			}
			return refusef("%s: %s", flagName[e.Fields[0].Pointer], reason)
		}
		return refusef("%s", critmin.ErrorMessage(err))
	}
	store, err := OpenStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	secret, t, err := critmin.IssueToken(ctx, store, *name, *role, exp, now)
	if err != nil {
		return refuseNamed(err)
	}
	until := "does not expire"
	if !t.ExpiresAt.IsZero() {
		until = "expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(env.Stdout, "Created %s token %q (%s). Only its hash is stored; keep the secret now:\n%s\n", *role, *name, until, secret)
	return nil
}

func runTokenList(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "token list", "token list [--db DSN]")
	dsn := dbFlag(fs, env)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	store, err := OpenStoreReadOnly(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	toks, err := store.ListTokens(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATUS\tCREATED\tEXPIRES\tLAST USED")
	stamp := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	for _, t := range toks {
		v := critminhttp.ViewToken(t, now)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", critmin.DisplayName(v.Name), v.Role, v.Status, stamp(&v.Created), stamp(v.ExpiresAt), stamp(v.LastUsed))
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "token revoke", "token revoke [--db DSN] NAME")
	dsn := dbFlag(fs, env)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("token revoke takes one token NAME")
	}
	store, err := OpenStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	t, err := store.RevokeToken(ctx, fs.Arg(0), time.Now())
	if err != nil {
		return refuseNamed(err)
	}
	fmt.Fprintf(env.Stdout, "revoked token %s; its sessions are ended\n", strconv.QuoteToGraphic(t.Name))
	return nil
}
