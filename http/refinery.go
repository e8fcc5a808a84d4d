package http

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// maxProblemBytes bounds a posted refinery problem (a month of a large
// flowsheet is well under 1 MiB).
const maxProblemBytes = 8 << 20

func (s *Server) refineryRoutes() {
	s.route("GET /api/v1/refinery/demo", accessRead, s.handleRefineryDemo)
	s.route("POST /api/v1/refinery/reconcile", accessRead, s.handleRefineryReconcile, "site", "period")
	s.route("POST /api/v1/refinery/report", accessRead, s.handleRefineryReportPosted, "site", "period", "format:json|csv|xlsx")
	s.route("GET /api/v1/refinery/report", accessRead, s.handleRefineryReportClosed, "site", "period", "format:json|csv|xlsx")
	s.route("POST /api/v1/refinery/close", accessWrite, s.handleRefineryClose, "site", "period", "accept")
	s.route("POST /api/v1/refinery/reopen", accessWrite, s.handleRefineryReopen)
	s.route("GET /api/v1/refinery/periods", accessRead, s.handleRefineryPeriods, "site", "period")
	s.route("GET /api/v1/refinery/recoveries", accessRead, s.handleRefineryRecoveries, "site", "element:element", "period")
}

// queryOf reads a request's query, refusing parameters other than allowed
// and a format other than json, csv or xlsx.
func queryOf(r *http.Request, allowed ...string) (url.Values, error) {
	q := r.URL.Query()
	var fields []critmin.FieldError
	for k := range q {
		if !slices.Contains(allowed, k) {
			fields = append(fields, critmin.FieldError{Pointer: k, Reason: "unknown query parameter (allowed: " + strings.Join(allowed, ", ") + ")"})
		}
	}
	if f := q.Get("format"); f != "" && f != "json" && f != "csv" && f != "xlsx" {
		fields = append(fields, critmin.FieldError{Pointer: "format", Reason: "must be json, csv or xlsx"})
	}
	if p := q.Get("period"); q.Has("period") && !refinery.ValidPeriod(p) {
		// ?period= (empty) is a period given badly, not left out.
		fields = append(fields, critmin.FieldError{Pointer: "period", Reason: refinery.PeriodReason(p)})
	}
	if len(fields) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: fields[0].Pointer + ": " + fields[0].Reason, Fields: fields}
	}
	return q, nil
}

// queryAndProblem reads the query (queryOf, with the allowed parameters
// and site and period), then the posted problem (readProblem) — or, with
// ?site=&period=YYYY-MM, the posted flowsheet filled with that site's and
// month's measurements from the ledger (refinery.FromLedger: transformation
// events, sensor reports at the read points, stock surveys).
func (s *Server) queryAndProblem(w http.ResponseWriter, r *http.Request, allowed ...string) (url.Values, *refinery.Problem, error) {
	q, err := queryOf(r, append(allowed, "site", "period")...)
	if err != nil {
		return nil, nil, err
	}
	site, period := q.Get("site"), q.Get("period")
	if site == "" && period == "" {
		p, err := readProblem(w, r)
		return q, p, err
	}
	if site == "" || period == "" {
		return nil, nil, critmin.FieldErrorf("site", "site and period go together (the flowsheet is filled from the ledger for that site and month)")
	}
	body, err := readJSONBodyLimit(r, maxProblemBytes)
	if err != nil {
		return nil, nil, err
	}
	flow, err := refinery.DecodeProblemUnvalidated(bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	p, err := refinery.FromLedger(r.Context(), s.Store, flow, site, period, refinery.Precision{})
	return q, p, err
}

// readProblem decodes a posted problem; errors are EINVALID naming the
// field (JSON pointer) at fault, or ETOOLARGE.
func readProblem(w http.ResponseWriter, r *http.Request) (*refinery.Problem, error) {
	body, err := readJSONBodyLimit(r, maxProblemBytes)
	if err != nil {
		return nil, err
	}
	return refinery.DecodeProblem(bytes.NewReader(body))
}

// handleRefineryDemo returns the demo refinery's flowsheet with its
// illustrative month of measurements. GET /api/v1/refinery/demo
func (s *Server) handleRefineryDemo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(refinery.DemoMonthJSON())
}

// handleRefineryReconcile reconciles a posted problem (the plain problem
// or flowsheet format) and returns the reconciliation. It stores nothing.
// POST /api/v1/refinery/reconcile[?site=&period=]
func (s *Server) handleRefineryReconcile(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.queryAndProblem(w, r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := refinery.ReconcileContext(r.Context(), p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// writeReport answers with a report as JSON, CSV or XLSX by ?format=.
func (s *Server) writeReport(w http.ResponseWriter, r *http.Request, rep *refinery.Report, format string) {
	name := reportName(rep)
	switch format {
	case "", "json":
		writeJSON(w, http.StatusOK, rep)
	case "csv":
		s.writeAttachment(w, r, rep.WriteCSV, "text/csv; charset=utf-8", name+".csv")
	case "xlsx":
		s.writeAttachment(w, r, rep.WriteXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name+".xlsx")
	default:
		s.Error(w, r, critmin.FieldErrorf("format", "must be json, csv or xlsx, not %q", format))
	}
}

// writeAttachment renders a file with write, in full, then answers with it
// as an attachment of the content type and file name; an error in write
// is answered instead.
func (s *Server) writeAttachment(w http.ResponseWriter, r *http.Request, write func(io.Writer) error, contentType, filename string) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	_, _ = w.Write(b.Bytes())
}

// reportName is the file name of a report download: refinery-report,
// then the site and the period where the report has them (a posted
// problem may have neither: "refinery-report", never "refinery-report--").
func reportName(rep *refinery.Report) string {
	name := "refinery-report"
	for _, part := range []string{rep.Site, rep.Period} {
		if part != "" {
			name += "-" + safeName(part)
		}
	}
	return name
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// handleRefineryReportPosted reconciles a posted problem and returns its
// (unsigned) monthly report. POST /api/v1/refinery/report?format=json|csv|xlsx[&site=&period=]
func (s *Server) handleRefineryReportPosted(w http.ResponseWriter, r *http.Request) {
	q, p, err := s.queryAndProblem(w, r, "format")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := refinery.ReconcileContext(r.Context(), p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeReport(w, r, refinery.NewReport(p, res, nil, time.Now()), q.Get("format"))
}

// handleRefineryReportClosed returns the signed-off report of a closed
// period. GET /api/v1/refinery/report?site=…&period=YYYY-MM&format=json|csv|xlsx
func (s *Server) handleRefineryReportClosed(w http.ResponseWriter, r *http.Request) {
	q, err := queryOf(r, "site", "period", "format")
	if err == nil && (q.Get("site") == "" || q.Get("period") == "") {
		err = critmin.FieldErrorf("site", "site and period are required")
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	site, period := q.Get("site"), q.Get("period")
	rec, p, res, err := refinery.ClosedResult(r.Context(), s.Store, site, period)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	rep := refinery.NewReport(p, res, rec, time.Now())
	if err := rep.CheckStale(r.Context(), s.Store); err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeReport(w, r, rep, q.Get("format"))
}

// handleRefineryClose reconciles the posted problem and closes its site
// and period, signed with the server's key and chained in the audit
// trail; ?accept=REASON closes a period whose global test fails, whose
// reconciliation removed measurements, has dof 0 or holds a bound. 201 with
// the close record. POST /api/v1/refinery/close[?site=&period=]
func (s *Server) handleRefineryClose(w http.ResponseWriter, r *http.Request) {
	q, p, err := s.queryAndProblem(w, r, "accept")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	rec, err := s.CloseRefineryPeriod(r, p, q.Get("accept"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, periodView(rec))
}

// CloseRefineryPeriod reconciles p and closes its site and period as the
// request's token (operator or admin), signed with the server's key and
// chained in the audit trail: the API's close and the page's.
func (s *Server) CloseRefineryPeriod(r *http.Request, p *refinery.Problem, accept string) (*critmin.PeriodRecord, error) {
	rec, _, err := refinery.Close(r.Context(), s.Store, p, actorOf(r), accept, s.prove.SigningKey, time.Now())
	return rec, err
}

// handleRefineryReopen reopens a closed period; it needs an admin token
// and a reason. Body: {"site": …, "period": "YYYY-MM", "reason": …}.
// POST /api/v1/refinery/reopen
func (s *Server) handleRefineryReopen(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Site   string `json:"site"`
		Period string `json:"period"`
		Reason string `json:"reason"`
	}
	if err := decodeJSONLimit(r, &body, 1<<16); err != nil {
		s.Error(w, r, err)
		return
	}
	if body.Site == "" {
		s.Error(w, r, critmin.FieldErrorf("/site", "the site is required (the site whose period is reopened)"))
		return
	}
	if !refinery.ValidPeriod(body.Period) {
		s.Error(w, r, refinery.PeriodError("/period", body.Period))
		return
	}
	rec, err := refinery.ReopenPeriod(r.Context(), s.Store, body.Site, body.Period, actorOf(r), body.Reason, s.prove.SigningKey, time.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, periodView(rec))
}

func actorOf(r *http.Request) refinery.Actor {
	if t := tokenOf(r); t != nil {
		return refinery.Actor{Name: t.Name, Role: t.Role}
	}
	return refinery.Actor{}
}

// periodView is a period record without its (large) problem and result.
func periodView(rec *critmin.PeriodRecord) *critmin.PeriodRecord {
	v := *rec
	v.Problem, v.Result = "", ""
	return &v
}

// handleRefineryPeriods returns the audit trail of closes and reopens,
// oldest first, and whether the chain verifies.
// GET /api/v1/refinery/periods?site=…&period=…
func (s *Server) handleRefineryPeriods(w http.ResponseWriter, r *http.Request) {
	q, err := queryOf(r, "site", "period")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	all, err := s.Store.PeriodRecords(r.Context(), "", "")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	verdict := "verified"
	anchors, err := s.Store.PeriodAnchors(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := refinery.VerifyChain(all, anchors, append(s.Store.PeriodKeys(), s.pub())); err != nil {
		verdict = err.Error()
	}
	site, period := q.Get("site"), q.Get("period")
	out := []*critmin.PeriodRecord{}
	for _, rec := range all {
		if (site == "" || rec.Site == site) && (period == "" || rec.Period == period) {
			out = append(out, periodView(rec))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"records": out, "chain": verdict})
}

// handleRefineryRecoveries returns a closed period's reconciled recovery
// of an element into each product stream, for the planner's line yields
// and the mass balance's conversion factors.
// GET /api/v1/refinery/recoveries?site=…&element=…&period=YYYY-MM
func (s *Server) handleRefineryRecoveries(w http.ResponseWriter, r *http.Request) {
	q, err := queryOf(r, "site", "element", "period")
	site, el, period := q.Get("site"), q.Get("element"), q.Get("period")
	if err == nil && (site == "" || el == "" || period == "") {
		err = critmin.FieldErrorf("site", "site, element and period are required")
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	rec, err := refinery.RecoveryFor(r.Context(), s.Store, site, el, period)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}
