package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/sqlite"
)

// SoakConfig is a kill -9 campaign: Cycles times, a real `critmin serve`
// process is started on one database, Loaders clients capture generated
// documents of DocEvents events into it, and the process is killed with
// SIGKILL at a random moment between MinUp and MaxUp after it answers.
type SoakConfig struct {
	// Binary is the critmin executable to run as the server.
	Binary string
	Cycles int
	// PostgresAdmin selects PostgreSQL: a scratch database is created on
	// that server; otherwise a SQLite file in Dir (or a temporary one).
	PostgresAdmin string
	// DBPrefix begins the scratch PostgreSQL database's name
	// (default critmin_soak_).
	DBPrefix     string
	Dir          string
	Loaders      int
	DocEvents    int
	MinUp, MaxUp time.Duration
	Seed         uint64
	Progress     io.Writer
}

// SoakResult counts what the campaign saw. Acknowledged events were in a
// document the server answered 202 for; Lost are acknowledged events not
// in the database after the restart; Partial are documents of which some
// but not all events were stored (a capture is all or nothing under
// rollback, acknowledged or not). VerifyFailures counts cycles after which
// `verify` found the tamper-evident record inconsistent.
type SoakResult struct {
	Backend        string
	Cycles         int
	Documents      int
	Acknowledged   int
	Unacknowledged int
	Lost           int
	Partial        int
	VerifyFailures int
	Events         int64
	// Refused counts documents the server answered with a 4xx (over a
	// limit, invalid); FirstRefusal is the first one's status and detail.
	Refused      int
	FirstRefusal string
}

// Soak runs the campaign and returns its counts. It stops early with an
// error only when the campaign itself cannot run (no binary, no database).
func Soak(ctx context.Context, cfg SoakConfig) (*SoakResult, error) {
	if cfg.Binary == "" {
		return nil, fmt.Errorf("soak: no critmin binary to run")
	}
	if cfg.Cycles < 1 || cfg.Loaders < 1 || cfg.DocEvents < 1 || cfg.MaxUp < cfg.MinUp {
		return nil, fmt.Errorf("soak: cycles, loaders and events per document must be positive, and max up ≥ min up")
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	res := &SoakResult{Backend: "sqlite"}
	var dsn string
	if cfg.Dir != "" && cfg.PostgresAdmin == "" {
		if err := soakDirFree(cfg.Dir); err != nil {
			return nil, err
		}
	}
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "critmin-soak-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		cfg.Dir = d
	}
	if cfg.PostgresAdmin != "" {
		prefix := cfg.DBPrefix
		if prefix == "" {
			prefix = "critmin_soak_"
		}
		d, drop, err := postgres.CreateDatabase(ctx, cfg.PostgresAdmin, prefix)
		if err != nil {
			return nil, err
		}
		defer drop()
		dsn, res.Backend = d, "postgres"
	} else {
		dsn = filepath.Join(cfg.Dir, "soak.db")
	}
	token, err := soakToken(ctx, dsn)
	if err != nil {
		return nil, err
	}
	gen := NewGenerator(cfg.Seed)
	var genMu sync.Mutex
	rnd := rand.New(rand.NewPCG(cfg.Seed, 7))
	var docs []soakDoc // every document sent, acknowledged or not
	for cycle := 1; cycle <= cfg.Cycles; cycle++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		up := cfg.MinUp + time.Duration(rnd.Int64N(int64(cfg.MaxUp-cfg.MinUp)+1))
		sent, err := soakCycle(ctx, cfg, dsn, token, up, func() []byte {
			genMu.Lock()
			defer genMu.Unlock()
			return gen.Document(cfg.DocEvents)
		})
		if err != nil {
			return res, fmt.Errorf("soak: cycle %d: %w", cycle, err)
		}
		docs = append(docs, sent...)
		lost, partial, events, verr := soakCheck(ctx, dsn, docs)
		res.Cycles = cycle
		res.Lost, res.Partial, res.Events = lost, partial, events
		if verr != nil {
			res.VerifyFailures++
			fmt.Fprintf(progress, "cycle %d: verify: %v\n", cycle, verr)
		}
		fmt.Fprintf(progress, "cycle %d/%d: up %s, %d documents sent, %d events stored, lost %d, partial %d\n", cycle, cfg.Cycles, up.Round(time.Millisecond), len(sent), events, lost, partial)
	}
	for _, d := range docs {
		res.Documents++
		if d.refusal != "" {
			if res.Refused == 0 {
				res.FirstRefusal = d.refusal
			}
			res.Refused++
		}
		if d.acked {
			res.Acknowledged += len(d.ids)
		} else {
			res.Unacknowledged += len(d.ids)
		}
	}
	return res, nil
}

// soakDirFree refuses a --dir that holds the database of an earlier
// campaign (soak.db, its WAL and shared-memory files, its signing key):
// the campaign counts every event stored against the documents it sent,
// so it needs a new database, and reusing one failed on the second run
// with only 'a token named "soak" exists'. It names what is there and
// what to do; other files in the directory are left alone.
func soakDirFree(dir string) error {
	found, err := filepath.Glob(filepath.Join(dir, "soak.db*"))
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return nil
	}
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = filepath.Base(f)
	}
	return critmin.FieldErrorf("--dir", "%s already holds an earlier campaign's database (%s); the soak test needs a new one to count lost events — remove those files (rm %s) or give another --dir (or none: a temporary one)", dir, strings.Join(names, ", "), filepath.Join(dir, "soak.db*"))
}

type soakDoc struct {
	ids   []string
	acked bool
	// refusal is a 4xx answer's status and the start of its body.
	refusal string
}

// soakToken creates the database (migrating it) and an operator token.
func soakToken(ctx context.Context, dsn string) (string, error) {
	var store critmin.Store
	var err error
	if postgres.IsDSN(dsn) {
		store, err = postgres.Open(ctx, dsn)
	} else {
		store, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return "", err
	}
	defer store.Close()
	secret, _, err := critmin.IssueToken(ctx, store, "soak", critmin.RoleOperator, time.Time{}, time.Now())
	return secret, err
}

// soakCycle starts the server, loads it for up, kills it with SIGKILL and
// returns the documents sent, each marked acknowledged (202) or not.
func soakCycle(ctx context.Context, cfg SoakConfig, dsn, token string, up time.Duration, next func() []byte) ([]soakDoc, error) {
	cmd := exec.CommandContext(ctx, cfg.Binary, "serve", "--db", dsn, "--addr", "127.0.0.1:0")
	// The server keeps its signing key in the data directory.
	cmd.Env = append(os.Environ(), "CRITMIN_DATA="+cfg.Dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	url := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "critmin is serving on "); ok {
			url = u
			break
		}
	}
	if url == "" {
		return nil, fmt.Errorf("server did not report its address")
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	var mu sync.Mutex
	var sent []soakDoc
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range cfg.Loaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				body := next()
				ids, err := eventIDs(body)
				if err != nil {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, "POST", url+"/epcis/capture", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/ld+json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				acked := err == nil && resp.StatusCode == http.StatusAccepted
				refusal := ""
				if err == nil {
					if resp.StatusCode >= 400 && resp.StatusCode < 500 {
						b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
						refusal = resp.Status + " " + strings.TrimSpace(string(b))
					}
					resp.Body.Close()
				}
				mu.Lock()
				sent = append(sent, soakDoc{ids: ids, acked: acked, refusal: refusal})
				mu.Unlock()
				if err != nil {
					return // the server is gone
				}
			}
		}()
	}
	time.Sleep(up)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return nil, err
	}
	killed = true
	_ = cmd.Wait()
	close(stop)
	wg.Wait()
	return sent, nil
}

func eventIDs(doc []byte) ([]string, error) {
	var d struct {
		EPCISBody struct {
			EventList []struct {
				EventID string `json:"eventID"`
			} `json:"eventList"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	ids := make([]string, len(d.EPCISBody.EventList))
	for i, e := range d.EPCISBody.EventList {
		ids[i] = e.EventID
	}
	return ids, nil
}

// soakCheck reopens the database after a kill: every acknowledged event
// must be there, no document may be half stored, and verify must pass.
func soakCheck(ctx context.Context, dsn string, docs []soakDoc) (lost, partial int, events int64, verifyErr error) {
	var store critmin.Store
	var err error
	if postgres.IsDSN(dsn) {
		store, err = postgres.Open(ctx, dsn)
	} else {
		store, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	defer store.Close()
	stored := map[string]bool{}
	f := critmin.EventFilter{OrderBy: "recordTime", OrderAscending: true, Limit: 5000}
	for {
		page, err := store.FindEvents(ctx, f)
		if err != nil {
			return lost, partial, events, err
		}
		for _, e := range page.Events {
			stored[e.EventID] = true
		}
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	for _, d := range docs {
		present := 0
		for _, id := range d.ids {
			if stored[id] {
				present++
			}
		}
		if d.acked {
			lost += len(d.ids) - present
		}
		if present > 0 && present < len(d.ids) {
			partial++
		}
	}
	events, err = store.CountEvents(ctx)
	if err != nil {
		return lost, partial, events, err
	}
	rep, err := custody.VerifyStore(ctx, store)
	if err != nil {
		return lost, partial, events, err
	}
	if rep.Problem != nil {
		return lost, partial, events, fmt.Errorf("%v", rep.Problem)
	}
	return lost, partial, events, nil
}
