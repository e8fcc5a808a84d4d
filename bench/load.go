package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// LoadConfig is a `critmin bench load` run.
type LoadConfig struct {
	// Events is the size of the store the clients query (generated
	// corridor events); Clients the concurrent HTTP clients; Duration how
	// long they run; CaptureShare the fraction of requests that capture.
	Events       int
	Clients      int
	Duration     time.Duration
	CaptureShare float64
	// CaptureEvents is the size of each captured document.
	CaptureEvents int
	// Think is each client's pause after every request (0: none, a closed
	// loop at full speed). With none, the latency a client sees is the
	// number of clients over the throughput (Little's law) once the
	// machine is saturated, whatever the code does.
	Think time.Duration
	// Rates, when given, drive the store open-loop, one run of Duration
	// per rate in turn, on the same store and server: requests arrive as
	// a Poisson process of Rates[i] requests per second, whatever the
	// server's speed, as independent users' requests do, and Clients
	// workers (connections) send them in arrival order. Each request's
	// time runs from its arrival, so the wait for a free worker counts
	// (no coordinated omission). Empty: one closed-loop run.
	Rates []float64
	// DB is a SQLite path or a PostgreSQL DSN to build the store in and
	// keep: a store that already holds Events generated events is reused.
	// When empty, a scratch store is built (in Dir, or on PostgresAdmin's
	// server) and removed after.
	DB            string
	Dir           string
	PostgresAdmin string
	Seed          uint64
	Progress      io.Writer
}

// Query kinds of the load mix, in equal shares of the queries.
const (
	KindEventID  = "event_id"    // GET /epcis/events/{eventID}
	KindLot      = "lot"         // MATCH_anyEPCClass=<lot>
	KindLocation = "location"    // EQ_bizLocation=<site>, first page
	KindWindow   = "time_window" // GE_eventTime/LT_eventTime, one hour
	KindPaging   = "next_page"   // the second page of EQ_bizLocation=<site>, perPage=50
	KindCapture  = "capture"     // POST /epcis/capture of one lot's events
)

// LoadKinds lists the kinds in report order.
var LoadKinds = []string{KindEventID, KindLot, KindLocation, KindWindow, KindPaging, KindCapture}

// KindStats is one kind's share of a run.
type KindStats struct {
	Count, Errors int
	P50, P99, Max time.Duration
	// FirstError is the first failure's text, for the report.
	FirstError string
}

// LoadResult is what `critmin bench load` reports.
type LoadResult struct {
	Backend string
	// Rate is the open-loop arrival rate asked for (requests/s), 0 for a
	// closed loop; ArrivalRate the rate the arrivals drawn actually had.
	Rate, ArrivalRate float64
	StoreEvents       int64 // events in the store when the clients started
	BuildSeconds      float64
	Reused            bool
	Clients           int
	Seconds           float64
	Requests          int
	PerSec            float64
	// CapturedEvents is the events the capture requests stored.
	CapturedEvents int
	Kinds          map[string]*KindStats
	// QueryP99 is the 99th percentile over every query kind together.
	QueryP99 time.Duration
	// CPUSeconds is the process's CPU time (user + system) while the
	// clients ran; the server and clients share the process.
	CPUSeconds float64
	// LoadAverage is the machine's 1, 5 and 15 minute load when the run
	// ended ("unknown" off Linux): on a shared machine a run's figures
	// mean little without it.
	LoadAverage string
	Errors      int
	// WriteTransactions and GroupedCaptures are the capture transactions
	// the store opened during the run and the captures that joined them
	// (group commit, sqldb.DB.CaptureGroups); zero when not reported.
	WriteTransactions, GroupedCaptures int64
}

// captureGroups reads a store's group-commit counters, if it keeps them.
func captureGroups(store any) (tx, captures int64) {
	if g, ok := store.(interface{ CaptureGroups() (int64, int64) }); ok {
		return g.CaptureGroups()
	}
	return 0, 0
}

func (c *LoadConfig) defaults() {
	if c.Events <= 0 {
		c.Events = 1000000
	}
	if c.Clients <= 0 {
		c.Clients = 200
	}
	if c.Duration <= 0 {
		c.Duration = 60 * time.Second
	}
	if c.CaptureShare <= 0 {
		c.CaptureShare = 0.10
	}
	if c.CaptureEvents <= 0 {
		c.CaptureEvents = EventsPerLot
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// openLoadStore opens the store of a load run and says whether it is kept.
func openLoadStore(ctx context.Context, c *LoadConfig) (*sqldb.DB, string, func(), error) {
	if c.DB == "" {
		return openStore(ctx, &Config{Dir: c.Dir, PostgresAdmin: c.PostgresAdmin}, "load")
	}
	if postgres.IsDSN(c.DB) {
		db, err := postgres.Open(ctx, c.DB)
		if err != nil {
			return nil, "", nil, err
		}
		return db, "postgres", func() { db.Close() }, nil
	}
	if err := os.MkdirAll(filepath.Dir(c.DB), 0o755); err != nil {
		return nil, "", nil, err
	}
	db, err := sqlite.Open(ctx, c.DB)
	if err != nil {
		return nil, "", nil, err
	}
	return db, "sqlite", func() { db.Close() }, nil
}

// Load builds (or reuses) a store of cfg.Events generated events, starts
// the real server over it and drives it for cfg.Duration — in a closed
// loop from cfg.Clients concurrent clients, or open-loop at each of
// cfg.Rates in turn: CaptureShare of the requests capture one lot's
// events under a fresh namespace, the rest are queries of the five kinds
// in equal shares, on random lots, sites, events and hours of the
// generated corridor. It reports, for each run, throughput, p50/p99 per
// kind and every error (a status other than the expected one, or a
// transport error).
func Load(ctx context.Context, cfg LoadConfig) ([]*LoadResult, error) {
	cfg.defaults()
	epcis.MustLoadSchemas()
	store, backend, cleanup, err := openLoadStore(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	n, err := store.CountEvents(ctx)
	if err != nil {
		return nil, err
	}
	var reused bool
	var buildSeconds float64
	switch {
	case n >= int64(cfg.Events):
		reused = true
		fmt.Fprintf(cfg.Progress, "reusing the store: %d events\n", n)
	case n == 0:
		fmt.Fprintf(cfg.Progress, "building a store of %d events\n", cfg.Events)
		if _, buildSeconds, err = load(ctx, Config{Events: cfg.Events, Batch: 1000, Seed: cfg.Seed, Progress: cfg.Progress}, store); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("bench load: the store holds %d events, fewer than --events %d: give an empty store or one built with at least that many", n, cfg.Events)
	}
	srv, secret, err := server(store)
	if err != nil {
		return nil, err
	}
	defer srv.Shutdown(context.Background())
	transport := &http.Transport{MaxIdleConns: cfg.Clients * 2, MaxIdleConnsPerHost: cfg.Clients * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	lr := &loadRun{
		cfg: cfg, store: store, base: srv.URL(), secret: secret,
		client: &http.Client{Transport: transport, Timeout: 2 * time.Minute},
		lots:   (cfg.Events + EventsPerLot - 1) / EventsPerLot,
		sites:  Sites(),
		// Generated event times start at GeneratedFrom and step 30–119 s.
		start: GeneratedFrom,
		span:  time.Duration(cfg.Events) * 75 * time.Second,
		// Captures come from one generator under a namespace of their own.
		gen: NewGenerator(cfg.Seed + 7),
	}
	lr.gen.NS = fmt.Sprintf("load%d", time.Now().UnixNano())
	rates := cfg.Rates
	if len(rates) == 0 {
		rates = []float64{0}
	}
	var out []*LoadResult
	for i, rate := range rates {
		res := &LoadResult{Backend: backend, Rate: rate, Clients: cfg.Clients, Kinds: map[string]*KindStats{}, Reused: reused || i > 0}
		if i == 0 {
			res.BuildSeconds = buildSeconds
		}
		if res.StoreEvents, err = store.CountEvents(ctx); err != nil {
			return out, err
		}
		if rate > 0 {
			fmt.Fprintf(cfg.Progress, "open loop at %g requests/s for %s\n", rate, cfg.Duration)
		}
		out = append(out, res)
		if err := lr.run(ctx, res); err != nil {
			return out, err
		}
	}
	return out, nil
}

// loadRun is what the runs of one Load share: the store, its server and
// the generators of requests.
type loadRun struct {
	cfg          LoadConfig
	store        *sqldb.DB
	base, secret string
	client       *http.Client
	lots         int
	sites        []string
	start        time.Time
	span         time.Duration
	genMu        sync.Mutex
	gen          *Generator
	runs         uint64
}

// request sends one request of the mix, chosen with rnd, and times it.
func (lr *loadRun) request(ctx context.Context, rnd *rand.Rand) sample {
	if rnd.Float64() < lr.cfg.CaptureShare {
		lr.genMu.Lock()
		body := lr.gen.Document(lr.cfg.CaptureEvents)
		lr.genMu.Unlock()
		s := sample{kind: KindCapture, n: lr.cfg.CaptureEvents}
		d, err := timed(func() error { return post(ctx, lr.client, lr.base+"/epcis/capture", lr.secret, body) })
		s.d = d
		if err != nil {
			s.err = err.Error()
		}
		return s
	}
	return loadQuery(ctx, lr.client, lr.base, lr.secret, rnd, lr.lots, lr.sites, lr.start, lr.span, lr.cfg.Events)
}

// run drives the store for cfg.Duration at res.Rate (0: closed loop) and
// fills res.
func (lr *loadRun) run(ctx context.Context, res *LoadResult) error {
	cfg := lr.cfg
	lr.runs++
	// Each run draws other requests: the seed's stream is split by run.
	seed := cfg.Seed + (lr.runs-1)*1_000_003
	var mu sync.Mutex
	var samples []sample
	deadline := time.Now().Add(cfg.Duration)
	cpu0 := cpuSeconds()
	tx0, joined0 := captureGroups(lr.store)
	t0 := time.Now()
	var wg sync.WaitGroup
	if res.Rate > 0 {
		// Open loop: arrivals at exponential gaps (a Poisson process),
		// queued for the workers; a request's time includes its wait.
		arrivals := make(chan time.Time, int(res.Rate*cfg.Duration.Seconds())*2+64)
		arrivalRnd := rand.New(rand.NewPCG(seed, 0xa771))
		var arrived int
		go func() {
			defer close(arrivals)
			next := t0
			for ctx.Err() == nil {
				next = next.Add(time.Duration(arrivalRnd.ExpFloat64() / res.Rate * float64(time.Second)))
				if !next.Before(deadline) {
					return
				}
				time.Sleep(time.Until(next))
				arrivals <- next
				arrived++
			}
		}()
		for c := 0; c < cfg.Clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				rnd := rand.New(rand.NewPCG(seed, uint64(c)+1))
				var local []sample
				for at := range arrivals {
					waited := time.Since(at)
					s := lr.request(ctx, rnd)
					s.d += waited
					local = append(local, s)
				}
				mu.Lock()
				samples = append(samples, local...)
				mu.Unlock()
			}(c)
		}
		wg.Wait()
		res.ArrivalRate = float64(arrived) / cfg.Duration.Seconds()
	} else {
		for c := 0; c < cfg.Clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				rnd := rand.New(rand.NewPCG(seed, uint64(c)+1))
				var local []sample
				for time.Now().Before(deadline) && ctx.Err() == nil {
					local = append(local, lr.request(ctx, rnd))
					if cfg.Think > 0 {
						time.Sleep(cfg.Think)
					}
				}
				mu.Lock()
				samples = append(samples, local...)
				mu.Unlock()
			}(c)
		}
		wg.Wait()
	}
	res.Seconds = time.Since(t0).Seconds()
	res.CPUSeconds = cpuSeconds() - cpu0
	res.LoadAverage = loadAverage()
	tx1, joined1 := captureGroups(lr.store)
	res.WriteTransactions, res.GroupedCaptures = tx1-tx0, joined1-joined0
	byKind := map[string][]time.Duration{}
	var queries []time.Duration
	for _, s := range samples {
		ks := res.Kinds[s.kind]
		if ks == nil {
			ks = &KindStats{}
			res.Kinds[s.kind] = ks
		}
		ks.Count++
		res.Requests++
		if s.err != "" {
			ks.Errors++
			res.Errors++
			if ks.FirstError == "" {
				ks.FirstError = s.err
			}
			continue
		}
		byKind[s.kind] = append(byKind[s.kind], s.d)
		if s.kind == KindCapture {
			res.CapturedEvents += s.n
		} else {
			queries = append(queries, s.d)
		}
	}
	for k, ds := range byKind {
		res.Kinds[k].P50, res.Kinds[k].P99, res.Kinds[k].Max = loadPercentiles(ds)
	}
	_, res.QueryP99, _ = loadPercentiles(queries)
	res.PerSec = float64(res.Requests) / res.Seconds
	if got, err := lr.store.CountEvents(ctx); err == nil && got != res.StoreEvents+int64(res.CapturedEvents) {
		return fmt.Errorf("bench load: %d events stored after the run, %d before and %d acknowledged", got, res.StoreEvents, res.CapturedEvents)
	}
	return nil
}

// sample is one request of a load run.
type sample struct {
	kind string
	d    time.Duration
	err  string
	n    int // events captured
}

func loadPercentiles(ds []time.Duration) (p50, p99, max time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)], ds[len(ds)-1]
}

func timed(fn func() error) (time.Duration, error) {
	t := time.Now()
	err := fn()
	return time.Since(t), err
}

// loadQuery runs one query of a random kind and times it.
func loadQuery(ctx context.Context, client *http.Client, base, token string, rnd *rand.Rand, lots int, sites []string, start time.Time, span time.Duration, events int) (s sample) {
	kinds := LoadKinds[:5]
	s.kind = kinds[rnd.IntN(len(kinds))]
	var u string
	switch s.kind {
	case KindEventID:
		u = base + "/epcis/events/" + url.PathEscape(fmt.Sprintf("urn:critmin:bench:event:%010d", 1+rnd.IntN(events)))
	case KindLot:
		u = base + "/epcis/events?MATCH_anyEPCClass=" + url.QueryEscape(LotID(rnd.IntN(lots)))
	case KindLocation:
		u = base + "/epcis/events?EQ_bizLocation=" + url.QueryEscape(sites[rnd.IntN(len(sites))])
	case KindWindow:
		from := start.Add(time.Duration(rnd.Int64N(int64(span))))
		u = base + "/epcis/events?GE_eventTime=" + url.QueryEscape(from.Format(time.RFC3339)) + "&LT_eventTime=" + url.QueryEscape(from.Add(time.Hour).Format(time.RFC3339))
	case KindPaging:
		// The first page is fetched untimed; the second, through the Link
		// header's nextPageToken, is the figure.
		first := base + "/epcis/events?perPage=50&EQ_bizLocation=" + url.QueryEscape(sites[rnd.IntN(len(sites))])
		_, link, err := get(ctx, client, first, token)
		if err != nil {
			s.err = err.Error()
			return s
		}
		if link == "" {
			// A site with one page only: time the first.
			u = first
			break
		}
		u = base + link
	}
	var err error
	s.d, err = timed(func() error { _, _, err := get(ctx, client, u, token); return err })
	if err != nil {
		s.err = err.Error()
	}
	return s
}

// get fetches u and returns the body size and the Link rel="next" target.
func get(ctx context.Context, client *http.Client, u, token string) (int64, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return n, "", fmt.Errorf("GET %s answered %s", u, resp.Status)
	}
	link := ""
	if l := resp.Header.Get("Link"); strings.Contains(l, `rel="next"`) {
		if i, j := strings.Index(l, "<"), strings.Index(l, ">"); i >= 0 && j > i {
			link = l[i+1 : j]
		}
	}
	return n, link, nil
}

// HighestRateUnder returns the highest open-loop rate among runs whose
// query p99 was under limit with no error, and whether any was. Closed-
// loop runs (rate 0) are not rates and are left out.
func HighestRateUnder(runs []*LoadResult, limit time.Duration) (float64, bool) {
	best, found := 0.0, false
	for _, r := range runs {
		if r.Rate > 0 && r.Errors == 0 && r.QueryP99 < limit && r.Rate > best {
			best, found = r.Rate, true
		}
	}
	return best, found
}

// loadAverage is the machine's 1, 5 and 15 minute load (Linux).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], "/")
}
