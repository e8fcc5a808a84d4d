package refinery

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// Report is the monthly metal-accounting report of one site and period
// after the AMIRA P754 Code of Practice for Metal Accounting (2007): the
// source, method and precision of every input (measured or estimated),
// the reconciliation statistics, recoveries by unit and overall,
// accountability (unaccounted losses), stock changes, deportment and the
// sign-off of the period close.
type Report struct {
	Title     string                `json:"title"`
	Site      string                `json:"site"`
	Period    string                `json:"period"`
	Generated time.Time             `json:"generated"`
	Inputs    []Input               `json:"inputs"`
	Result    *Result               `json:"reconciliation"`
	SignOff   *critmin.PeriodRecord `json:"sign_off,omitempty"`
	Sources   []Source              `json:"sources,omitempty"`
	Notes     []string              `json:"notes,omitempty"`
	// Window is when the period runs at the site (PeriodBounds): the
	// ledger's events are read from From (inclusive) to To (exclusive).
	Window *PeriodWindow `json:"period_window,omitempty"`
	// Stale is set (by CheckStale) when the ledger received events the
	// closed period reads after it was closed.
	Stale   *Staleness `json:"stale,omitempty"`
	problem *Problem
}

// PeriodWindow is the span of a period at its site: [From, To) in the
// site's TimeZone ("UTC" when the flowsheet declares none).
type PeriodWindow struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	TimeZone string    `json:"time_zone"`
}

// String gives the window as the report prints it, in local time with
// its offset and in UTC.
func (w PeriodWindow) String() string {
	const f = "2006-01-02 15:04 -07:00"
	return fmt.Sprintf("%s to %s (%s; %s to %s UTC)", w.From.Format(f), w.To.Format(f), w.TimeZone, w.From.UTC().Format("2006-01-02 15:04"), w.To.UTC().Format("2006-01-02 15:04"))
}

// Input is one measured, estimated or fixed value of the period as the
// report lists it, with its reconciled counterpart.
type Input struct {
	Where    string  `json:"where"` // stream id, or node id for a stock
	Quantity string  `json:"quantity"`
	Element  string  `json:"element,omitempty"`
	Value    float64 `json:"value"`
	// SD and RelPct (sd / value × 100) are absent for a fixed value
	// (Basis "fixed"), which has no precision; RelPct is absent too for
	// a value of 0.
	SD       *float64 `json:"sd,omitempty"`
	RelPct   *float64 `json:"relative_precision_pct,omitempty"`
	Basis    string   `json:"basis"` // measured, estimated, fixed
	Method   string   `json:"method,omitempty"`
	Source   []string `json:"source,omitempty"`
	Estimate Estimate `json:"reconciled"`
}

// NewReport builds the report of a reconciled problem; close, when not
// nil, is the period's sign-off.
// NotReachable is the report's recovery of an element to a stream the
// element cannot reach (ElementResult.Unreachable): no recovery, not 0.
const NotReachable = "n/a (unreachable)"

// FixedSD is what every output shows in place of the standard deviation
// (and relative precision) of a fixed value: it has none.
const FixedSD = "fixed"

func NewReport(p *Problem, r *Result, close *critmin.PeriodRecord, now time.Time) *Report {
	rep := &Report{Title: p.Title, Site: p.Site, Period: p.Period, Generated: now.UTC(), Result: r, SignOff: close, Sources: p.Sources, problem: p}
	if rep.Title == "" {
		rep.Title = "Metal accounting report"
	}
	if from, to, err := PeriodBounds(p.Period, p.TimeZone); err == nil && p.Period != "" {
		tz := p.TimeZone
		if tz == "" {
			tz = "UTC (the flowsheet declares no time_zone)"
		}
		rep.Window = &PeriodWindow{From: from, To: to, TimeZone: tz}
	}
	streams := map[string]StreamResult{}
	for _, s := range r.Streams {
		streams[s.ID] = s
	}
	nodes := map[string]NodeResult{}
	for _, n := range r.Nodes {
		nodes[n.ID] = n
	}
	add := func(where, qty, el string, q *Quantity, e Estimate) {
		if q == nil {
			return
		}
		in := Input{Where: where, Quantity: qty, Element: el, Value: q.Value, Method: q.Method, Source: q.Source, Estimate: e, Basis: "measured"}
		switch {
		case q.Fixed:
			in.Basis = "fixed"
		case q.Estimated:
			in.Basis = "estimated"
		}
		if !q.Fixed {
			sd := q.SD
			in.SD = &sd
			if q.Value != 0 {
				rel := 100 * q.SD / q.Value
				in.RelPct = &rel
			}
		}
		rep.Inputs = append(rep.Inputs, in)
	}
	for _, s := range p.Streams {
		sr := streams[s.ID]
		add(s.ID, "mass_t", "", s.Mass, sr.Mass)
		for _, e := range p.Elements {
			add(s.ID, "grade_pct", e, s.Grade[e], sr.Grade[e])
		}
	}
	for _, n := range p.Nodes {
		if n.Inventory == nil || nodes[n.ID].Inventory == nil {
			continue
		}
		ir := nodes[n.ID].Inventory
		add(n.ID, "opening_t", "", n.Inventory.Opening, ir.Opening)
		add(n.ID, "closing_t", "", n.Inventory.Closing, ir.Closing)
		for _, e := range p.Elements {
			add(n.ID, "opening_grade_pct", e, n.Inventory.OpeningGrade[e], ir.OpeningGrade[e])
			add(n.ID, "closing_grade_pct", e, n.Inventory.ClosingGrade[e], ir.ClosingGrade[e])
		}
	}
	for _, w := range p.Warnings {
		// What reading the ledger assumed (a wet mass taken as dry) is
		// said in every format, beside the figures it affects.
		rep.Notes = append(rep.Notes, "WARNING: "+w+".")
	}
	for _, a := range r.Accounts {
		if len(a.RawUnmeasured) > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: the raw unaccounted loss is not determinable: not measured: %s.", a.Element, strings.Join(a.RawUnmeasured, ", ")))
		}
	}
	if len(r.BoundsActive) > 0 {
		var names []string
		for _, b := range r.BoundsActive {
			names = append(names, fmt.Sprintf("%s at %s", b.Pointer, Fig(b.Bound)))
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("The bounded reconciliation holds %d quantities at a physical bound (%s): the measurements disagree with the balances beyond what the bounds allow; the chi-square test is only approximate. Review before sign-off.", len(names), strings.Join(names, ", ")))
	}
	if r.GlobalTest == TestFail {
		if close != nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("The global chi-square test fails (%s > %s): the period was closed accepting the suspected gross errors (%s).", units.Fixed(r.ChiSquare, 2), units.Fixed(r.ChiSquareCritical, 2), acceptance(close)))
		} else {
			rep.Notes = append(rep.Notes, fmt.Sprintf("The global chi-square test fails (%s > %s): investigate the suspected gross errors before the period is closed (P754 principle: gross errors are corrected at the source, not reconciled away).", units.Fixed(r.ChiSquare, 2), units.Fixed(r.ChiSquareCritical, 2)))
		}
	}
	if close != nil {
		// The state and why it was accepted, in every format (the page,
		// text, CSV and XLSX all print the notes).
		rep.Notes = append([]string{fmt.Sprintf("Closed by %s (%s) at %s, chain record %d: %s.", close.Actor, close.Role, close.At.Format(time.RFC3339), close.Seq, acceptance(close))}, rep.Notes...)
	}
	return rep
}

// acceptance says why a close was accepted: its reason, or that none was
// needed.
func acceptance(c *critmin.PeriodRecord) string {
	if c.Reason == "" {
		return "no reason for acceptance was needed"
	}
	return fmt.Sprintf("accepted because %q", c.Reason)
}

// FigDigits is the number of significant digits the report gives a
// figure, and every message too (Fig): enough for any weighing or assay,
// without the float noise of 170.16780000000003.
const FigDigits = 10

// Fig formats x with FigDigits significant digits, as the report does.
func Fig(x float64) string { return strconv.FormatFloat(x, 'g', FigDigits, 64) }

// figure is a float64 that formats under any verb (%g, %v), for
// messages built from many figures, as a person reads it: FigDigits
// significant digits, thousands grouped and no exponent (units.Sig:
// 1234567 t reads "1,234,567", 0.00001 "0.00001", where Fig's %g gave
// "1e-05"; issue 15, fixCc item 6).
type figure float64

func (x figure) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(units.Sig(float64(x), FigDigits))) }

func fnum(n Num) string {
	if !n.Known() {
		return ""
	}
	return Fig(float64(n))
}

// undet is fnum, or "not determinable" for a raw figure whose inputs
// were not all measured.
func undet(n Num, unmeasured []string) string {
	if !n.Known() && len(unmeasured) > 0 {
		return "not determinable"
	}
	return fnum(n)
}

func fptr(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'g', 10, 64)
}

// rows returns the report as tables: name → header and rows. The CSV and
// XLSX forms are both written from them, so they agree.
func (rep *Report) rows() []table {
	r := rep.Result
	sum := table{name: "Summary", head: []string{"item", "value"}}
	sum.rows = [][]string{
		{"title", rep.Title}, {"site", rep.Site}, {"period", rep.Period}, {"period_window", windowString(rep.Window)},
		{"generated", rep.Generated.Format(time.RFC3339)},
		{"method", r.Method},
		{"confidence", strconv.FormatFloat(r.Confidence, 'g', -1, 64)},
		{"chi_square", strconv.FormatFloat(r.ChiSquare, 'g', 10, 64)},
		{"basis", r.Basis},
		{"dof", strconv.Itoa(r.DOF)},
		{"chi_square_critical", strconv.FormatFloat(r.ChiSquareCritical, 'g', 10, 64)},
		{"p_value", fnum(r.PValue)},
		{"global_test", r.GlobalTest},
		{"measurement_test_critical", fnum(r.MeasurementTestCritical)},
		{"suspected_gross_errors", strconv.Itoa(len(r.GrossErrors))},
	}
	if a := r.AllMeasurements; a != nil {
		sum.rows = append(sum.rows, []string{"all_measurements_chi_square", strconv.FormatFloat(a.ChiSquare, 'g', 10, 64)}, []string{"all_measurements_dof", strconv.Itoa(a.DOF)}, []string{"all_measurements_global_test", a.GlobalTest})
	}
	if c := rep.SignOff; c != nil {
		sum.rows = append(sum.rows, []string{"state", "closed"}, []string{"accepted_reason", c.Reason}, []string{"closed_by", c.Actor + " (" + c.Role + ")"}, []string{"closed_at", c.At.Format(time.RFC3339)}, []string{"chain_seq", strconv.FormatInt(c.Seq, 10)}, []string{"signature_key", c.KeyID}, []string{"signature", c.Signature}, []string{"content_hash", c.Hash})
	} else {
		sum.rows = append(sum.rows, []string{"state", "open"}, []string{"closed_by", "(period open — not signed off)"})
	}
	for _, n := range rep.Notes {
		sum.rows = append(sum.rows, []string{"note", n})
	}
	for _, s := range rep.Sources {
		sum.rows = append(sum.rows, []string{"source " + s.ID, s.Title + " " + s.URL})
	}
	meas := table{name: "Measurements", head: []string{"where", "quantity", "element", "basis", "measured", "sd", "relative_precision_pct", "method", "source", "reconciled", "reconciled_sd", "adjustment", "normalised_adjustment", "class", "suspect"}}
	for _, in := range rep.Inputs {
		// A fixed value has no precision: its sd, relative precision
		// and reconciled sd read "fixed" (FixedSD), as on the page and
		// in the CLI's table.
		sd, rel, rsd := FixedSD, FixedSD, FixedSD
		if in.SD != nil {
			sd, rel, rsd = strconv.FormatFloat(*in.SD, 'g', 10, 64), "", fnum(in.Estimate.SD)
			if in.RelPct != nil {
				rel = strconv.FormatFloat(*in.RelPct, 'f', 3, 64)
			}
		}
		meas.rows = append(meas.rows, []string{in.Where, in.Quantity, in.Element, in.Basis,
			strconv.FormatFloat(in.Value, 'g', 10, 64), sd, rel,
			in.Method, joinSources(in.Source), fnum(in.Estimate.Value), rsd, fptr(in.Estimate.Adjustment), fptr(in.Estimate.NormalisedAdjustment),
			in.Estimate.Class, strconv.FormatBool(in.Estimate.Suspect)})
	}
	acc := table{name: "Accountability", head: []string{"element", "feed_t", "output_t", "opening_t", "closing_t", "stock_change_t", "raw_feed_t", "raw_output_t", "raw_stock_change_t", "unaccounted_t", "unaccounted_pct", "raw_unmeasured"}}
	rec := table{name: "Recoveries", head: []string{"scope", "element", "stream", "recovery_pct"}}
	dep := table{name: "Deportment", head: []string{"element", "destination", "share_pct"}}
	for _, a := range r.Accounts {
		acc.rows = append(acc.rows, []string{a.Element, fnum(a.FeedT), fnum(a.OutputT), fnum(a.OpeningT), fnum(a.ClosingT), fnum(a.StockChangeT),
			fnum(a.RawFeedT), fnum(a.RawOutputT), fnum(a.RawStockChangeT), undet(a.UnaccountedT, a.RawUnmeasured), undet(a.UnaccountedPct, a.RawUnmeasured), strings.Join(a.RawUnmeasured, "; ")})
		for _, id := range sortedKeys(a.RecoveryPct) {
			rec.rows = append(rec.rows, []string{"overall", a.Element, id, fnum(a.RecoveryPct[id])})
		}
		for _, id := range a.Unreachable {
			rec.rows = append(rec.rows, []string{"overall", a.Element, id, NotReachable})
		}
		for _, id := range sortedKeys(a.Deportment) {
			dep.rows = append(dep.rows, []string{a.Element, id, fnum(100 * a.Deportment[id])})
		}
	}
	for _, n := range r.Nodes {
		for _, e := range r.Elements {
			for _, id := range sortedKeys(n.Recovery[e]) {
				rec.rows = append(rec.rows, []string{"unit " + n.ID, e, id, fnum(100 * n.Recovery[e][id])})
			}
			for _, id := range n.Unreachable[e] {
				rec.rows = append(rec.rows, []string{"unit " + n.ID, e, id, NotReachable})
			}
		}
	}
	stock := table{name: "Stocks", head: []string{"node", "element", "opening", "closing", "change"}}
	imb := table{name: "Imbalances", head: []string{"node", "quantity", "raw_imbalance_t", "raw_complete"}}
	for _, n := range r.Nodes {
		keys := append([]string{"mass"}, r.Elements...)
		for _, k := range keys {
			imb.rows = append(imb.rows, []string{n.ID, k, fnum(n.RawImbalance[k]), strconv.FormatBool(n.RawComplete)})
		}
		if n.Inventory == nil {
			continue
		}
		o, c := n.Inventory.Opening.Value, n.Inventory.Closing.Value
		stock.rows = append(stock.rows, []string{n.ID, "mass_t", fnum(o), fnum(c), fnum(c - o)})
		for _, e := range r.Elements {
			oe := o * n.Inventory.OpeningGrade[e].Value / 100
			ce := c * n.Inventory.ClosingGrade[e].Value / 100
			stock.rows = append(stock.rows, []string{n.ID, e + "_t", fnum(oe), fnum(ce), fnum(ce - oe)})
		}
	}
	ge := table{name: "Gross errors", head: []string{"stream", "node", "quantity", "element", "measured", "reconciled", "normalised_adjustment", "located", "estimate_without"}}
	for _, g := range r.GrossErrors {
		w := ""
		if g.Without != nil {
			w = fnum(*g.Without)
		}
		ge.rows = append(ge.rows, []string{g.Stream, g.Node, g.Quantity, g.Element, strconv.FormatFloat(g.Measured, 'g', 10, 64), strconv.FormatFloat(g.Reconciled, 'g', 10, 64), strconv.FormatFloat(g.NormalisedAdjustment, 'f', 3, 64), strconv.FormatBool(g.Located), w})
	}
	return []table{sum, meas, acc, rec, dep, stock, imb, ge}
}

type table struct {
	name string
	head []string
	rows [][]string
}

func joinSources(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}

// WriteCSV writes the report as one CSV table whose first column names
// the section (Summary, Measurements, Accountability, Recoveries,
// Deportment, Stocks, Imbalances, Gross errors); each section starts with
// its own header row, marked "#".
func (rep *Report) WriteCSV(w io.Writer) error {
	cw := critmin.NewCSVWriter(w)
	for _, t := range rep.rows() {
		if err := cw.Write(append([]string{"#" + t.name}, t.head...)); err != nil {
			return err
		}
		for _, row := range t.rows {
			if err := cw.Write(append([]string{t.name}, row...)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the report as a workbook with one sheet per section.
func (rep *Report) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, t := range rep.rows() {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(t.name)
		if err != nil {
			return err
		}
		head := make([]any, len(t.head))
		for k, h := range t.head {
			head[k] = excelize.Cell{StyleID: bold, Value: h} // a string cell: text, never a formula
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range t.rows {
			cells := make([]any, len(row))
			for k, v := range row {
				// Numbers go in as numbers so that the sheet can compute.
				if x, err := strconv.ParseFloat(v, 64); err == nil && v != "" {
					cells[k] = x
				} else {
					// Stream ids: user text, written as an inline string
					// cell as it is (no leading '): an XLSX cell is a
					// formula only with an <f> element.
					cells[k] = v
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// Sections returns the report's tables by name, in order, for pages.
func (rep *Report) Sections() []Section {
	var out []Section
	for _, t := range rep.rows() {
		out = append(out, Section{Name: t.name, Head: t.head, Rows: t.rows})
	}
	return out
}

// Section is one table of a report.
type Section struct {
	Name string     `json:"name"`
	Head []string   `json:"head"`
	Rows [][]string `json:"rows"`
}

func windowString(w *PeriodWindow) string {
	if w == nil {
		return ""
	}
	return w.String()
}
