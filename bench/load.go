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
	Backend      string
	StoreEvents  int64 // events in the store when the clients started
	BuildSeconds float64
	Reused       bool
	Clients      int
	Seconds      float64
	Requests     int
	PerSec       float64
	// CapturedEvents is the events the capture requests stored.
	CapturedEvents int
	Kinds          map[string]*KindStats
	// QueryP99 is the 99th percentile over every query kind together.
	QueryP99 time.Duration
	// CPUSeconds is the process's CPU time (user + system) while the
	// clients ran; the server and clients share the process.
	CPUSeconds float64
	Errors     int
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
// the real server over it and drives it from cfg.Clients concurrent
// clients for cfg.Duration: CaptureShare of the requests capture one
// lot's events under a fresh namespace, the rest are queries of the five
// kinds in equal shares, on random lots, sites, events and hours of the
// generated corridor. It reports throughput, p50/p99 per kind and every
// error (a status other than the expected one, or a transport error).
func Load(ctx context.Context, cfg LoadConfig) (*LoadResult, error) {
	cfg.defaults()
	epcis.MustLoadSchemas()
	store, backend, cleanup, err := openLoadStore(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	res := &LoadResult{Backend: backend, Clients: cfg.Clients, Kinds: map[string]*KindStats{}}
	n, err := store.CountEvents(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case n >= int64(cfg.Events):
		res.Reused = true
		fmt.Fprintf(cfg.Progress, "reusing the store: %d events\n", n)
	case n == 0:
		fmt.Fprintf(cfg.Progress, "building a store of %d events\n", cfg.Events)
		if _, res.BuildSeconds, err = load(ctx, Config{Events: cfg.Events, Batch: 1000, Seed: cfg.Seed, Progress: cfg.Progress}, store); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("bench load: the store holds %d events, fewer than --events %d: give an empty store or one built with at least that many", n, cfg.Events)
	}
	if res.StoreEvents, err = store.CountEvents(ctx); err != nil {
		return nil, err
	}
	srv, secret, err := server(store)
	if err != nil {
		return nil, err
	}
	defer srv.Shutdown(context.Background())
	base := srv.URL()
	lots := (cfg.Events + EventsPerLot - 1) / EventsPerLot
	sites := Sites()
	// Generated event times start at 2025-01-01 and step 30–120 s.
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Duration(cfg.Events) * 75 * time.Second

	transport := &http.Transport{MaxIdleConns: cfg.Clients * 2, MaxIdleConnsPerHost: cfg.Clients * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 2 * time.Minute}
	// Captures come from one generator under a namespace of their own.
	var genMu sync.Mutex
	gen := NewGenerator(cfg.Seed + 7)
	gen.NS = fmt.Sprintf("load%d", time.Now().UnixNano())

	var mu sync.Mutex
	var samples []sample
	deadline := time.Now().Add(cfg.Duration)
	cpu0 := cpuSeconds()
	tx0, joined0 := captureGroups(store)
	t0 := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < cfg.Clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(cfg.Seed, uint64(c)+1))
			var local []sample
			for time.Now().Before(deadline) && ctx.Err() == nil {
				var s sample
				if rnd.Float64() < cfg.CaptureShare {
					genMu.Lock()
					body := gen.Document(cfg.CaptureEvents)
					genMu.Unlock()
					s = sample{kind: KindCapture, n: cfg.CaptureEvents}
					d, err := timed(func() error { return post(ctx, client, base+"/epcis/capture", secret, body) })
					s.d = d
					if err != nil {
						s.err = err.Error()
					}
				} else {
					s = loadQuery(ctx, client, base, secret, rnd, lots, sites, start, span, cfg.Events)
				}
				local = append(local, s)
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
	res.Seconds = time.Since(t0).Seconds()
	res.CPUSeconds = cpuSeconds() - cpu0
	tx1, joined1 := captureGroups(store)
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
	if got, err := store.CountEvents(ctx); err == nil && got != res.StoreEvents+int64(res.CapturedEvents) {
		return res, fmt.Errorf("bench load: %d events stored after the run, %d before and %d acknowledged", got, res.StoreEvents, res.CapturedEvents)
	}
	return res, nil
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
