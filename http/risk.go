package http

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/refdata"
	"github.com/critmin/critmin/risk"
	"github.com/critmin/critmin/scenario"
)

func (s *Server) riskRoutes() {
	s.route("GET /api/v1/risk/datasets", accessRead, s.handleDatasets, "format:json|csv")
	s.route("GET /api/v1/risk/concentration", accessRead, s.handleConcentration, "commodity", "stage", "year", "edition", "format:json|csv")
	s.route("GET /api/v1/risk/series", accessRead, s.handleSeries, "commodity", "stage", "format:json|csv")
	s.route("GET /api/v1/risk/exposure", accessRead, s.handleExposure, "commodity", "format:json|csv")
	s.route("GET /api/v1/risk/corridor", accessRead, s.handleCorridor, append(slices.Clone(corridorParams), "format:json|csv")...)
	s.route("POST /api/v1/risk/corridor", accessRead, s.handleCorridor, "format:json|csv")
	s.route("GET /api/v1/risk/scenarios", accessRead, s.handleScenarioList, "commodity:scenario-commodity", "format:json|csv")
	s.route("GET /api/v1/risk/scenarios/{id}", accessRead, s.handleScenarioRun, "commodity", "from", "to", "us_imports", "format:json|csv")
	s.route("POST /api/v1/risk/scenarios/run", accessRead, s.handleScenarioRun, "commodity", "from", "to", "us_imports", "format:json|csv")
	s.route("POST /api/v1/risk/stockpile", accessRead, s.handleStockpile, "format:json|csv")
	s.route("GET /api/v1/risk/stockpile/example", accessRead, s.handleStockpileExample, "commodity", "format:json|csv")
}

// corridorParams are GET /api/v1/risk/corridor's parameters (a POST
// sends them as its JSON body).
var corridorParams = []string{"commodity", "stage", "base_year", "country", "first_year", "tonnes", "us_imports", "stockpile_target"}

// params reads query parameters, refusing any not in allowed, so that a
// typo is a 400 naming it rather than a silent default.
type params struct {
	q    url.Values
	errs []critmin.FieldError
	// page is set for the web UI's pages (ReadParams), whose GET forms
	// send their empty fields; on /api/v1 a parameter given empty where
	// leaving it out means a default is refused, not replaced.
	page bool
}

// emptyDefault refuses ?name= (given, empty) on /api/v1 where the value
// left out would be def.
func (p *params) emptyDefault(name, def string) {
	if !p.page && p.q.Has(name) && p.q.Get(name) == "" {
		p.fail(name, "empty: give a value, or leave %s out for %s", name, def)
	}
}

func readParams(r *http.Request, allowed ...string) *params {
	p := &params{q: r.URL.Query()}
	ok := map[string]bool{"format": true}
	for _, a := range allowed {
		ok[a] = true
	}
	for k := range p.q {
		if !ok[k] {
			p.fail(k, "unknown query parameter (allowed: %s)", strings.Join(allowed, ", "))
		}
	}
	if f := p.q.Get("format"); f != "" && f != "json" && f != "csv" {
		p.fail("format", "%q is not json or csv", f)
	}
	return p
}

func (p *params) fail(name, format string, args ...any) {
	// One error per parameter: a value given but invalid is not also
	// "required" or out of range (fix14o: year=NaN was both).
	for _, e := range p.errs {
		if e.Pointer == name {
			return
		}
	}
	p.errs = append(p.errs, critmin.FieldError{Pointer: name, Reason: fmt.Sprintf(format, args...)})
}

func (p *params) str(name, def string) string {
	if v := p.q.Get(name); v != "" {
		return v
	}
	if def != "" {
		p.emptyDefault(name, fmt.Sprintf("%q", def))
	}
	return def
}

func (p *params) required(name string) string {
	v := p.q.Get(name)
	if v == "" {
		p.fail(name, "required")
	}
	return v
}

func (p *params) int(name string, def int) int {
	return p.intIn(name, def, math.MinInt, math.MaxInt)
}

// intIn is the parameter as an integer from lo to hi, or def; a value
// outside, also one beyond int's range, is refused naming the bound
// passed (IntInRange).
func (p *params) intIn(name string, def, lo, hi int) int {
	v := p.q.Get(name)
	if v == "" {
		p.emptyDefault(name, "its default")
		return def
	}
	n, reason := critmin.IntInRange(v, lo, hi)
	if reason != "" {
		p.fail(name, "%s", reason)
	}
	return n
}

func (p *params) float(name string) float64 {
	v := p.q.Get(name)
	if v == "" {
		return 0
	}
	f, err := critmin.ParseDecimal(v)
	if err != nil {
		// ParseDecimal's reason: the syntax, out of range, or too small
		// to be told from 0 — not "not a number" for 1e-400.
		p.fail(name, "%s", err.Error())
	} else if f < 0 {
		p.fail(name, "%q is below 0: give a number of zero or more", v)
	}
	return f
}

func (p *params) floats(name string) []float64 {
	v := p.q.Get(name)
	if v == "" {
		return nil
	}
	var out []float64
	for i, part := range strings.Split(v, ",") {
		f, err := critmin.ParseDecimal(strings.TrimSpace(part))
		if err != nil {
			// ParseDecimal refuses NaN and Inf (not its syntax), numbers
			// beyond float64 and those too small to be told from 0, and
			// says which.
			p.fail(name, "value %d: %s", i+1, err.Error())
			continue
		}
		out = append(out, f)
	}
	return out
}

func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &critmin.Error{Code: critmin.EINVALID, Message: p.errs[0].Pointer + ": " + p.errs[0].Reason, Fields: p.errs}
}

// table is a result as rows for CSV.
type table struct {
	name   string
	header []string
	rows   [][]string
}

func ff(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func writeCSV(w http.ResponseWriter, t table) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, t.name+".csv"))
	cw := critmin.NewCSVWriter(w)
	_ = cw.Write(t.header)
	_ = cw.WriteAll(t.rows)
}

// respond writes v as JSON, or t as CSV when asked.
// respondFigures is respond for the prove job: figures at
// custody.FigureDecimals in JSON (CSV tables format them with fig).
func respondFigures(w http.ResponseWriter, r *http.Request, v any, t func() table) {
	if wantsCSV(r) {
		writeCSV(w, t())
		return
	}
	writeFigures(w, http.StatusOK, v)
}

// fig formats a prove-job figure for CSV: custody.FigureDecimals.
func fig(v float64) string { return custody.Figure(v) }

func respond(w http.ResponseWriter, r *http.Request, v any, t func() table) {
	if wantsCSV(r) {
		writeCSV(w, t())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// DatasetView describes one edition of a reference dataset.
type DatasetView struct {
	Name        string `json:"name"`
	Edition     string `json:"edition"`
	Vintage     string `json:"vintage"`
	Rows        int    `json:"rows"`
	Source      string `json:"source"`
	Description string `json:"description"`
	Imported    bool   `json:"imported"`
}

// DatasetViews lists the editions of every dataset.
func DatasetViews(cat *refdata.Catalog) []DatasetView {
	var out []DatasetView
	for _, spec := range refdata.Specs {
		for _, e := range cat.Editions[spec.Name] {
			out = append(out, DatasetView{Name: spec.Name, Edition: e.Name, Vintage: e.Vintage(), Rows: len(e.Rows), Source: spec.Source, Description: spec.Description, Imported: e.Imported})
		}
	}
	return out
}

// handleDatasets lists the reference datasets. GET /api/v1/risk/datasets
func (s *Server) handleDatasets(w http.ResponseWriter, r *http.Request) {
	p := readParams(r)
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	list := DatasetViews(s.Risk.Data)
	respond(w, r, map[string]any{"datasets": list}, func() table {
		t := table{name: "datasets", header: []string{"name", "edition", "vintage", "rows", "imported", "source"}}
		for _, d := range list {
			t.rows = append(t.rows, []string{d.Name, d.Edition, d.Vintage, strconv.Itoa(d.Rows), strconv.FormatBool(d.Imported), d.Source})
		}
		return t
	})
}

func concentrationTable(c *risk.Concentration) table {
	t := table{name: fmt.Sprintf("concentration-%s-%s-%d", strings.ReplaceAll(c.Commodity, " ", "-"), c.Stage, c.Year),
		header: []string{"commodity", "stage", "year", "edition", "iso3", "country", "quantity", "unit", "share"}}
	for _, sh := range c.Shares {
		t.rows = append(t.rows, []string{c.Commodity, c.Stage, strconv.Itoa(c.Year), c.Edition, sh.ISO3, sh.Country, ff(sh.Quantity), c.Unit, ff(sh.Share)})
	}
	t.rows = append(t.rows, []string{c.Commodity, c.Stage, strconv.Itoa(c.Year), c.Edition, "", "Other countries", ff(c.OtherShare * c.ComputedTotal), c.Unit, ff(c.OtherShare)})
	return t
}

// handleConcentration computes one commodity, stage and year.
// GET /api/v1/risk/concentration?commodity=&stage=&year=&edition=
func (s *Server) handleConcentration(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "commodity", "stage", "year", "edition")
	commodity, stage, year, edition := p.required("commodity"), p.str("stage", risk.StageMine), p.int("year", 0), p.str("edition", "")
	if year == 0 {
		p.fail("year", "required")
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Risk.Concentration(commodity, stage, year, edition)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	respond(w, r, c, func() table { return concentrationTable(c) })
}

func seriesTable(sr *risk.Series) table {
	t := table{name: "hhi-" + strings.ReplaceAll(sr.Commodity, " ", "-") + "-" + sr.Stage, header: []string{"commodity", "stage", "year", "edition", "hhi", "top1_iso3", "top1_share", "top3_share", "producing_countries"}}
	for _, c := range sr.Points {
		t.rows = append(t.rows, []string{c.Commodity, c.Stage, strconv.Itoa(c.Year), c.Edition, ff(c.HHI), c.Top1ISO3, ff(c.Top1Share), ff(c.Top3Share), strconv.Itoa(c.Countries)})
	}
	return t
}

// handleSeries gives HHI and top shares over the years.
// GET /api/v1/risk/series?commodity=&stage=
func (s *Server) handleSeries(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "commodity", "stage")
	commodity, stage := p.required("commodity"), p.str("stage", risk.StageMine)
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	sr, err := s.Risk.SeriesOf(commodity, stage)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	respond(w, r, sr, func() table { return seriesTable(sr) })
}

func (s *Server) exposure(r *http.Request, commodity string) (*risk.Exposure, error) {
	exp, err := s.Risk.ExposureOf(commodity, false)
	if err != nil {
		return nil, err
	}
	lots, _, err := s.Store.FindLots(r.Context(), critmin.LotFilter{Limit: 100000})
	if err != nil {
		return nil, err
	}
	ll, err := risk.LedgerLotsOf(r.Context(), s.Store, lots)
	if err != nil {
		return nil, err
	}
	exp.Ledger = risk.LedgerFor(commodity, risk.LedgerSourcingOf(ll))
	// Figures at the prove job's precision (custody.FigureDecimals).
	for i := range exp.Ledger {
		g := &exp.Ledger[i]
		g.ElementTonnes, g.Unknown, g.UnknownShare = custody.RoundFigure(g.ElementTonnes), custody.RoundFigure(g.Unknown), custody.RoundFigure(g.UnknownShare)
		for _, p := range []*float64{g.HHI, g.Top1Share} {
			if p != nil {
				*p = custody.RoundFigure(*p)
			}
		}
		g.LostTonnes = custody.RoundFigure(g.LostTonnes)
		for j := range g.Shares {
			g.Shares[j].Quantity, g.Shares[j].Share = custody.RoundFigure(g.Shares[j].Quantity), custody.RoundFigure(g.Shares[j].Share)
		}
	}
	return exp, nil
}

func exposureTable(e *risk.Exposure) table {
	t := table{name: "us-exposure-" + strings.ReplaceAll(e.Commodity, " ", "-"), header: []string{"kind", "category", "period", "edition", "iso3", "value", "hhi"}}
	for _, rel := range e.Reliance {
		v := rel.Text
		if rel.Value != nil {
			v = ff(*rel.Value)
		}
		t.rows = append(t.rows, []string{"net_import_reliance_pct", rel.Category, rel.Period, rel.Edition, "", v, ""})
	}
	for _, g := range e.ImportSources {
		for _, sh := range g.Shares {
			t.rows = append(t.rows, []string{"import_source_share", g.Category, g.Period, g.Edition, sh.ISO3, ff(sh.Share), opt(g.HHI)})
		}
	}
	for _, l := range e.Ledger {
		for _, sh := range l.Shares {
			t.rows = append(t.rows, []string{"ledger_origin_share_" + l.Element, l.Commodity, l.Period, "ledger", sh.ISO3, ff(sh.Share), opt(l.HHI)})
		}
		// What the page shows beside the shares: contained tonnes of
		// unknown origin, and lots whose own grade is not measured.
		if l.Unknown > 0 {
			t.rows = append(t.rows, []string{"ledger_unknown_origin_tonnes_" + l.Element, l.Commodity, l.Period, "ledger", "unknown", ff(l.Unknown), opt(l.HHI)})
			// Its share of the whole, beside the countries' (fixqt).
			t.rows = append(t.rows, []string{"ledger_origin_share_" + l.Element, l.Commodity, l.Period, "ledger", "unknown", ff(l.UnknownShare), opt(l.HHI)})
		}
		if l.LostTonnes > 0 {
			t.rows = append(t.rows, []string{"ledger_lost_in_runs_tonnes_" + l.Element, l.Commodity, l.Period, "ledger", "", ff(l.LostTonnes), opt(l.HHI)})
		}
		if l.NotMeasured > 0 {
			t.rows = append(t.rows, []string{"ledger_not_measured_lots_" + l.Element, l.Commodity, l.Period, "ledger", "", strconv.Itoa(l.NotMeasured), opt(l.HHI)})
		}
	}
	return t
}

// handleExposure gives US import reliance, import-source concentration
// and the ledger's own sourcing. GET /api/v1/risk/exposure?commodity=
func (s *Server) handleExposure(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "commodity")
	commodity := p.required("commodity")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	exp, err := s.exposure(r, commodity)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	respond(w, r, exp, func() table { return exposureTable(exp) })
}

// decodeBody reads a JSON request body strictly (see decodeJSON).
func decodeBody(r *http.Request, v any) error { return decodeJSON(r, v) }

func corridorInput(r *http.Request) (risk.CorridorInput, error) {
	var in risk.CorridorInput
	if r.Method == http.MethodPost {
		err := decodeBody(r, &in)
		return in, err
	}
	p := readParams(r, corridorParams...)
	in = risk.CorridorInput{Commodity: p.required("commodity"), Stage: p.str("stage", risk.StageMine), BaseYear: p.int("base_year", 0), Country: p.str("country", "PAK"),
		FirstYear: p.int("first_year", 0), Tonnes: p.floats("tonnes"), USImports: p.float("us_imports"), StockpileTarget: p.float("stockpile_target")}
	if in.BaseYear == 0 {
		p.fail("base_year", "required")
	}
	if p.q.Has("first_year") && in.FirstYear == 0 {
		// An explicit 0 is refused, not read as "the year after base_year".
		p.fail("first_year", "0 is not a year (leave first_year out for the year after base_year)")
	}
	if len(in.Tonnes) == 0 {
		p.fail("tonnes", "required: tonnes per year, comma-separated (a ramp)")
	}
	return in, p.err()
}

// opt is a figure that may be absent: an empty cell for null (an HHI of
// a row with no measured metal is n/a, never 0: risk.ConcentrationOf).
func opt(p *float64) string {
	if p == nil {
		return ""
	}
	return ff(*p)
}

func corridorTable(c *risk.CorridorResult) table {
	t := table{name: "corridor-" + strings.ReplaceAll(c.Input.Commodity, " ", "-"), header: []string{"year", "added", "hhi_before", "hhi_after", "top1_share_before", "top1_share_after", "country_share_before", "country_share_after", "us_import_hhi_before", "us_import_hhi_after", "stockpile_fill"}}
	for _, y := range c.Years {
		t.rows = append(t.rows, []string{strconv.Itoa(y.Year), ff(y.Added), ff(y.HHIBefore), ff(y.HHIAfter), ff(y.Top1Before), ff(y.Top1After), ff(y.CountryBefore), ff(y.CountryAfter), opt(y.USHHIBefore), opt(y.USHHIAfter), opt(y.StockpileFill)})
	}
	return t
}

// handleCorridor runs the corridor what-if from query parameters or a
// JSON body. GET or POST /api/v1/risk/corridor
func (s *Server) handleCorridor(w http.ResponseWriter, r *http.Request) {
	in, err := corridorInput(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.Risk.Corridor(in)
	if err != nil {
		if r.Method == http.MethodPost {
			// A body's fields are named by JSON Pointer.
			err = bodyPointers(err)
		} else {
			err = corridorQueryNames(err)
		}
		s.Error(w, r, err)
		return
	}
	respond(w, r, res, func() table { return corridorTable(res) })
}

// corridorQueryNames renames the body fields risk.Corridor names to the
// GET query parameters the user gave: tonnes_per_year/N → tonnes (its
// value N+1), us_imports_per_year → us_imports.
func corridorQueryNames(err error) error {
	var e *critmin.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := &critmin.Error{Code: e.Code, Message: e.Message, Fields: make([]critmin.FieldError, len(e.Fields))}
	for i, f := range e.Fields {
		from, to := f.Pointer, f.Pointer
		switch {
		case f.Pointer == "us_imports_per_year":
			to = "us_imports"
		case f.Pointer == "tonnes_per_year":
			to = "tonnes"
		case strings.HasPrefix(f.Pointer, "tonnes_per_year/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(f.Pointer, "tonnes_per_year/"))
			to = "tonnes"
			f.Reason = fmt.Sprintf("value %d: %s", n+1, f.Reason)
		}
		if to != from {
			f.Pointer = to
			if strings.HasPrefix(out.Message, from+":") {
				out.Message = to + ": " + f.Reason
			}
		}
		out.Fields[i] = f
	}
	return out
}

// handleScenarioList lists the disruption library, or with ?commodity=
// only the scenarios that touch it. GET /api/v1/risk/scenarios
func (s *Server) handleScenarioList(w http.ResponseWriter, r *http.Request) {
	all, err := scenario.Library()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lib := all
	if c := r.URL.Query().Get("commodity"); c != "" {
		lib = nil
		for _, sc := range all {
			if sc.Touches(c) {
				lib = append(lib, sc)
			}
		}
	}
	respond(w, r, map[string]any{"scenarios": lib}, func() table {
		t := table{name: "scenarios", header: []string{"id", "title", "kind", "country", "destination", "commodities", "share", "from", "to", "basis"}}
		for _, sc := range lib {
			for _, m := range sc.Measures {
				t.rows = append(t.rows, []string{sc.ID, sc.Title, m.Kind, m.Country, m.Destination, strings.Join(m.Commodities, "|"), ff(m.Share), m.From, m.To, m.Basis})
			}
		}
		return t
	})
}

func disruptionTable(d *risk.DisruptionResult) table {
	t := table{name: "shortfall-" + d.ScenarioID + "-" + strings.ReplaceAll(d.Commodity, " ", "-"), header: []string{"scenario", "commodity", "year", "data_year", "world_shortfall", "unit", "world_share", "us_share_of_imports", "us_shortfall"}}
	for _, y := range d.Years {
		us := ""
		if y.USTonnes != nil {
			us = ff(*y.USTonnes)
		}
		t.rows = append(t.rows, []string{d.ScenarioID, d.Commodity, strconv.Itoa(y.Year), strconv.Itoa(y.DataYear), ff(y.WorldShortfall), d.Unit, ff(y.WorldShare), ff(y.USShare), us})
	}
	return t
}

// handleScenarioRun runs a library scenario (GET …/scenarios/{id}) or one
// posted in the scenario format (POST …/scenarios/run) for a commodity.
func (s *Server) handleScenarioRun(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "commodity", "from", "to", "us_imports")
	commodity, from, to, usImports := p.required("commodity"), p.int("from", 2024), p.int("to", 2027), p.float("us_imports")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	var sc *scenario.Scenario
	var err error
	if id := r.PathValue("id"); id != "" {
		sc, err = scenario.Find(id)
	} else {
		// Decoded as every JSON body is (decodeJSON: pointers to the field
		// at fault, no trailing data, no null), then checked.
		sc = new(scenario.Scenario)
		if err = decodeJSON(r, sc); err == nil {
			err = sc.Check()
		}
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.Risk.RunDisruption(sc, commodity, from, to, usImports)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	respond(w, r, res, func() table { return disruptionTable(res) })
}

func stockpileTable(st *risk.StockpileResult) table {
	t := table{name: "stockpile-" + strings.ReplaceAll(st.Input.Commodity, " ", "-"), header: []string{"year", "shortfall_p50", "shortfall_p5", "shortfall_p95", "deterministic_demand", "deterministic_available", "deterministic_shortfall"}}
	for _, y := range st.Years {
		d := y.Deterministic
		t.rows = append(t.rows, []string{strconv.Itoa(y.Year), ff(y.Band.P50), ff(y.Band.P5), ff(y.Band.P95), ff(d.Demand), ff(d.Available), ff(d.Shortfall)})
	}
	return t
}

// handleStockpile sizes a stockpile from a JSON StockpileInput.
// POST /api/v1/risk/stockpile
func (s *Server) handleStockpile(w http.ResponseWriter, r *http.Request) {
	in := risk.StockpileInput{Draws: risk.DefaultDraws}
	if err := decodeBody(r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	release, err := s.StockpileGate.Enter(r.Context())
	if err != nil {
		s.busy(w, r, err, s.StockpileGate.RetryAfter())
		return
	}
	res, err := risk.StockpileContext(r.Context(), in)
	release()
	if err != nil {
		s.Error(w, r, bodyPointers(err))
		return
	}
	respond(w, r, res, func() table { return stockpileTable(res) })
}

// busy writes err, a refusal for want of capacity (EBUSY), as a 429
// problem with Retry-After; any other error as usual.
func (s *Server) busy(w http.ResponseWriter, r *http.Request, err error, retry time.Duration) {
	if critmin.ErrorCode(err) == critmin.EBUSY {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Round(time.Second).Seconds())))
	}
	s.Error(w, r, err)
}

// handleStockpileExample returns the documented example input for a
// commodity, to edit and POST back. GET /api/v1/risk/stockpile/example
func (s *Server) handleStockpileExample(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "commodity")
	commodity := p.str("commodity", "antimony")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	in, err := risk.ExampleStockpile(commodity)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}
