package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/risk"
	"github.com/critmin/critmin/solver"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/web"
)

func runServe(ctx context.Context, env *Env, args []string) (err error) {
	fs := argsFlagSet(env, "serve", "serve [--addr HOST:PORT] [--db DSN] [--db-read DSN] [--demo] [--public-read] [--plan FILE] [--rules FILE] [--signing-key FILE] [--issuer NAME] [--gcp-lengths FILE] [--trusted-proxy CIDR[,CIDR]] [--force] [--stockpile-running N] [--stockpile-queue N] [--stockpile-wait D]")
	addr := fs.String("addr", envOr(env, "CRITMIN_ADDR", "127.0.0.1:8080"), "listen address (env CRITMIN_ADDR)")
	dsn := dbFlag(fs, env)
	withDemo := fs.Bool("demo", envOr(env, "CRITMIN_DEMO", "") == "true", "load the demo corridor when the database is empty (env CRITMIN_DEMO=true)")
	force := fs.Bool("force", false, "migrate a database that holds another program's tables (no schema_migrations), adding critmin's beside them")
	publicRead := fs.Bool("public-read", envOr(env, "CRITMIN_PUBLIC_READ", "") == "true", "allow reads without a token (env CRITMIN_PUBLIC_READ=true)")
	keyFile := fs.String("signing-key", envOr(env, "CRITMIN_SIGNING_KEY", ""), "Ed25519 key that signs certificates (default: DB.signing.key beside the SQLite file DB, or postgres-NAME.signing.key in the data directory for a PostgreSQL database NAME, created on first start; env CRITMIN_SIGNING_KEY)")
	rulesFile := fs.String("rules", envOr(env, "CRITMIN_RULES", ""), "rule pack applied to lots (default: the built-in pack; env CRITMIN_RULES)")
	planFile := fs.String("plan", envOr(env, "CRITMIN_PLAN", ""), "planning file for /plans (default: the demo corridor's; env CRITMIN_PLAN)")
	issuer := fs.String("issuer", envOr(env, "CRITMIN_ISSUER", "critmin"), "issuer name on certificates (env CRITMIN_ISSUER)")
	readDSN := fs.String("db-read", envOr(env, "CRITMIN_DB_READ", ""), "PostgreSQL streaming replica for queries and lists (they lag the primary by the replica's replay delay; token, session and by-ID look-ups read the primary; env CRITMIN_DB_READ)")
	trustedProxy := fs.String("trusted-proxy", envOr(env, "CRITMIN_TRUSTED_PROXY", ""), "CIDR[,CIDR]: reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (client address for logs and rate limits; https marks the session cookie Secure); others' are ignored (env CRITMIN_TRUSTED_PROXY)")
	gcpFile := fs.String("gcp-lengths", envOr(env, "CRITMIN_GCP_LENGTHS", ""), "GS1 GCP length table (gcpprefixformatlist, XML or JSON) for GS1-EPC-Format: Always_EPC_URN (env CRITMIN_GCP_LENGTHS)")
	spRunning := fs.String("stockpile-running", envOr(env, "CRITMIN_STOCKPILE_RUNNING", strconv.Itoa(risk.DefaultStockpileRunning())), "stockpile Monte Carlo runs computed at once, 1–1024 (default: the CPUs Go uses; env CRITMIN_STOCKPILE_RUNNING)")
	spQueue := fs.String("stockpile-queue", envOr(env, "CRITMIN_STOCKPILE_QUEUE", strconv.Itoa(risk.DefaultStockpileQueue)), "stockpile runs that may wait for one of those, 0–10000; beyond them a run is refused 429 (env CRITMIN_STOCKPILE_QUEUE)")
	spWait := fs.String("stockpile-wait", envOr(env, "CRITMIN_STOCKPILE_WAIT", risk.DefaultStockpileWait.String()), "longest a stockpile run waits in that queue before it is refused 429, 0s–10m (env CRITMIN_STOCKPILE_WAIT)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	gate, gerr := stockpileGate(*spRunning, *spQueue, *spWait)
	if gerr != nil {
		return gerr
	}
	logger := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	// serve keeps Go's default GC target (GOGC=100) unless GOGC is set:
	// at bench's 400 % a server's heap grows to five times what a capture
	// holds live, and a 32 MB capture took it from 53 to 341–400 MB of
	// resident memory instead of 49 to 234 MB (docs/security.md, Limits).
	epcis.MustLoadSchemas()
	if err := checkDB(*dsn); err != nil {
		return err
	}
	if *readDSN != "" && !postgres.IsDSN(*readDSN) {
		return usagef("--db-read: give a postgres:// URL of a streaming replica")
	}
	if *readDSN != "" && !postgres.IsDSN(*dsn) {
		return usagef("--db-read needs --db to be PostgreSQL too")
	}
	if *readDSN != "" && *readDSN == *dsn {
		// A replica must not be the primary: reads would not be offloaded
		// and the flag would silently mean nothing. Other spellings of the
		// primary are refused by OpenWithReplica's standby check.
		return usagef("--db-read: it names the same database as --db; give a streaming replica of --db, or leave --db-read out")
	}
	proxies, perr := critminhttp.ParseTrustedProxies(*trustedProxy)
	if perr != nil {
		return usagef("--trusted-proxy: %v", perr)
	}
	// Every file a flag names is read before the store is opened, so
	// that a start refused over one of them creates nothing (fix1213c).
	var gcp *epcis.GCPLengths
	if *gcpFile != "" {
		f, err := os.Open(*gcpFile)
		if err != nil {
			return fmt.Errorf("--gcp-lengths: %w", err)
		}
		gcp, err = epcis.LoadGCPLengths(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--gcp-lengths %s: %w", *gcpFile, err)
		}
	}
	var pack *custody.Pack
	if *rulesFile != "" {
		b, err := os.ReadFile(*rulesFile)
		if err != nil {
			return err
		}
		if pack, err = custody.ParsePack(b); err != nil {
			return inFile("--rules "+*rulesFile, err)
		}
	}
	var network *plan.Network
	if *planFile != "" {
		if network, err = loadNetwork(*planFile); err != nil {
			return fmt.Errorf("--plan: %w", err)
		}
	}
	if *keyFile != "" {
		if _, err := os.Stat(*keyFile); os.IsNotExist(err) {
			// A path the user named is never created: a typo would
			// otherwise make a new key that signs as the installation.
			return refusef("--signing-key (or CRITMIN_SIGNING_KEY): no key at %s; no key is created at a path you name", *keyFile)
		}
		if _, err := custody.LoadPrivateKey(*keyFile); err != nil {
			return err
		}
	}
	// The address is bound before anything is opened or created: a
	// malformed --addr or one in use refuses the start naming the flag,
	// with no database, key or demo made first (issue 15, fix15s item 6:
	// "too many colons" came after the key was made and the demo's token
	// printed). The server takes the listener over once it serves.
	ln, err := listenAddr(*addr)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			ln.Close()
		}
	}()
	// A start refused after this point (a database that will not
	// migrate, a foreign signing key, a demo that
	// fails to load) leaves no file behind that this start created: the
	// SQLite database with its -wal, -shm and -journal files, the data
	// directories made for it, and the signing key made for it unless a
	// PostgreSQL database has pinned that key (docs/security.md).
	undo := serveUndo{}
	if isPG, _ := postgres.ParseDB(*dsn); !isPG {
		undo.sqliteFresh(*dsn)
	}
	defer func() {
		if err != nil {
			undo.run()
		}
	}()
	var store critmin.Store
	if *force {
		ctx = sqldb.AllowForeign(ctx)
	}
	if *readDSN != "" {
		store, err = postgres.OpenWithReplica(ctx, *dsn, *readDSN)
		err = postgres.RedactError(postgres.RedactError(err, *dsn), *readDSN)
	} else {
		store, err = CreateStore(ctx, *dsn)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	svc := custody.NewService(store)
	if *withDemo {
		loaded, err := demo.Load(ctx, svc)
		if err != nil {
			return err
		}
		if loaded {
			if _, err := commercial.LoadDemo(ctx, commercial.NewService(svc)); err != nil {
				return err
			}
			secret, _, err := critmin.IssueToken(ctx, store, "demo-admin", critmin.RoleAdmin, time.Time{}, time.Now())
			if err != nil {
				return err
			}
			// The secret goes to the terminal once, never into the log.
			logger.Info("demo corridor loaded; an admin token named demo-admin was created and printed on standard output")
			fmt.Fprintf(env.Stdout, "Demo admin token (shown once): %s\n", secret)
		}
	}
	srv, err := critminhttp.NewServer(store, svc, logger, *publicRead)
	if err != nil {
		return err
	}
	srv.SetTrustedProxies(proxies)
	srv.StockpileGate = gate
	// Mass-balance credits use a closed refinery month's reconciled
	// recovery where there is one (docs/origin.md).
	srv.SetConversionSource(refinery.ConversionFactors{Store: store})
	if gcp != nil {
		srv.GCPLengths = gcp
	}
	if err := web.Mount(srv); err != nil {
		return err
	}
	explicitKey := *keyFile != ""
	if *keyFile == "" {
		if *keyFile, err = installationKeyFile(ctx, env, *dsn, store); err != nil {
			return err
		}
	}
	if _, err := os.Stat(*keyFile); os.IsNotExist(err) {
		if explicitKey {
			// A path the user named is never created: a typo would
			// otherwise make a new key that signs as the installation.
			return refusef("--signing-key (or CRITMIN_SIGNING_KEY): no key at %s; no key is created at a path you name", *keyFile)
		}
		keyDirs := len(undo.created)
		undo.dirs(filepath.Dir(*keyFile))
		undo.keyDirs = undo.created[keyDirs:]
		undo.created = undo.created[:keyDirs]
		if err := os.MkdirAll(filepath.Dir(*keyFile), 0o755); err != nil {
			return err
		}
		pub, err := custody.GenerateKey(*keyFile)
		if err != nil {
			return err
		}
		undo.key = *keyFile
		logger.Info("created a certificate signing key", slog.String("file", *keyFile), slog.String("publicKey", pub))
	}
	key, err := custody.LoadPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	if err := pinSigningKey(ctx, store, key, *keyFile); err != nil {
		return err
	}
	if !undo.fresh {
		// A PostgreSQL database (or an existing SQLite file) has pinned
		// the key now: it is kept even if the start is refused later.
		undo.key, undo.keyDirs = "", nil
	}
	srv.SetSigningKey(key, *issuer)
	if t, ok := store.(interface{ TrustPeriodKeys(...ed25519.PublicKey) }); ok {
		// Period records signed by any other key are refused by every
		// reader (docs/refinery.md, "Tampered close records").
		t.TrustPeriodKeys(key.Public().(ed25519.PublicKey))
	}
	if p, ok := store.(interface {
		PinnedPeriodKey(context.Context) (ed25519.PublicKey, error)
	}); ok {
		if pin, err := p.PinnedPeriodKey(ctx); err == nil && pin != nil && !pin.Equal(key.Public().(ed25519.PublicKey)) {
			// The store's period records are signed by another key (a
			// restore without its signing.key): closes are refused until
			// that key is restored (docs/refinery.md §5 Backing up the signing key).
			logger.Warn("the signing key is not this store's installation key: refinery closes, reopens and voids are refused until the store's signing.key is restored", slog.String("file", *keyFile), slog.String("pinnedKey", keyIDOf(pin)))
		}
	}
	if pack != nil {
		srv.SetRulePack(pack)
	}
	srv.SetPlanWorker(solveWorker(env))
	if n := solver.CleanStaleTemp(); n > 0 {
		logger.Info("removed solve directories of processes that are gone", slog.Int("count", n))
	}
	if network != nil {
		srv.SetPlanNetwork(network)
	}
	srv.ServeListener(ln)
	undo = serveUndo{} // serving: nothing is undone any more
	logger.Info("critmin serving", slog.String("url", srv.URL()), slog.Bool("publicRead", *publicRead))
	fmt.Fprintf(env.Stdout, "critmin is serving on %s\n", srv.URL())
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// listenAddr binds serve's --addr: HOST:PORT, the port a number from 0
// to 65535 (0 picks a free one) or a service name (net.LookupPort). A
// malformed address is a usage error, one that cannot be bound (in
// use, a host that is not this machine's) a refusal; both name the flag.
func listenAddr(addr string) (net.Listener, error) {
	_, port, err := net.SplitHostPort(addr)
	var why string
	switch n, perr := strconv.Atoi(port); {
	case err != nil:
		why = err.Error()
		var ae *net.AddrError
		if errors.As(err, &ae) {
			why = ae.Err
		}
	case perr == nil && (n < 0 || n > 65535):
		why = fmt.Sprintf("port %d is not from 0 to 65535", n)
	case perr != nil:
		if _, lerr := net.LookupPort("tcp", port); lerr != nil {
			why = fmt.Sprintf("port %q is neither a number nor a service name", port)
		}
	}
	if why != "" {
		return nil, usagef("--addr (or CRITMIN_ADDR): %q is not HOST:PORT, such as 127.0.0.1:8080: %s", addr, why)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
		return nil, refusef("--addr (or CRITMIN_ADDR): cannot listen on %s: %v", addr, err)
	}
	return ln, nil
}

// pinSigningKey refuses to serve with a certificate signing key other
// than the one pinned in the database: several servers share one
// PostgreSQL database, and a certificate one signs must verify against
// the key any of them publishes (/api/v1/signing-key). The first server
// to start on a database pins its key (sqldb.PinSigningKey).
func pinSigningKey(ctx context.Context, store critmin.Store, key ed25519.PrivateKey, file string) error {
	p, ok := store.(interface {
		PinSigningKey(context.Context, []byte) ([]byte, error)
	})
	if !ok {
		return nil
	}
	pub := key.Public().(ed25519.PublicKey)
	pin, err := p.PinSigningKey(ctx, pub)
	if err != nil {
		return err
	}
	if !pub.Equal(ed25519.PublicKey(pin)) {
		return fmt.Errorf("the signing key %s (%s) is not the key this database's servers sign with, %s: every server on one database must sign with the same key — copy the signing.key of a server already serving this database and start with --signing-key pointing at it (or CRITMIN_SIGNING_KEY)",
			custody.PublicKeyIDOf(pub), file, custody.PublicKeyIDOf(ed25519.PublicKey(pin)))
	}
	return nil
}

// stockpileGate is the bound on concurrent stockpile runs that serve's
// --stockpile-running, --stockpile-queue and --stockpile-wait give.
func stockpileGate(running, queued, wait string) (*risk.Gate, error) {
	n, err := strconv.Atoi(running)
	if err != nil || n < 1 || n > 1024 {
		return nil, usagef("--stockpile-running (or CRITMIN_STOCKPILE_RUNNING): %q is not a whole number from 1 to 1024", running)
	}
	q, err := strconv.Atoi(queued)
	if err != nil || q < 0 || q > 10000 {
		return nil, usagef("--stockpile-queue (or CRITMIN_STOCKPILE_QUEUE): %q is not a whole number from 0 to 10000", queued)
	}
	d, err := time.ParseDuration(wait)
	if err != nil || d < 0 || d > 10*time.Minute {
		return nil, usagef("--stockpile-wait (or CRITMIN_STOCKPILE_WAIT): %q is not a duration from 0s to 10m (e.g. 10s)", wait)
	}
	return risk.NewGate(n, q, d), nil
}

// serveUndo is what a refused critmin serve removes again: the files and
// directories this start created, so that a refused start leaves nothing
// behind (fix1213c item 6).
type serveUndo struct {
	fresh   bool     // the SQLite database did not exist before this start
	db      string   // its path, when fresh
	created []string // first missing ancestors of directories made, to remove
	key     string   // a signing key this start generated
	keyDirs []string // directories made for that key
}

// sqliteFresh records, before the store is opened, whether the SQLite
// database at path is new, and the directories that opening it makes.
func (u *serveUndo) sqliteFresh(path string) {
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return
	}
	u.fresh, u.db = true, path
	u.dirs(filepath.Dir(path))
}

// dirs records the first missing ancestor of dir, if any.
func (u *serveUndo) dirs(dir string) {
	created := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		created = d
	}
	if created != "" {
		u.created = append(u.created, created)
	}
}

// run removes what was recorded; the store must be closed by then.
func (u *serveUndo) run() {
	if u.key != "" {
		_ = os.Remove(u.key)
	}
	if u.fresh {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			_ = os.Remove(u.db + suffix)
		}
	}
	for _, dirs := range [][]string{u.keyDirs, u.created} {
		for i := len(dirs) - 1; i >= 0; i-- {
			_ = os.RemoveAll(dirs[i])
		}
	}
}
