package http

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/google/uuid"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/solver"
	"github.com/critmin/critmin/units"
)

// planner runs planning jobs in the background. A job's state lives in
// the store, so that every server on one database sees and cancels it: it
// is saved when it starts and when it ends (request, the planning file
// with the ledger's lots, plans and the solve log), and while it runs its
// owner (this process, a random ID) renews a lease every renew interval,
// recording progress and reading the cancel flag any server may set
// (RenewPlanJob). A job whose lease lapsed lost its owner and is marked
// abandoned by the next server that lists or reads jobs. Running jobs are
// also kept in memory here, for their live progress and cancel function.
type planner struct {
	// owner identifies this process as the runner of its jobs.
	owner string
	// lease is how long a job stays owned without a renewal; renew is
	// how often the owner renews it (and so how soon it sees a cancel
	// requested on another server).
	lease, renew time.Duration
	network      *plan.Network
	mu           sync.Mutex
	jobs         map[string]*planJob
	order        []string
	// workers bounds scenarios solved at once in a job.
	workers int
	// worker runs MIP solves in separate processes (critmin solve) so
	// that scenarios solve in parallel and cancellation stops a solve.
	worker solver.Worker
	// running counts job goroutines, for Shutdown to wait for.
	running sync.WaitGroup
}

// stopPlans cancels this process's running plan jobs — killing their
// solver workers, whose temporary directories SolveIn then removes — and
// waits for them to end, or for ctx.
func (s *Server) stopPlans(ctx context.Context) error {
	p := s.planner
	if p == nil {
		return nil
	}
	p.mu.Lock()
	for _, j := range p.jobs {
		if j.cancel != nil {
			j.cancel()
		}
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// planJob is one request to plan scenarios.
type planJob struct {
	ID        string       `json:"id"`
	Network   string       `json:"network"`
	Scenarios []string     `json:"scenarios"`
	Status    string       `json:"status"` // running, success, failed, cancelled
	Done      int          `json:"done"`
	Total     int          `json:"total"`
	Error     string       `json:"error,omitempty"`
	Created   time.Time    `json:"created"`
	Finished  *time.Time   `json:"finished,omitempty"`
	Plans     []*plan.Plan `json:"plans,omitempty"`
	Elastic   bool         `json:"elastic"`
	// Log is the solve summary: per scenario, the solver's status, gap,
	// model size and times. Each plan's raw solver log (CBC's and CLP's
	// own output) is its solver_log; GET /api/v1/plans/{id}/log serves
	// both as text.
	Log string `json:"log,omitempty"`
	// CancelRequested: a cancel was asked for (on any server) and the
	// job's owner stops it at its next lease renewal.
	CancelRequested bool `json:"cancelRequested,omitempty"`
	cancel          context.CancelFunc
	req             PlanRequest
}

// PlanRequest is the body of POST /api/v1/plans.
type PlanRequest struct {
	// Scenarios to plan; "baseline" is the unchanged network. Left out
	// (nil), the baseline and every scenario of the network; an empty
	// list is refused (it would plan nothing).
	Scenarios []string `json:"scenarios"`
	Elastic   bool     `json:"elastic"`
	// Gap is the relative MIP gap in [0, 1); left out, 0.005. An
	// explicit 0 is honoured: solve to proven optimality.
	Gap *float64 `json:"gap,omitempty"`
	// TimeLimitSeconds per scenario: more than 0, at most 3600; left out,
	// the solver's default (120).
	TimeLimitSeconds *float64 `json:"time_limit_seconds,omitempty"`
	// StartedBy is the name of the token that asks (set by the server
	// from the request, never read from a body): its running jobs are
	// capped (Server.PlanLimits).
	StartedBy string `json:"-"`
	// PricesAsOf (YYYY-MM-DD): contract terms are valued at the prices
	// last published on or before it; left out, the planning file's
	// prices_as_of, else today.
	PricesAsOf string `json:"prices_as_of,omitempty" default:"the planning file's prices_as_of, else today"`
}

// SetPlanWorker makes plan jobs solve their MIPs in worker processes.
func (s *Server) SetPlanWorker(w solver.Worker) {
	s.planner.mu.Lock()
	s.planner.worker = w
	s.planner.mu.Unlock()
}

// SetPlanNetwork sets the planning file the server plans (the demo
// corridor's by default).
func (s *Server) SetPlanNetwork(n *plan.Network) {
	s.planner.mu.Lock()
	s.planner.network = n
	s.planner.mu.Unlock()
}

func newPlanner() *planner {
	return &planner{network: plan.Demo(), jobs: map[string]*planJob{}, workers: max(2, runtime.NumCPU()),
		owner: uuid.NewString(), lease: PlanLease, renew: PlanLeaseRenew}
}

// PlanLease is how long a plan job stays owned by its server without a
// renewal, and PlanLeaseRenew how often the server renews it: a cancel
// requested on another server stops the job within PlanLeaseRenew, and a
// job whose server died is marked abandoned PlanLease after its last
// renewal at the latest.
const (
	PlanLease      = 30 * time.Second
	PlanLeaseRenew = 5 * time.Second
)

// SetPlanLease changes the plan jobs' lease and renewal interval (tests
// shorten them).
func (s *Server) SetPlanLease(lease, renew time.Duration) {
	s.planner.mu.Lock()
	s.planner.lease, s.planner.renew = lease, renew
	s.planner.mu.Unlock()
}

func (s *Server) planRoutes() {
	s.route("GET /api/v1/plans/network", accessRead, s.handlePlanNetwork)
	s.route("GET /api/v1/plans", accessRead, s.handlePlanList)
	s.route("POST /api/v1/plans", accessWrite, s.handlePlanCreate)
	s.route("GET /api/v1/plans/{id}", accessRead, s.handlePlanGet)
	s.route("DELETE /api/v1/plans/{id}", accessWrite, s.handlePlanCancel)
	s.route("GET /api/v1/plans/{id}/log", accessRead, s.handlePlanLog, "scenario")
}

// handlePlanNetwork returns the planning file in use. GET /api/v1/plans/network
func (s *Server) handlePlanNetwork(w http.ResponseWriter, r *http.Request) {
	s.planner.mu.Lock()
	n := s.planner.network
	s.planner.mu.Unlock()
	writeJSON(w, http.StatusOK, n)
}

// handlePlanList lists planning jobs, newest first, without their plans.
// GET /api/v1/plans
func (s *Server) handlePlanList(w http.ResponseWriter, r *http.Request) {
	jobs, err := s.listJobs(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": jobs})
}

func (p *planner) list() []planJob {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]planJob, 0, len(p.order))
	for i := len(p.order) - 1; i >= 0; i-- {
		j := *p.jobs[p.order[i]]
		j.Plans = nil
		out = append(out, j)
	}
	return out
}

// listJobs is the jobs of this process and, after them, the stored jobs
// of other servers and earlier runs, newest first. A store that does not
// answer is an error, never a shorter list (fix14p: the list answered
// 200 with only this process's jobs while the replica was down).
func (s *Server) listJobs(ctx context.Context) ([]planJob, error) {
	out := s.planner.list()
	if s.Store == nil {
		return out, nil
	}
	s.abandonLapsed(ctx)
	seen := map[string]bool{}
	for _, j := range out {
		seen[j.ID] = true
	}
	stored, err := s.Store.ListPlanJobs(ctx, 50)
	if err != nil {
		return nil, err
	}
	for _, rec := range stored {
		if !seen[rec.ID] {
			out = append(out, *fromStored(rec))
		}
	}
	return out, nil
}

// validate checks a plan request against the network; every field at
// fault is named.
func (p *planner) validate(req *PlanRequest) ([]string, plan.Options, error) {
	var errs []critmin.FieldError
	fail := func(ptr, format string, args ...any) {
		errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(format, args...)})
	}
	p.mu.Lock()
	n := p.network
	p.mu.Unlock()
	ids := req.Scenarios
	if ids != nil && len(ids) == 0 {
		fail("/scenarios", "an empty list plans nothing: name at least one scenario (\"baseline\" is the unchanged network), or leave the field out to plan them all")
	}
	if len(ids) == 0 {
		ids = []string{plan.Baseline}
		for _, v := range n.Scenarios {
			ids = append(ids, v.ID)
		}
	}
	if len(ids) > 200 {
		fail("/scenarios", "at most 200 scenarios per job, got %s", units.Int(len(ids)))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			fail(fmt.Sprintf("/scenarios/%d", i), "%q is listed twice", id)
		}
		seen[id] = true
		if id != plan.Baseline {
			if _, err := n.Variant(id); err != nil {
				fail(fmt.Sprintf("/scenarios/%d", i), "%s", critmin.ErrorMessage(err))
			}
		}
	}
	opt := plan.Options{Elastic: req.Elastic}
	gap := plan.DefaultGap
	if req.Gap != nil {
		if *req.Gap < 0 || *req.Gap >= 1 {
			fail("/gap", "%v is not a fraction in [0, 1)", *req.Gap)
		}
		gap = *req.Gap
	}
	opt.GapSet = true
	var limit time.Duration
	if tl := req.TimeLimitSeconds; tl != nil {
		if !(*tl > 0 && *tl <= 3600) {
			fail("/time_limit_seconds", "%v: must be more than 0 and at most 3600 seconds (leave it out for the default, 120)", *tl)
		} else {
			limit = time.Duration(*tl * float64(time.Second))
		}
	}
	if req.PricesAsOf != "" {
		if _, err := time.Parse(time.DateOnly, req.PricesAsOf); err != nil {
			fail("/prices_as_of", "%q is not a date (YYYY-MM-DD)", req.PricesAsOf)
		}
	}
	opt.Solver = solver.Options{Gap: gap, TimeLimit: limit, KeepLog: true}
	if len(errs) > 0 {
		return nil, opt, &critmin.Error{Code: critmin.EINVALID, Message: errs[0].Pointer + ": " + errs[0].Reason, Fields: errs}
	}
	return ids, opt, nil
}

// start starts a job; it pulls the ledger's lots first, then plans.
func (s *Server) startPlan(ids []string, opt plan.Options, pricesAsOf, startedBy string) (*planJob, error) {
	p := s.planner
	// The job's reads (the ledger's lots) decide what it plans: they read
	// the primary, not a --db-read replica (fix14p: "count lots" failed
	// with only the replica down).
	ctx, cancel := context.WithCancel(critmin.PrimaryReads(context.Background()))
	p.mu.Lock()
	// A random ID: several servers share one database, so an ID made of
	// the time and a per-process counter would repeat across them.
	j := &planJob{ID: "plan-" + uuid.NewString(), Network: p.network.ID, Scenarios: ids, Status: "running", Total: len(ids), Created: time.Now().UTC(), Elastic: opt.Elastic, cancel: cancel}
	lease, renew := p.lease, p.renew
	p.mu.Unlock()
	// The job is stored, counted against the limits on running jobs,
	// before it is known here or runs.
	if s.Store != nil {
		rec := &critmin.PlanJob{ID: j.ID, Network: j.Network, Scenarios: ids, Status: j.Status, Created: j.Created, Owner: p.owner, LeaseUntil: time.Now().Add(lease), StartedBy: startedBy, Request: json.RawMessage("{}")}
		if err := s.Store.StartPlanJob(context.Background(), rec, time.Now(), s.PlanLimits); err != nil {
			cancel()
			return nil, err
		}
	}
	p.mu.Lock()
	p.jobs[j.ID] = j
	p.order = append(p.order, j.ID)
	// Keep the last 50 jobs.
	for len(p.order) > 50 {
		delete(p.jobs, p.order[0])
		p.order = p.order[1:]
	}
	base := p.network
	opt.Worker = p.worker
	g := opt.Solver.Gap
	j.req = PlanRequest{Scenarios: ids, Elastic: opt.Elastic, Gap: &g, PricesAsOf: pricesAsOf}
	if opt.Solver.TimeLimit > 0 {
		tl := opt.Solver.TimeLimit.Seconds()
		j.req.TimeLimitSeconds = &tl
	}
	p.mu.Unlock()
	s.savePlanJob(j, nil, time.Now().Add(lease))
	stopRenewing := make(chan struct{})
	go s.renewPlanJob(j, lease, renew, stopRenewing)
	p.running.Add(1)
	go func() {
		defer p.running.Done()
		defer cancel()
		defer close(stopRenewing)
		n, err := withLedger(ctx, base, s.Store)
		var yields []plan.YieldChange
		if err == nil {
			n, yields, err = n.WithRefineryYields(ctx, s.Store)
		}
		if err == nil {
			// Contract terms into the plan (commercial.PlanTerms):
			// sales contracts naming a term sheet at its NSR, every
			// supply at a purchase contract's terms on its assays or
			// at the network's price table, at the spot prices of the
			// request's prices_as_of, else the file's, else today.
			n = n.Clone()
			tr := s.Trade()
			_, _, err = tr.PlanTerms(ctx, n, n.PricesOn(pricesAsOf, tr.Now()))
		}
		var plans []*plan.Plan
		if err == nil {
			plans, err = plan.RunMany(ctx, n, ids, opt, p.workers, func(done int) {
				p.mu.Lock()
				j.Done = done
				p.mu.Unlock()
			})
		}
		for _, pl := range plans {
			if pl != nil {
				pl.MeasuredYields = yields // which closed refinery period each yield comes from
			}
		}
		p.mu.Lock()
		now := time.Now().UTC()
		j.Finished = &now
		switch {
		case ctx.Err() != nil:
			j.Status, j.Error = critmin.PlanCancelled, fmt.Sprintf("cancelled by request after %s of %s scenarios were done", units.Int(j.Done), units.Int(j.Total))
		case err != nil:
			j.Status, j.Error = "failed", critmin.ErrorMessage(err)
			s.Logger.Error("plan job", slog.String("job", j.ID), slog.Any("err", err))
		default:
			j.Status, j.Plans = "success", plans
			j.Log = solveLog(plans)
		}
		p.mu.Unlock()
		s.savePlanJob(j, n, time.Time{})
	}()
	return j, nil
}

// renewPlanJob renews a running job's lease every renew until stop is
// closed, and cancels the job when the store says it should stop (a
// cancel requested on any server, or the job abandoned meanwhile). A
// failed renewal is logged and retried at the next tick; a lease that
// lapses meanwhile makes the job abandoned and the next renewal stops it.
func (s *Server) renewPlanJob(j *planJob, lease, renew time.Duration, stop <-chan struct{}) {
	if s.Store == nil {
		return
	}
	t := time.NewTicker(renew)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		s.planner.mu.Lock()
		done := j.Done
		s.planner.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), renew)
		halt, err := s.Store.RenewPlanJob(ctx, j.ID, s.planner.owner, done, time.Now().Add(lease))
		cancel()
		if err != nil {
			s.Logger.Warn("renew plan job lease", slog.String("job", j.ID), slog.Any("err", err))
			continue
		}
		if halt {
			s.planner.mu.Lock()
			if j.Status == critmin.PlanRunning {
				j.CancelRequested = true
				j.cancel()
			}
			s.planner.mu.Unlock()
			return
		}
	}
}

// abandonLapsed marks stored jobs whose owner stopped renewing them as
// abandoned — never this process's own, which run here whatever the
// database's delays (SQLite's writer, held through a long capture, can
// hold up a renewal); a store error is logged (the jobs then read as
// running).
func (s *Server) abandonLapsed(ctx context.Context) {
	if n, err := s.Store.AbandonPlanJobs(ctx, time.Now(), s.planner.owner); err != nil {
		s.Logger.Error("abandon lapsed plan jobs", slog.Any("err", err))
	} else if n > 0 {
		s.Logger.Warn("plan jobs abandoned: their server stopped renewing them", slog.Int("jobs", n))
	}
}

// solveLog is a job's solve log: one line per scenario.
func solveLog(plans []*plan.Plan) string {
	var b strings.Builder
	for _, p := range plans {
		fmt.Fprintf(&b, "%s: %s, gap %s %%, objective %s, %d columns × %d rows (%d integer), build %s s, solve %s s, %d lane openings re-solved",
			p.Scenario, p.Status, units.Fixed(100*p.Gap, 3), units.Fixed(p.Objective, 2), p.Size.Columns, p.Size.Rows, p.Size.Integers, units.Fixed(p.BuildSeconds, 3), units.Fixed(p.SolveSeconds, 3), len(p.LaneOpenings))
		if p.StrictStatus != "" {
			fmt.Fprintf(&b, "; %s as stated, planned elastically", p.StrictStatus)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// savePlanJob stores a job (n is the planning file it ran on, once the
// ledger is pulled; leaseUntil its lease while it runs). A store error is
// logged: the job still runs and is served from memory here.
func (s *Server) savePlanJob(j *planJob, n *plan.Network, leaseUntil time.Time) {
	if s.Store == nil {
		return
	}
	s.planner.mu.Lock()
	rec := &critmin.PlanJob{ID: j.ID, Network: j.Network, Scenarios: j.Scenarios, Status: j.Status, Error: j.Error, Created: j.Created, Finished: j.Finished, Log: j.Log,
		Owner: s.planner.owner, LeaseUntil: leaseUntil, Done: j.Done}
	req, _ := json.Marshal(j.req)
	rec.Request = req
	if j.Plans != nil {
		rec.Result, _ = json.Marshal(j.Plans)
	}
	s.planner.mu.Unlock()
	if n != nil {
		rec.Input, _ = json.Marshal(n)
	}
	if err := s.Store.SavePlanJob(context.Background(), rec); err != nil {
		s.Logger.Error("save plan job", slog.String("job", j.ID), slog.Any("err", err))
	}
}

// storedPlanJob reads a job from the store: one another server runs (or
// ran), or one of an earlier run of this server; a running job whose
// owner stopped renewing it is marked abandoned first.
func (s *Server) storedPlanJob(ctx context.Context, id string, withPlans bool) (*planJob, error) {
	if s.Store == nil {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no plan job %q", id)
	}
	s.abandonLapsed(ctx)
	rec, err := s.Store.FindPlanJob(ctx, id)
	if err != nil {
		return nil, err
	}
	j := fromStored(rec)
	if withPlans && len(rec.Result) > 0 && string(rec.Result) != "null" {
		if err := json.Unmarshal(rec.Result, &j.Plans); err != nil {
			return nil, fmt.Errorf("plan job %s: stored result: %w", id, err)
		}
	}
	if len(rec.Request) > 0 {
		_ = json.Unmarshal(rec.Request, &j.req)
		j.Elastic = j.req.Elastic
	}
	return j, nil
}

func fromStored(rec *critmin.PlanJob) *planJob {
	j := &planJob{ID: rec.ID, Network: rec.Network, Scenarios: rec.Scenarios, Status: rec.Status, Error: rec.Error, Created: rec.Created, Finished: rec.Finished,
		Total: len(rec.Scenarios), Done: rec.Done, Log: rec.Log, CancelRequested: rec.CancelRequested && rec.Status == critmin.PlanRunning}
	if j.Status == critmin.PlanSuccess {
		j.Done = j.Total
	}
	return j
}

// withLedger returns a copy of the network with the ledger's lots added
// as supplies (the network itself is shared by jobs and stays as loaded).
func withLedger(ctx context.Context, n *plan.Network, store critmin.Store) (*plan.Network, error) {
	if n.Ledger == nil {
		return n, nil
	}
	c := n.Clone()
	return c, c.PullLedger(ctx, store)
}

// handlePlanCreate starts planning. POST /api/v1/plans
func (s *Server) handlePlanCreate(w http.ResponseWriter, r *http.Request) {
	// One JSON value, as on every JSON route: an empty body is refused
	// (it started a job); {} asks for the defaults.
	var req PlanRequest
	if err := decodeBody(r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	ids, opt, err := s.planner.validate(&req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	j, err := s.startPlan(ids, opt, req.PricesAsOf, tokenName(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/plans/"+j.ID)
	writeJSON(w, http.StatusAccepted, s.planner.snapshot(j.ID, false))
}

// planJob returns a job of this process, or a stored one.
func (s *Server) planJob(ctx context.Context, id string) (*planJob, error) {
	if j := s.planner.snapshot(id, true); j != nil {
		return j, nil
	}
	return s.storedPlanJob(ctx, id, true)
}

func (p *planner) snapshot(id string, withPlans bool) *planJob {
	p.mu.Lock()
	defer p.mu.Unlock()
	j, ok := p.jobs[id]
	if !ok {
		return nil
	}
	c := *j
	if !withPlans {
		c.Plans = nil
	}
	return &c
}

// handlePlanGet returns a job with its progress and, when done, its
// plans. GET /api/v1/plans/{id}
func (s *Server) handlePlanGet(w http.ResponseWriter, r *http.Request) {
	j, err := s.planJob(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// handlePlanCancel cancels a running job, on whichever server runs it:
// the cancel flag is set in the store and the job's owner stops it at its
// next lease renewal (at once when it runs here); scenarios not yet
// started are dropped and the job ends as cancelled; a MIP solving in a
// worker process is killed (an in-process one runs to its time limit).
// An ended job is returned unchanged. DELETE /api/v1/plans/{id}
func (s *Server) handlePlanCancel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p := s.planner
	p.mu.Lock()
	j, ok := p.jobs[id]
	if ok && j.Status == critmin.PlanRunning {
		j.CancelRequested = true
		j.cancel()
	}
	p.mu.Unlock()
	if s.Store != nil {
		rec, err := s.Store.CancelPlanJob(r.Context(), id)
		if err != nil && !(ok && critmin.ErrorCode(err) == critmin.ENOTFOUND) {
			s.Error(w, r, err)
			return
		}
		if !ok {
			writeJSON(w, http.StatusAccepted, fromStored(rec))
			return
		}
	}
	if !ok {
		s.Error(w, r, critmin.Errorf(critmin.ENOTFOUND, "no plan job %q", id))
		return
	}
	writeJSON(w, http.StatusAccepted, s.planner.snapshot(id, false))
}

// JobLog is a job's whole log as text: the summary, then each scenario's
// raw solver log under a heading; with scenario set, that scenario's
// raw log alone (ENOTFOUND if the job has no such plan).
func JobLog(j *planJob, scenario string) (string, error) {
	var b strings.Builder
	if scenario == "" {
		fmt.Fprintf(&b, "plan job %s (%s), %s\n\n", j.ID, j.Network, j.Status)
		b.WriteString(j.Log)
	}
	found := false
	for _, p := range j.Plans {
		if p == nil || (scenario != "" && p.Scenario != scenario) {
			continue
		}
		found = true
		fmt.Fprintf(&b, "\n######## scenario %s: %s ########\n", p.Scenario, p.Title)
		if p.SolverLog == "" {
			b.WriteString("(no solver log was kept for this plan)\n")
		}
		b.WriteString(p.SolverLog)
	}
	if scenario != "" && !found {
		return "", critmin.Errorf(critmin.ENOTFOUND, "plan job %s has no plan of scenario %q", j.ID, scenario)
	}
	return b.String(), nil
}

// handlePlanLog serves a job's log as a text download: the summary and
// every scenario's raw solver log, or one scenario's with ?scenario=ID.
// GET /api/v1/plans/{id}/log
func (s *Server) handlePlanLog(w http.ResponseWriter, r *http.Request) {
	j, err := s.planJob(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	scen := r.URL.Query().Get("scenario")
	text, err := JobLog(j, scen)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	name := j.ID
	if scen != "" {
		name += "-" + scen
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ".log"}))
	_, _ = io.WriteString(w, text)
}
