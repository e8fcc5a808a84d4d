package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/web"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "serve", "serve [--addr HOST:PORT] [--db DSN] [--demo] [--public-read] [--plan FILE]")
	addr := fs.String("addr", envOr(env, "CRITMIN_ADDR", "127.0.0.1:8080"), "listen address (env CRITMIN_ADDR)")
	dsn := dbFlag(fs, env)
	withDemo := fs.Bool("demo", envOr(env, "CRITMIN_DEMO", "") == "true", "load the demo corridor when the database is empty (env CRITMIN_DEMO=true)")
	publicRead := fs.Bool("public-read", envOr(env, "CRITMIN_PUBLIC_READ", "") == "true", "allow reads without a token (env CRITMIN_PUBLIC_READ=true)")
	keyFile := fs.String("signing-key", envOr(env, "CRITMIN_SIGNING_KEY", ""), "Ed25519 key that signs certificates (default: signing.key beside the SQLite file or in the data directory, created on first start; env CRITMIN_SIGNING_KEY)")
	rulesFile := fs.String("rules", envOr(env, "CRITMIN_RULES", ""), "rule pack applied to lots (default: the built-in pack; env CRITMIN_RULES)")
	planFile := fs.String("plan", envOr(env, "CRITMIN_PLAN", ""), "planning file for /plans (default: the demo corridor's; env CRITMIN_PLAN)")
	issuer := fs.String("issuer", envOr(env, "CRITMIN_ISSUER", "critmin"), "issuer name on certificates (env CRITMIN_ISSUER)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	logger := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	tuneGC(env)
	epcis.MustLoadSchemas()
	store, err := CreateStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := ledger.NewService(store)
	if *withDemo {
		loaded, err := demo.Load(ctx, svc)
		if err != nil {
			return err
		}
		if loaded {
			secret, err := createToken(ctx, store, "demo-admin", critmin.RoleAdmin)
			if err != nil {
				return err
			}
			logger.Info("demo corridor loaded; an admin token was created for it", slog.String("token", secret))
			fmt.Fprintf(env.Stdout, "Demo admin token (shown once): %s\n", secret)
		}
	}
	srv, err := critminhttp.NewServer(store, svc, logger, *publicRead)
	if err != nil {
		return err
	}
	if err := web.Mount(srv); err != nil {
		return err
	}
	if *keyFile == "" {
		dir := filepath.Dir(DefaultDB(env))
		if !postgres.IsDSN(*dsn) {
			dir = filepath.Dir(*dsn)
		}
		*keyFile = filepath.Join(dir, "signing.key")
	}
	if _, err := os.Stat(*keyFile); os.IsNotExist(err) {
		if err := os.MkdirAll(filepath.Dir(*keyFile), 0o755); err != nil {
			return err
		}
		pub, err := custody.GenerateKey(*keyFile)
		if err != nil {
			return err
		}
		logger.Info("created a certificate signing key", slog.String("file", *keyFile), slog.String("publicKey", pub))
	}
	key, err := custody.LoadPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	srv.SetSigningKey(key, *issuer)
	if *rulesFile != "" {
		b, err := os.ReadFile(*rulesFile)
		if err != nil {
			return err
		}
		pack, err := custody.ParsePack(b)
		if err != nil {
			return err
		}
		srv.SetRulePack(pack)
	}
	srv.SetPlanWorker(solveWorker(env))
	if *planFile != "" {
		n, err := loadNetwork(*planFile)
		if err != nil {
			return fmt.Errorf("--plan: %w", err)
		}
		srv.SetPlanNetwork(n)
	}
	if err := srv.Listen(*addr); err != nil {
		return err
	}
	logger.Info("critmin serving", slog.String("url", srv.URL()), slog.Bool("publicRead", *publicRead))
	fmt.Fprintf(env.Stdout, "critmin is serving on %s\n", srv.URL())
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// createToken makes a random secret, stores its hash and returns it.
func createToken(ctx context.Context, store critmin.TokenStore, name, role string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	secret := "cm_" + base64.RawURLEncoding.EncodeToString(b[:])
	t := &critmin.Token{Name: name, Role: role, Hash: critminhttp.HashToken(secret), CreatedAt: time.Now().UTC()}
	if err := store.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return secret, nil
}

func runToken(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(env.Stdout, "Usage: critmin token create --name NAME --role admin|operator|viewer [--db DSN]")
			return nil
		}
		return usagef("token: the only subcommand is create (critmin token create --name NAME --role ROLE)")
	}
	fs := flagSet(env, "token create", "token create --name NAME --role admin|operator|viewer [--db DSN]")
	dsn := dbFlag(fs, env)
	name := fs.String("name", "", "a name for the token, unique (required)")
	role := fs.String("role", "", "admin, operator (may capture) or viewer (read only) (required)")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if *name == "" {
		return usagef("--name: required")
	}
	if !critmin.ValidRole(*role) {
		return usagef("--role: %q is not admin, operator or viewer", *role)
	}
	store, err := OpenStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	secret, err := createToken(ctx, store, *name, *role)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Created %s token %q. Only its hash is stored; keep the secret now:\n%s\n", *role, *name, secret)
	return nil
}
