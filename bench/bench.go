package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// Config is a benchmark run's setup.
type Config struct {
	Events  int
	Batch   int
	Clients int
	// PostgresAdmin, when set, runs against a scratch database created on
	// that server (and dropped after) instead of SQLite.
	PostgresAdmin string
	// Dir holds the SQLite files; a temporary directory when empty.
	Dir      string
	Seed     uint64
	Queries  int
	Progress io.Writer
}

func (c *Config) defaults() {
	if c.Events <= 0 {
		c.Events = 100000
	}
	if c.Batch <= 0 {
		c.Batch = 1000
	}
	if c.Clients <= 0 {
		c.Clients = 2
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Queries <= 0 {
		c.Queries = 500
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// openStore opens a fresh store for a run and a function that removes it.
func openStore(ctx context.Context, c *Config, name string) (*sqldb.DB, string, func(), error) {
	if c.PostgresAdmin != "" {
		dsn, drop, err := postgres.CreateDatabase(ctx, c.PostgresAdmin, "critmin_bench_")
		if err != nil {
			return nil, "", nil, err
		}
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			_ = drop()
			return nil, "", nil, err
		}
		return db, "postgres", func() { db.Close(); _ = drop() }, nil
	}
	dir := c.Dir
	cleanup := func() {}
	if dir == "" {
		d, err := os.MkdirTemp("", "critmin-bench-")
		if err != nil {
			return nil, "", nil, err
		}
		dir, cleanup = d, func() { os.RemoveAll(d) }
	}
	path := filepath.Join(dir, name+".db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	return db, "sqlite", func() { db.Close(); cleanup() }, nil
}

// server runs a real critmin server over a store and returns its URL and
// a write token.
func server(store critmin.Store) (*critminhttp.Server, string, error) {
	var rb [12]byte
	_, _ = rand.Read(rb[:])
	secret := "bench-" + hex.EncodeToString(rb[:])
	if err := store.CreateToken(context.Background(), &critmin.Token{Name: fmt.Sprintf("bench-%d", time.Now().UnixNano()), Role: critmin.RoleOperator, Hash: critminhttp.HashToken(secret), CreatedAt: time.Now()}); err != nil {
		return nil, "", err
	}
	svc := custody.NewService(store)
	srv, err := critminhttp.NewServer(store, svc, slog.New(slog.NewTextHandler(io.Discard, nil)), true)
	if err != nil {
		return nil, "", err
	}
	return srv, secret, srv.Listen("127.0.0.1:0")
}

// CaptureResult is what `critmin bench capture` reports.
type CaptureResult struct {
	Backend      string
	Events       int
	Documents    int
	Seconds      float64
	EventsPerSec float64
	// PlainSeconds is the time to insert the same rows into the same
	// schema with plain prepared INSERTs (SQLite only): the floor.
	PlainSeconds float64
	PlainPerSec  float64
	Ratio        float64
	// CPUSeconds is the process's CPU time (server and clients) while
	// capturing: events per CPU-second is the figure to compare on a
	// shared machine.
	CPUSeconds float64
}

// Capture generates cfg.Events events, captures them over HTTP in
// documents of cfg.Batch events into a fresh database, and (on SQLite)
// times the plain insert of the same rows.
func Capture(ctx context.Context, cfg Config) (*CaptureResult, error) {
	cfg.defaults()
	epcis.MustLoadSchemas()
	gen := NewGenerator(cfg.Seed)
	var docs [][]byte
	for n := 0; n < cfg.Events; n += cfg.Batch {
		docs = append(docs, gen.Document(min(cfg.Batch, cfg.Events-n)))
	}
	fmt.Fprintf(cfg.Progress, "generated %d events in %d documents\n", cfg.Events, len(docs))
	store, backend, cleanup, err := openStore(ctx, &cfg, "capture")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	srv, secret, err := server(store)
	if err != nil {
		return nil, err
	}
	defer srv.Shutdown(context.Background())
	client := &http.Client{Timeout: 10 * time.Minute}
	start := time.Now()
	cpu0 := cpuSeconds()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := make(chan []byte)
	for w := 0; w < cfg.Clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range next {
				if err := post(ctx, client, srv.URL()+"/epcis/capture", secret, body); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i, d := range docs {
		next <- d
		if (i+1)%10 == 0 {
			fmt.Fprintf(cfg.Progress, "captured %d/%d documents\n", i+1, len(docs))
		}
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	cpu := cpuSeconds() - cpu0
	if firstErr != nil {
		return nil, firstErr
	}
	n, err := store.CountEvents(ctx)
	if err != nil {
		return nil, err
	}
	if int(n) != cfg.Events {
		return nil, fmt.Errorf("bench: %d events stored, %d sent", n, cfg.Events)
	}
	res := &CaptureResult{Backend: backend, Events: cfg.Events, Documents: len(docs), Seconds: elapsed, EventsPerSec: float64(cfg.Events) / elapsed, CPUSeconds: cpu}
	if backend == "sqlite" {
		plain, err := plainInsert(ctx, cfg, docs)
		if err != nil {
			return nil, err
		}
		res.PlainSeconds, res.PlainPerSec, res.Ratio = plain, float64(cfg.Events)/plain, elapsed/plain
	}
	return res, nil
}

func post(ctx context.Context, client *http.Client, u, token string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/ld+json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("bench: capture answered %s: %s", resp.Status, b)
	}
	return nil
}

// plainInsert decodes the documents (untimed) and times inserting the very
// rows capture writes — events, identifier, quantity and attribute index
// rows, one lot row per lot an event names — into a fresh database with
// the same schema, with prepared single-row INSERTs in one transaction per
// document, and nothing else: no HTTP, no JSON, no validation, no
// projection logic.
func plainInsert(ctx context.Context, cfg Config, docs [][]byte) (float64, error) {
	var batches [][]*critmin.Event
	type chainVals struct {
		seq         int64
		prev, chain string
	}
	var chains [][]chainVals
	now := time.Now()
	seq, prev := int64(0), custody.Genesis
	for _, d := range docs {
		doc, err := epcis.ParseDocument(d, false)
		if err != nil {
			return 0, err
		}
		evs := make([]*critmin.Event, len(doc.Events))
		for i := range doc.Events {
			ev, verr := doc.Decode(i, now)
			if verr != nil {
				return 0, verr
			}
			evs[i] = ev
		}
		batches = append(batches, evs)
		// The chain columns are part of the rows; computed here, untimed.
		cv := make([]chainVals, len(evs))
		for i, ev := range evs {
			seq++
			rec := &critmin.ChainRecord{Seq: seq, PK: seq, EventID: ev.EventID, EventTime: ev.EventTime.UnixMicro(), RecordTime: ev.RecordTime.UnixMicro(), CaptureID: "plain", Raw: string(ev.Raw), PrevChain: prev}
			rec.Chain = custody.Link(prev, rec)
			cv[i] = chainVals{seq, prev, rec.Chain}
			prev = rec.Chain
		}
		chains = append(chains, cv)
	}
	db, _, cleanup, err := openStore(ctx, &Config{Dir: cfg.Dir}, "plain")
	if err != nil {
		return 0, err
	}
	defer cleanup()
	start := time.Now()
	for bi, evs := range batches {
		tx, err := db.Write.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		insEv, _ := tx.PrepareContext(ctx, `INSERT INTO events (event_id, declaration, event_type, event_time, record_time, tz, action, biz_step, disposition, read_point, biz_location, transformation_id, capture_id, context_id, raw, chain_seq, prev_chain, chain, read_point_canon, biz_location_canon) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'plain', NULL, ?, ?, ?, ?, ?, ?)`)
		insEPC, _ := tx.PrepareContext(ctx, `INSERT INTO event_epcs (event_pk, role, epc, canon) VALUES (?, ?, ?, ?)`)
		insQ, _ := tx.PrepareContext(ctx, `INSERT INTO event_quantities (event_pk, role, epc_class, quantity, uom, canon) VALUES (?, ?, ?, ?, ?, ?)`)
		insA, _ := tx.PrepareContext(ctx, `INSERT INTO event_attrs (event_pk, kind, name, val, canon) VALUES (?, ?, ?, ?, ?)`)
		insLot, _ := tx.PrepareContext(ctx, `INSERT INTO lots (id, commodity, quantity, uom, wet_t, dry_t, moisture, origin_country, origin_mine, supplier, location, read_point, status, disposition, owner, custodian, first_us, last_us, event_count, assays, claims, location_canon)
			VALUES (?, '', ?, ?, 0, 0, NULL, '', '', '', ?, '', '', '', '', '', ?, ?, 1, '[]', 'null', ?) ON CONFLICT (id) DO UPDATE SET quantity = excluded.quantity, last_us = excluded.last_us, event_count = lots.event_count + 1`)
		for ei, ev := range evs {
			cv := chains[bi][ei]
			r, err := insEv.ExecContext(ctx, ev.EventID, ev.Type, ev.EventTime.UnixMicro(), ev.RecordTime.UnixMicro(), ev.EventTimeZoneOffset, ev.Action, ev.BizStep, ev.Disposition, ev.ReadPoint, ev.BizLocation, ev.TransformationID, string(ev.Raw), cv.seq, cv.prev, cv.chain, epcis.Canonical(ev.ReadPoint), epcis.Canonical(ev.BizLocation))
			if err != nil {
				return 0, err
			}
			pk, _ := r.LastInsertId()
			for _, e := range ev.EPCs {
				if _, err := insEPC.ExecContext(ctx, pk, e.Role, e.EPC, epcis.Canonical(e.EPC)); err != nil {
					return 0, err
				}
			}
			for _, q := range ev.Quantities {
				if _, err := insQ.ExecContext(ctx, pk, q.Role, q.EPCClass, q.Quantity, q.UOM, epcis.Canonical(q.EPCClass)); err != nil {
					return 0, err
				}
				if _, err := insLot.ExecContext(ctx, epcis.Canonical(q.EPCClass), q.Quantity, q.UOM, ev.BizLocation, ev.EventTime.UnixMicro(), ev.EventTime.UnixMicro(), epcis.Canonical(ev.BizLocation)); err != nil {
					return 0, err
				}
			}
			for _, s := range ev.Sources {
				if _, err := insA.ExecContext(ctx, pk, "source", s.Type, s.ID, epcis.Canonical(s.ID)); err != nil {
					return 0, err
				}
			}
			for _, d := range ev.Destinations {
				if _, err := insA.ExecContext(ctx, pk, "destination", d.Type, d.ID, epcis.Canonical(d.ID)); err != nil {
					return 0, err
				}
			}
			for _, b := range ev.BizTransactions {
				if _, err := insA.ExecContext(ctx, pk, "bizTransaction", b.Type, b.ID, epcis.Canonical(b.ID)); err != nil {
					return 0, err
				}
			}
			for k, v := range ev.ILMD {
				if _, err := insA.ExecContext(ctx, pk, "ilmd", k, v, epcis.Canonical(v)); err != nil {
					return 0, err
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return time.Since(start).Seconds(), nil
}

// QueryResult is what `critmin bench query` reports.
type QueryResult struct {
	Backend     string
	Events      int
	LoadSeconds float64
	Latencies   map[string][2]time.Duration // query kind → p50, p99
}

// Query loads cfg.Events generated events through the ledger service (in
// process, documents of cfg.Batch events), starts a server and measures
// the latency of MATCH_anyEPCClass and EQ_bizLocation queries over HTTP.
func Query(ctx context.Context, cfg Config) (*QueryResult, error) {
	cfg.defaults()
	epcis.MustLoadSchemas()
	store, backend, cleanup, err := openStore(ctx, &cfg, "query")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	lots, loadSeconds, err := load(ctx, cfg, store)
	if err != nil {
		return nil, err
	}
	res := &QueryResult{Backend: backend, Events: cfg.Events, LoadSeconds: loadSeconds, Latencies: map[string][2]time.Duration{}}
	srv, _, err := server(store)
	if err != nil {
		return nil, err
	}
	defer srv.Shutdown(context.Background())
	client := &http.Client{Timeout: time.Minute}
	sites := Sites()
	kinds := map[string]func(i int) string{
		"MATCH_anyEPCClass": func(i int) string { return "MATCH_anyEPCClass=" + url.QueryEscape(LotID((i*7919)%lots)) },
		"EQ_bizLocation":    func(i int) string { return "EQ_bizLocation=" + url.QueryEscape(sites[i%len(sites)]) },
	}
	for kind, q := range kinds {
		var ds []time.Duration
		for i := 0; i < cfg.Queries; i++ {
			t0 := time.Now()
			resp, err := client.Get(srv.URL() + "/epcis/events?" + q(i))
			if err != nil {
				return nil, err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return nil, fmt.Errorf("bench: query %s answered %s", q(i), resp.Status)
			}
			ds = append(ds, time.Since(t0))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		res.Latencies[kind] = [2]time.Duration{ds[len(ds)/2], ds[len(ds)*99/100]}
	}
	return res, nil
}

// RiskResult is what `critmin bench risk` reports.
type RiskResult struct {
	Indicators int
	// AllIndicators is the time to compute every commodity, stage and
	// year once, median over the runs.
	AllIndicators time.Duration
	// Dashboard is the server time of GET /risk on the demo data (loopback
	// round trip), p50 and p99.
	Dashboard [2]time.Duration
}

// Risk times the risk job: all concentration indicators, and the
// dashboard page on a server holding the demo corridor.
func Risk(ctx context.Context, cfg Config) (*RiskResult, error) {
	cfg.defaults()
	store, _, cleanup, err := openStore(ctx, &cfg, "risk")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	srv, _, err := server(store)
	if err != nil {
		return nil, err
	}
	defer srv.Shutdown(context.Background())
	if _, err := demo.Load(ctx, srv.Ledger); err != nil {
		return nil, err
	}
	res := &RiskResult{}
	var ds []time.Duration
	for i := 0; i < cfg.Queries; i++ {
		t0 := time.Now()
		all, err := srv.Risk.All()
		if err != nil {
			return nil, err
		}
		ds = append(ds, time.Since(t0))
		res.Indicators = len(all)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	res.AllIndicators = ds[len(ds)/2]
	client := &http.Client{Timeout: time.Minute}
	ds = ds[:0]
	for i := 0; i < cfg.Queries; i++ {
		q := []string{"/risk", "/risk?commodity=antimony", "/risk?commodity=copper&stage=refining&year=2025"}[i%3]
		t0 := time.Now()
		resp, err := client.Get(srv.URL() + q)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("bench: %s answered %s", q, resp.Status)
		}
		ds = append(ds, time.Since(t0))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	res.Dashboard = [2]time.Duration{ds[len(ds)/2], ds[len(ds)*99/100]}
	return res, nil
}

// load captures cfg.Events generated corridor events into store through
// the capture service, in documents of cfg.Batch events, reporting
// progress; it returns how many lots the events made and the seconds it
// took.
func load(ctx context.Context, cfg Config, store critmin.Store) (lots int, seconds float64, err error) {
	svc := custody.NewService(store)
	gen := NewGenerator(cfg.Seed)
	start := time.Now()
	for n := 0; n < cfg.Events; n += cfg.Batch {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: gen.Document(min(cfg.Batch, cfg.Events-n))}); err != nil {
			return 0, 0, err
		}
		if done := n + cfg.Batch; done%(cfg.Batch*50) == 0 {
			fmt.Fprintf(cfg.Progress, "loaded %d/%d events (%.0f events/s)\n", done, cfg.Events, float64(done)/time.Since(start).Seconds())
		}
	}
	return gen.Lots(), time.Since(start).Seconds(), nil
}
