package http

import (
	"net/http"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

func (s *Server) massBalanceRoutes() {
	s.route("GET /api/v1/sites/{id}/mass-balance", accessRead, s.handleMassBalanceGet)
	s.route("PUT /api/v1/sites/{id}/mass-balance", accessWrite, s.handleMassBalancePut)
	s.route("GET /api/v1/sites/{id}/mass-balance/statement", accessRead, s.handleMassBalanceStatement, "period", "format:json|csv")
}

// SetConversionSource plugs the source of mass-balance conversion factors
// (for example the refinery's reconciled recoveries); nil: the declared
// factors.
func (s *Server) SetConversionSource(c custody.ConversionSource) { s.prove.Conversion = c }

// handleMassBalanceGet returns a site's mass-balance declaration.
// GET /api/v1/sites/{id}/mass-balance
func (s *Server) handleMassBalanceGet(w http.ResponseWriter, r *http.Request) {
	d, err := s.Store.FindMassBalance(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleMassBalancePut declares a site's mass-balance categories,
// periods and carry-forward as its next version, effective from
// effectiveFrom; a version that would rewrite a period that has ended or
// holds a claim is refused (custody.DeclareMassBalance), and a refused
// declaration stores nothing. PUT /api/v1/sites/{id}/mass-balance
func (s *Server) handleMassBalancePut(w http.ResponseWriter, r *http.Request) {
	var d critmin.MassBalanceDeclaration
	if err := decodeBody(r, &d); err != nil {
		s.Error(w, r, err)
		return
	}
	// The version and declaration time are the server's: a value sent
	// for either would be replaced silently.
	if d.Version != 0 {
		s.Error(w, r, critmin.FieldErrorf("/version", "%d: versions are numbered by the server when a declaration is stored; leave version out", d.Version))
		return
	}
	if !d.DeclaredAt.IsZero() {
		s.Error(w, r, critmin.FieldErrorf("/declaredAt", "a declaration is dated by the server when it is stored; leave declaredAt out"))
		return
	}
	site := r.PathValue("id")
	if d.Site != "" && d.Site != site {
		s.Error(w, r, critmin.FieldErrorf("/site", "%q is not the site of the path, %q", d.Site, site))
		return
	}
	d.Site = site
	if err := custody.DeclareMassBalance(r.Context(), s.Store, &d, s.Ledger.Now()); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &d)
}

// handleMassBalanceStatement gives a site's mass-balance statement for a
// claim period (default: the current one): per material category and
// origin, opening, credits, claims, expired and closing balance in tonnes
// of qualifying element, with the events behind each line and, for an
// ended period restated after its close, "restated" (its figures as at
// close and the declarations in error that changed them); CSV with
// Accept: text/csv or ?format=csv.
// GET /api/v1/sites/{id}/mass-balance/statement?period=ID
func (s *Server) handleMassBalanceStatement(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "period", "format")
	period := p.str("period", "")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	st, err := custody.StatementOf(r.Context(), s.Store, r.PathValue("id"), period, s.prove.Conversion, time.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	respondFigures(w, r, st, func() table { return statementTable(st) })
}

func statementTable(st *custody.Statement) table {
	return table{name: "mass-balance-statement", header: custody.StatementHeader, rows: custody.StatementRows(st)}
}

// MassBalanceStatement is a site's statement for a claim period with the
// server's conversion source, for the site's page.
func (s *Server) MassBalanceStatement(r *http.Request, site, period string) (*custody.Statement, error) {
	return custody.StatementOf(r.Context(), s.Store, site, period, s.prove.Conversion, time.Now())
}
