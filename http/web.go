package http

import (
	"context"
	"net/http"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/risk"
)

// This file is what the web package (the HTML pages) uses of the server:
// route registration with an access level, authentication, the mapping of
// domain errors to statuses, and the jobs the server runs (plans,
// certificates). The pages themselves live in package web.

// Access levels of a route, for Route.
const (
	AccessPublic = accessPublic // anyone: login, static assets
	AccessRead   = accessRead   // a token, or none on a public-read server
	AccessWrite  = accessWrite  // a token whose role may write
	AccessAdmin  = accessAdmin  // an admin token
)

// Route registers a page behind the access check of level access
// (AccessPublic, AccessRead or AccessWrite), accepting the query
// parameters named by query and no other (a 400 page through PageError
// naming it; query.go).
func (s *Server) Route(pattern string, access int, h http.HandlerFunc, query ...string) {
	s.register(pattern, access, true, h, query)
}

// HandlePublic registers a handler without access check and without
// listing it in Routes (static assets).
func (s *Server) HandlePublic(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Authenticate returns the token a request carries, nil if none, or an
// EUNAUTHORIZED error for a token the server does not know.
func (s *Server) Authenticate(r *http.Request) (*critmin.Token, error) { return s.authenticate(r) }

// StatusOf is the HTTP status of a domain error (EINVALID → 400 …).
func StatusOf(err error) int { return codeStatus[critmin.ErrorCode(err)] }

// TokenName names the token of an authenticated request ("" if none).
func TokenName(r *http.Request) string { return tokenName(r) }

// CountCaptured adds n stored events to the capture counter of /metrics.
func (s *Server) CountCaptured(n int) { s.metrics.addCaptured(n) }

// LotFilterOf reads and validates the lot list parameters of a request
// (the API's and the lot page's: commodity, status, location,
// destination, limit, offset).
func LotFilterOf(r *http.Request) (LotQuery, error) { return lotFilter(r) }

// LotEvents returns a lot's events in event-time order (ENOTFOUND if no
// such lot).
func (s *Server) LotEvents(r *http.Request, id string) ([]*critmin.Event, error) {
	return s.lotEvents(r, id)
}

// Exposure is the US exposure of a commodity with the ledger's sourcing.
func (s *Server) Exposure(r *http.Request, commodity string) (*risk.Exposure, error) {
	return s.exposure(r, commodity)
}

// Params reads query parameters, refusing unknown ones (see ReadParams).
type Params = params

// ReadParams reads a request's query, allowing only the names given (and
// format=json|csv).
func ReadParams(r *http.Request, allowed ...string) *Params {
	p := readParams(r, allowed...)
	p.page = true
	return p
}

// Str is the parameter's value, or def.
func (p *params) Str(name, def string) string { return p.str(name, def) }

// Int is the parameter as an integer, or def; a non-integer is an error.
func (p *params) Int(name string, def int) int { return p.int(name, def) }

// Float is the parameter as a number ≥ 0, or 0.
func (p *params) Float(name string) float64 { return p.float(name) }

// Floats is the parameter as comma-separated numbers, or nil.
func (p *params) Floats(name string) []float64 { return p.floats(name) }

// Err is every parameter at fault as one EINVALID error, or nil.
func (p *params) Err() error { return p.err() }

// PlanJob is a planning job as GET /api/v1/plans/{id} shows it.
type PlanJob = planJob

// ListPlanJobs lists planning jobs, newest first, without their plans:
// this process's, then the stored ones of other servers and earlier runs.
// A store that does not answer is an error, never a shorter list.
func (s *Server) ListPlanJobs(ctx context.Context) ([]PlanJob, error) { return s.listJobs(ctx) }

// PlanJobs is ListPlanJobs for tests: it fails the caller's expectations
// loudly (nil) rather than hiding a store error behind a short list.
func (s *Server) PlanJobs() []PlanJob {
	jobs, err := s.listJobs(context.Background())
	if err != nil {
		return nil
	}
	return jobs
}

// LookupPlanJob returns a job with its plans — running here or stored;
// ENOTFOUND when there is none, or the store's error.
func (s *Server) LookupPlanJob(ctx context.Context, id string) (*PlanJob, error) {
	return s.planJob(ctx, id)
}

// FindPlanJob returns a job with its plans — running here or stored —
// or nil (tests; pages use LookupPlanJob).
func (s *Server) FindPlanJob(id string) *PlanJob {
	j, err := s.planJob(context.Background(), id)
	if err != nil {
		return nil
	}
	return j
}

// LatestPlan returns the newest successful job with its plans, nil when
// none has succeeded, or the store's error.
func (s *Server) LatestPlan(ctx context.Context) (*PlanJob, error) {
	jobs, err := s.listJobs(ctx)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if j.Status == critmin.PlanSuccess {
			return s.planJob(ctx, j.ID)
		}
	}
	return nil, nil
}

// LatestPlanJob is LatestPlan for tests: nil on no job or an error.
func (s *Server) LatestPlanJob() *PlanJob {
	j, err := s.LatestPlan(context.Background())
	if err != nil {
		return nil
	}
	return j
}

// PlanNetwork is the planning file the server plans.
func (s *Server) PlanNetwork() *plan.Network {
	s.planner.mu.Lock()
	defer s.planner.mu.Unlock()
	return s.planner.network
}

// StartPlan validates a request as POST /api/v1/plans does and starts the
// job (EINVALID naming every field at fault).
func (s *Server) StartPlan(req PlanRequest) (*PlanJob, error) {
	ids, opt, err := s.planner.validate(&req)
	if err != nil {
		return nil, err
	}
	return s.startPlan(ids, opt, req.PricesAsOf, req.StartedBy)
}

// RulePack is the rule pack lot pages and certificates apply.
func (s *Server) RulePack() *custody.Pack { return s.prove.Rules }

// IssuedCertificate is the certificate issued on the lot's current
// evidence, or ENOTFOUND; it writes nothing (custody.Issued).
func (s *Server) IssuedCertificate(ctx context.Context, lot string) (custody.Certificate, error) {
	return custody.Issued(ctx, s.Store, lot, s.prove.Rules, s.prove.Issuer)
}

// IssueCertificate issues a signed origin certificate for a lot now.
func (s *Server) IssueCertificate(ctx context.Context, lot string) (custody.Certificate, error) {
	return custody.Issue(ctx, s.Store, lot, s.prove.Rules, s.prove.SigningKey, s.prove.Issuer, time.Now())
}
