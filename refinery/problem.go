// Package refinery is critmin's metal-accounting job for a refinery: the
// flowsheet as data (units, inventory nodes and streams), the measurements
// of one period, their reconciliation by weighted least squares under the
// total-mass and per-element balances of every node, the metal-accounting
// figures built on the reconciled values (recoveries, deportment,
// unaccounted losses) and the monthly report after the AMIRA P754 Code of
// Practice for Metal Accounting.
//
// Method. The reconciled values x̂ minimise Σ((x̂ᵢ − xᵢ)/σᵢ)² over the
// measured quantities subject to f(x̂, û) = 0, where f are the node
// balances and û the unmeasured quantities. Element balances are bilinear
// (mass × grade); they are solved by successive linearisation (Knepper &
// Gorman 1980; Narasimhan & Jordache, "Data Reconciliation and Gross Error
// Detection", 2000, §5.2), and at each step the unmeasured quantities are
// eliminated with a projection matrix (Crowe, Garcia Campos & Hrymak 1983;
// Crowe 1986) so that only a linear equality-constrained least-squares
// problem in the measured quantities remains:
//
//	x̂ = x − ΣGᵀ(GΣGᵀ)⁺(Gx − h),   G = PA, PB = 0,
//
// with A and B the Jacobians of f with respect to the measured and the
// unmeasured quantities. Classification (redundant, just determined,
// observable, unobservable), reconciled covariances, the global
// chi-square test and the per-measurement (normalised adjustment) tests
// follow the same references (§3.3, §7). See docs/refinery.md.
package refinery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones for Problem.TimeZone wherever the binary runs

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/jsonstrict"
	"github.com/critmin/critmin/units"
)

// DefaultConfidence is the confidence level of the global and
// per-measurement tests when a problem states none: 95 %.
const DefaultConfidence = 0.95

// MinConfidence and MaxConfidence bound the confidence level a problem,
// the CLI flag or the API may state: below 50 % a "test" rejects more
// often than it accepts, and above 99.99 % the critical values run off
// the end of the distributions' numerical range (a level of 1 − 1e-16
// is 1 in float64).
const (
	MinConfidence = 0.5
	MaxConfidence = 0.9999
)

// Problem is one period's reconciliation problem: the elements tracked,
// the nodes (units and inventory nodes) and the streams between them with
// their measurements. It is also the flowsheet file format
// (refinery/flowsheet.schema.json): a flowsheet is a Problem whose
// measurements are absent until the ledger supplies them.
type Problem struct {
	ID          string `json:"id,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Site        string `json:"site,omitempty"`   // the refinery's location (SGLN URN or URI)
	Period      string `json:"period,omitempty"` // the accounting period, e.g. "2025-10"
	// TimeZone is the site's time zone, an IANA name ("Asia/Karachi") or
	// a fixed offset ("+05:00"): a period's month runs from the 1st at
	// 00:00 to the 1st of the next month at 00:00 there (PeriodBounds).
	// Absent means UTC. CBV master data has no time-zone attribute for a
	// location, so the flowsheet declares it.
	TimeZone string   `json:"time_zone,omitempty"`
	Elements []string `json:"elements"`
	Nodes    []Node   `json:"nodes"`
	Streams  []Stream `json:"streams"`
	// Confidence is the level of the statistical tests, in
	// [MinConfidence, MaxConfidence]; absent means DefaultConfidence (a
	// file stating 0 is refused).
	Confidence float64  `json:"confidence,omitempty"`
	Sources    []Source `json:"sources,omitempty"`
	// Warnings are what FromLedger assumed in reading the period's
	// measurements, said where the figures are shown (the result, the
	// report's notes) and kept in the signed close: "dry mass assumed:
	// no moisture" for a lot or sensor report whose wet mass had no
	// moisture (DryAssumedWarning).
	Warnings []string `json:"warnings,omitempty"`
	// untracked: the elements FromLedger found measured at the site in
	// the period that the flowsheet does not track, with where
	// (untrackedWarnings).
	untracked map[string][]string
}

// Source cites where a figure of an illustrative flowsheet comes from.
type Source struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Note  string `json:"note,omitempty"`
}

// Node is a unit of the flowsheet (a leach, a solvent-extraction circuit,
// a roaster) or an inventory node (a stockpile, a tank). A node with an
// Inventory accumulates material: its balance is in − out = closing −
// opening.
type Node struct {
	ID        string     `json:"id"`
	Name      string     `json:"name,omitempty"`
	Kind      string     `json:"kind,omitempty"` // free text: leaching, solvent_extraction, stockpile…
	Inventory *Inventory `json:"inventory,omitempty"`
	// ReadPoint is the EPCIS readPoint (an SGLN URN or URI) of an
	// inventory node's stock surveys: FromLedger reads its opening and
	// closing stock from the survey events there (docs/refinery.md).
	ReadPoint string `json:"read_point,omitempty"`
}

// Inventory is the stock held in a node at the start and the end of the
// period: masses in tonnes and grades in % (element mass / total mass),
// each a measurement (a stock survey) or absent (unmeasured).
type Inventory struct {
	Opening      *Quantity            `json:"opening_t,omitempty"`
	Closing      *Quantity            `json:"closing_t,omitempty"`
	OpeningGrade map[string]*Quantity `json:"opening_grade_pct,omitempty"`
	ClosingGrade map[string]*Quantity `json:"closing_grade_pct,omitempty"`
}

// Stream carries material from node From to node To; an empty From is a
// feed from outside the flowsheet (check-in), an empty To a product or
// residue leaving it (check-out). Mass is in tonnes on the basis the
// grades use (dry when assays are on a dry basis); grades are in %.
type Stream struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	Kind string `json:"kind,omitempty"` // feed, product, residue, internal, reagent, loss
	// Commodity names a product stream's commodity as the planner does
	// (plan.Commodity id), so that its recovery can become a line yield.
	Commodity string               `json:"commodity,omitempty"`
	Mass      *Quantity            `json:"mass_t,omitempty"`
	Grade     map[string]*Quantity `json:"grade_pct,omitempty"`
	// ReadPoint is the EPCIS readPoint (an SGLN URN or URI) of the
	// stream's weigher or meter and sampler: FromLedger sums the sensor
	// reports captured there in the period (docs/refinery.md).
	ReadPoint string `json:"read_point,omitempty"`
}

// Quantity is one measured value with its standard deviation, in the unit
// of the field that holds it. In JSON it is {"value": v, "sd": s}, with
// optional "estimated" (P754: an estimate, not a measurement) and
// "source" (the events or document it comes from); a bare number is a
// fixed value, held exactly (sd 0) and never adjusted.
type Quantity struct {
	Value     float64  `json:"value"`
	SD        float64  `json:"sd"`
	Fixed     bool     `json:"fixed,omitempty"`
	Estimated bool     `json:"estimated,omitempty"`
	Method    string   `json:"method,omitempty"` // weighing, sampling and assay method
	Source    []string `json:"source,omitempty"`

	hasSD bool
}

// MinRelSD is the smallest standard deviation accepted, relative to
// max(|value|, 1): 1e-9 of the value is far below any weighing or assay,
// and a weight 1/σ² beyond ~1e18 × the others' exhausts float64 precision
// in the projected balances (the solve would not converge). A value known
// exactly is given as a bare number (fixed).
const MinRelSD = 1e-9

// M is a measured Quantity: value v with standard deviation sd.
func M(v, sd float64) *Quantity { return &Quantity{Value: v, SD: sd, hasSD: true} }

// quantityJSON is a Quantity as an object: value required, sd optional.
type quantityJSON struct {
	Value     *float64 `json:"value"`
	SD        *float64 `json:"sd"`
	Fixed     bool     `json:"fixed"`
	Estimated bool     `json:"estimated"`
	Method    string   `json:"method"`
	Source    []string `json:"source"`
}

// JSONShape is the object a Quantity is read from (jsonstrict.Shaped):
// jsonstrict.Check holds its member names to quantityJSON's, case
// included, wherever a Quantity sits in a problem.
func (q *Quantity) JSONShape() any { return &quantityJSON{} }

// UnmarshalJSON reads a Quantity from an object or a bare number.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return &quantityError{fmt.Errorf("a quantity is {\"value\": number, \"sd\": number} or a number")}
		}
		*q = Quantity{Value: v, Fixed: true}
		return nil
	}
	var raw quantityJSON
	// Member names are exact (jsonstrict's one rule): "Value" is not
	// value, though encoding/json would take it for it.
	if err := jsonstrict.Check(b, &raw); err != nil {
		return &quantityError{errors.New(critmin.ErrorMessage(err))}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return &quantityError{err}
	}
	if raw.Value == nil {
		return &quantityError{fmt.Errorf("value is missing")}
	}
	*q = Quantity{Value: *raw.Value, Fixed: raw.Fixed, Estimated: raw.Estimated, Method: raw.Method, Source: raw.Source}
	if raw.SD != nil {
		q.SD, q.hasSD = *raw.SD, true
	}
	return nil
}

// MarshalJSON writes a fixed quantity as a bare number when it carries
// nothing else, and any other as an object.
func (q Quantity) MarshalJSON() ([]byte, error) {
	if q.Fixed && !q.Estimated && q.Method == "" && len(q.Source) == 0 {
		return json.Marshal(q.Value)
	}
	type plain Quantity
	return json.Marshal(plain(q))
}

// DecodeProblem reads a problem or flowsheet file, refusing unknown
// fields, and validates it. Errors are critmin.EINVALID naming the field
// (a JSON pointer) at fault.
func DecodeProblem(r io.Reader) (*Problem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var p Problem
	if err := decodeStrict(data, &p, "a refinery problem"); err != nil {
		return nil, err
	}
	if err := emptyNodeIDs(data); err != nil {
		return nil, err
	}
	// A problem file's inventory carries its stock survey: an empty one
	// is a mistake (the ledger path fills the surveys in itself).
	for i, n := range p.Nodes {
		if inv := n.Inventory; inv != nil && inv.Opening == nil && inv.Closing == nil && len(inv.OpeningGrade) == 0 && len(inv.ClosingGrade) == 0 {
			return nil, critmin.FieldErrorf(fmt.Sprintf("/nodes/%d/inventory", i), "the inventory of node %q is empty: give its opening_t and closing_t (a stock survey; grades optional), or drop the inventory", n.ID)
		}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// emptyNodeIDs refuses a stream whose "from" or "to" is present and the
// empty string: it names no node, and decoded it would read as the
// member left out (the outside world). data has decoded as a Problem.
func emptyNodeIDs(data []byte) error {
	var doc struct {
		Streams []map[string]json.RawMessage `json:"streams"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil // decodeStrict has accepted it; nothing more to find
	}
	var fields []critmin.FieldError
	for i, st := range doc.Streams {
		for _, end := range []string{"from", "to"} {
			raw, ok := st[end]
			if !ok {
				continue
			}
			var id string
			if json.Unmarshal(raw, &id) == nil && id == "" {
				fields = append(fields, critmin.FieldError{Pointer: fmt.Sprintf("/streams/%d/%s", i, end),
					Reason: fmt.Sprintf("an empty node id is not allowed: name a node, or leave %q out for a stream %s the outside world", end, end)})
			}
		}
	}
	switch len(fields) {
	case 0:
		return nil
	case 1:
		return critmin.FieldErrorf(fields[0].Pointer, "%s", fields[0].Reason)
	}
	return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("%d streams name an empty node", len(fields)), Fields: fields}
}

// StockPrefix is the reserved prefix of the keys under which the
// deportment names an inventory node's stock change ("stock:" + node
// id); no stream id may begin with it.
const StockPrefix = "stock:"

// Validate checks a problem before reconciliation and returns every fault
// found as one critmin.EINVALID error whose fields are JSON pointers:
// missing or duplicate ids, a stream id with the reserved StockPrefix; a stream naming an unknown node (dangling) or
// no node at all, or running from a node to itself; a node without inputs
// or without outputs (an inventory counts as both); a standard deviation
// ≤ 0 or a non-finite value; a grade for an element not listed, or
// outside [0, 100]; an element that no stream measures; a problem with no
// measurement; a closed group of nodes (a cycle with no feed or no
// discharge) that holds no inventory node.
func (p *Problem) Validate() error {
	var fields []critmin.FieldError
	bad := func(ptr, format string, args ...any) {
		fields = append(fields, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(format, args...)})
	}
	if err := p.checkSize(); err != nil {
		return err
	}
	if err := p.checkWork(); err != nil {
		return err
	}
	if p.Period != "" && !validPeriod(p.Period) {
		bad("/period", "%s", PeriodReason(p.Period))
	}
	if _, err := zoneOf(p.TimeZone); err != nil {
		bad("/time_zone", "%v", err)
	}
	if p.Confidence != 0 && !(p.Confidence >= MinConfidence && p.Confidence <= MaxConfidence) {
		bad("/confidence", "must be in [%s, %s], e.g. 0.95; got %s", critmin.PlainNumber(MinConfidence), critmin.PlainNumber(MaxConfidence), critmin.PlainNumber(p.Confidence))
	}
	elem := map[string]bool{}
	for i, e := range p.Elements {
		ptr := fmt.Sprintf("/elements/%d", i)
		switch {
		case strings.TrimSpace(e) == "":
			bad(ptr, "element symbol is empty")
		case elem[e]:
			bad(ptr, "element %s is listed twice", e)
		case !units.IsElement(e):
			bad(ptr, "%q is not a chemical element symbol (IUPAC periodic table, exact case and no spaces: Nd, Pr, Sb, Cu, …)", e)
		}
		elem[e] = true
	}
	if len(p.Nodes) == 0 {
		bad("/nodes", "a flowsheet needs at least one node")
	}
	node := map[string]int{}
	for i, n := range p.Nodes {
		ptr := fmt.Sprintf("/nodes/%d", i)
		if strings.TrimSpace(n.ID) == "" {
			bad(ptr+"/id", "node id is empty")
			continue
		}
		if _, dup := node[n.ID]; dup {
			bad(ptr+"/id", "node %q is defined twice", n.ID)
		}
		node[n.ID] = i
	}
	measured := 0
	elemMeasured := map[string]bool{}
	checkQ := func(ptr string, q *Quantity, isGrade bool) {
		if q == nil {
			return
		}
		if math.IsNaN(q.Value) || math.IsInf(q.Value, 0) {
			bad(ptr+"/value", "must be a finite number")
		}
		if q.Fixed {
			if q.hasSD && q.SD != 0 {
				bad(ptr+"/sd", "a fixed value has no standard deviation")
			}
		} else {
			switch {
			case !q.hasSD:
				bad(ptr+"/sd", "standard deviation is missing (give one > 0, or give the value as a bare number to hold it fixed)")
			case !(q.SD > 0) || math.IsInf(q.SD, 0):
				bad(ptr+"/sd", "standard deviation must be > 0, got %s", critmin.PlainNumber(q.SD))
			case q.SD < MinRelSD*math.Max(math.Abs(q.Value), 1):
				bad(ptr+"/sd", "standard deviation %s is below the minimum %s (%s × max(|value|, 1)): no measurement is that precise, and weights that large break the arithmetic; give the value as a bare number to hold it fixed", critmin.PlainNumber(q.SD), critmin.PlainNumber(MinRelSD*math.Max(math.Abs(q.Value), 1)), critmin.PlainNumber(MinRelSD))
			}
			measured++
		}
		if isGrade && (q.Value < 0 || q.Value > 100) {
			bad(ptr+"/value", "a grade in %% must lie in [0, 100], got %s", critmin.PlainNumber(q.Value))
		}
		if !isGrade && q.Value < 0 {
			bad(ptr+"/value", "a mass must be ≥ 0, got %s", critmin.PlainNumber(q.Value))
		}
		if !isGrade && q.Value > MaxTonnes {
			bad(ptr+"/value", "%s t is over %s t, more than any plant handles in a period: is the unit tonnes?", critmin.PlainNumber(q.Value), units.Int(int64(MaxTonnes)))
		}
		if q.SD > 0 && !math.IsInf(q.SD, 0) && q.SD > MaxRelSD*math.Max(math.Abs(q.Value), 1) {
			bad(ptr+"/sd", "standard deviation %s is over %s × max(|value|, 1): a measurement that uncertain carries no information; leave the value out (unmeasured) instead", critmin.PlainNumber(q.SD), critmin.PlainNumber(MaxRelSD))
		}
	}
	checkGrades := func(ptr string, g map[string]*Quantity, counts bool) {
		// Element grades in % of one stream or stock cannot add up to
		// more than 100 % (measurement noise included: no assay reports
		// more of the elements than the whole).
		sum := 0.0
		for _, q := range g {
			if q != nil && finite(q.Value) {
				sum += q.Value
			}
		}
		if sum > 100 {
			bad(ptr, "the element grades add up to %s %%, more than the whole (100 %%)", critmin.PlainNumber(sum))
		}
		for _, e := range sortedKeys(g) {
			if !elem[e] {
				bad(ptr+"/"+e, "element %s is not in /elements", e)
				continue
			}
			checkQ(ptr+"/"+e, g[e], true)
			if counts && g[e] != nil {
				elemMeasured[e] = true
			}
		}
	}
	ins, outs := map[string]int{}, map[string]int{}
	stream := map[string]bool{}
	readPoint := map[string]string{} // read point → the pointer that names it first
	checkRP := func(ptr, rp string) {
		if rp == "" {
			return
		}
		if strings.ContainsAny(rp, " \t\r\n") || !strings.Contains(rp, ":") {
			bad(ptr, "a read point is an SGLN URN or URI without spaces, got %q", rp)
		}
		if first, dup := readPoint[rp]; dup {
			bad(ptr, "read point %q is already %s's: each stream and stock has its own", rp, first)
			return
		}
		readPoint[rp] = ptr
	}
	for i, s := range p.Streams {
		ptr := fmt.Sprintf("/streams/%d", i)
		if strings.TrimSpace(s.ID) == "" {
			bad(ptr+"/id", "stream id is empty")
		} else if stream[s.ID] {
			bad(ptr+"/id", "stream %q is defined twice", s.ID)
		} else if strings.HasPrefix(s.ID, StockPrefix) {
			bad(ptr+"/id", "stream id %q begins with %q, which is reserved: the deportment and recoveries name an inventory node's stock change %s+node id, so the two would clash; rename the stream", s.ID, StockPrefix, StockPrefix)
		}
		stream[s.ID] = true
		if s.From == "" && s.To == "" {
			bad(ptr, "stream %q is dangling: it has neither from nor to", s.ID)
		}
		if s.From != "" {
			if _, ok := node[s.From]; !ok {
				bad(ptr+"/from", "stream %q is dangling: node %q does not exist", s.ID, s.From)
			} else {
				outs[s.From]++
			}
		}
		if s.To != "" {
			if _, ok := node[s.To]; !ok {
				bad(ptr+"/to", "stream %q is dangling: node %q does not exist", s.ID, s.To)
			} else {
				ins[s.To]++
			}
		}
		if s.From != "" && s.From == s.To {
			bad(ptr, "stream %q runs from node %q to itself", s.ID, s.From)
		}
		checkQ(ptr+"/mass_t", s.Mass, false)
		checkGrades(ptr+"/grade_pct", s.Grade, true)
		checkRP(ptr+"/read_point", s.ReadPoint)
	}
	for i, n := range p.Nodes {
		ptr := fmt.Sprintf("/nodes/%d", i)
		if n.ReadPoint != "" && n.Inventory == nil {
			bad(ptr+"/read_point", "node %q has a read point for stock surveys but no inventory", n.ID)
		}
		checkRP(ptr+"/read_point", n.ReadPoint)
		if inv := n.Inventory; inv != nil {
			checkQ(ptr+"/inventory/opening_t", inv.Opening, false)
			checkQ(ptr+"/inventory/closing_t", inv.Closing, false)
			checkGrades(ptr+"/inventory/opening_grade_pct", inv.OpeningGrade, false)
			checkGrades(ptr+"/inventory/closing_grade_pct", inv.ClosingGrade, false)
			continue
		}
		if n.ID == "" {
			continue
		}
		if ins[n.ID] == 0 {
			bad(ptr, "node %q has no input stream (and no inventory)", n.ID)
		}
		if outs[n.ID] == 0 {
			bad(ptr, "node %q has no output stream (and no inventory)", n.ID)
		}
	}
	for i, e := range p.Elements {
		if e != "" && !elemMeasured[e] {
			bad(fmt.Sprintf("/elements/%d", i), "no stream measures element %s", e)
		}
	}
	if len(p.Streams) > 0 && measured == 0 {
		bad("/streams", "the period has no measurement: give at least one value with a standard deviation")
	}
	if len(p.Streams) == 0 {
		bad("/streams", "a flowsheet needs at least one stream")
	}
	if len(fields) == 0 {
		for _, c := range p.closedGroups(node) {
			bad(c.ptr, "%s", c.reason)
		}
	}
	if len(fields) == 0 {
		// A node without stock whose every stream mass is fixed cannot be
		// adjusted: the fixed masses must balance, or no solution exists
		// (the solver would fail to converge and blame another quantity).
		for ni, n := range p.Nodes {
			if n.Inventory != nil {
				continue
			}
			in, out, all, any := 0.0, 0.0, true, false
			var ids []string
			for _, st := range p.Streams {
				if st.To != n.ID && st.From != n.ID {
					continue
				}
				any = true
				if st.Mass == nil || !st.Mass.Fixed {
					all = false
					break
				}
				ids = append(ids, fmt.Sprintf("%s %s t", st.ID, Fig(st.Mass.Value)))
				if st.To == n.ID {
					in += st.Mass.Value
				} else {
					out += st.Mass.Value
				}
			}
			if any && all && math.Abs(in-out) > AbsTol+StatTol*math.Max(in, out) {
				bad(fmt.Sprintf("/nodes/%d", ni), "node %s: every stream mass is fixed (%s) and they do not balance: %s t in, %s t out; measure one of them (a value with a standard deviation) or correct the fixed values", n.ID, strings.Join(ids, ", "), Fig(in), Fig(out))
			}
		}
	}
	if len(fields) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fields[0].Pointer + ": " + fields[0].Reason, Fields: fields}
	}
	return nil
}

// Size limits of a reconciliation problem (issue 14: bounded work per
// request). The solve works on dense matrices of the balances by the
// quantities, so its time grows with the cube of the balances: the
// benchmark flowsheet (30 nodes × 16 balances each = 480, about 1,220
// measurements) takes 0.4–0.8 s of CPU (docs/benchmarks.md); a generated
// flowsheet at MaxBalances (40 units × 16 = 640 balances, 320 streams, 15
// elements) took 2.2 s of CPU against 0.8 s for the benchmark one, one
// reconcile each, same binary, load average 15 on 2 vCPU (with 800
// balances, 50 units and 400 streams, about 5 s).
const (
	MaxElements     = 30   // elements tracked
	MaxNodes        = 100  // units and inventory nodes
	MaxStreams      = 400  // streams
	MaxBalances     = 640  // nodes × (1 + elements): the balance equations
	MaxMeasurements = 8000 // quantities given: masses, grades, stocks
	// MaxSize bounds (streams + nodes) × (1 + elements): the quantities
	// (a mass and a grade per element on each stream) and the balances
	// (a total-mass and an element balance per node) the dense solve
	// holds. The benchmark flowsheet is (80 + 30) × 16 = 1,760.
	MaxSize     = 3200
	MaxIDLength = 200 // characters of an id, element, read point or name
	// MaxTonnes bounds a mass: 10⁹ t in one period is far above any plant
	// (the world's largest mines move a few 10⁸ t a year), so a larger
	// figure is a unit error.
	MaxTonnes = 1e9
	// MaxRelSD bounds a standard deviation relative to max(|value|, 1).
	MaxRelSD = 1e6
)

// checkSize refuses a problem over the size limits before any other
// check, naming each count at fault with its limit.
func (p *Problem) checkSize() error {
	var fields []critmin.FieldError
	over := func(ptr string, n, max int, what string) {
		if n > max {
			fields = append(fields, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf("%s %s; at most %s", units.Int(n), what, units.Int(max))})
		}
	}
	over("/elements", len(p.Elements), MaxElements, "elements")
	over("/nodes", len(p.Nodes), MaxNodes, "nodes")
	over("/streams", len(p.Streams), MaxStreams, "streams")
	if len(p.Nodes) <= MaxNodes && len(p.Elements) <= MaxElements {
		over("/nodes", len(p.Nodes)*(1+len(p.Elements)), MaxBalances, "balance equations (nodes × (1 + elements))")
	}
	n := 0
	long := func(ptr, s string) {
		if len(s) > MaxIDLength {
			fields = append(fields, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf("%s characters; at most %s", units.Int(len(s)), units.Int(MaxIDLength))})
		}
	}
	for i, e := range p.Elements {
		long(fmt.Sprintf("/elements/%d", i), e)
	}
	for i, nd := range p.Nodes {
		ptr := fmt.Sprintf("/nodes/%d", i)
		long(ptr+"/id", nd.ID)
		long(ptr+"/read_point", nd.ReadPoint)
		if inv := nd.Inventory; inv != nil {
			n += len(inv.OpeningGrade) + len(inv.ClosingGrade)
			if inv.Opening != nil {
				n++
			}
			if inv.Closing != nil {
				n++
			}
		}
	}
	for i, s := range p.Streams {
		ptr := fmt.Sprintf("/streams/%d", i)
		long(ptr+"/id", s.ID)
		long(ptr+"/from", s.From)
		long(ptr+"/to", s.To)
		long(ptr+"/read_point", s.ReadPoint)
		n += len(s.Grade)
		if s.Mass != nil {
			n++
		}
	}
	over("/streams", n, MaxMeasurements, "quantities (masses, grades and stocks)")
	E1 := 1 + len(p.Elements)
	over("/streams", (len(p.Streams)+len(p.Nodes))*E1, MaxSize, fmt.Sprintf("quantities and balances ((%d streams + %d nodes) × (1 + %d elements))", len(p.Streams), len(p.Nodes), len(p.Elements)))
	if len(fields) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fields[0].Pointer + ": " + fields[0].Reason, Fields: fields}
	}
	return nil
}

// checkWork refuses a problem one linearisation of which would cost more
// than MaxLinearisationFlops, counted from its quantities as given: every
// mass and grade not given is an unmeasured quantity to solve for. It is
// part of Validate, not of checkSize, since a ledger flowsheet is checked
// for size before the ledger supplies its measurements (FromLedger).
func (p *Problem) checkWork() error {
	E1 := 1 + len(p.Elements)
	carriers, given := len(p.Streams), 0
	for _, nd := range p.Nodes {
		if inv := nd.Inventory; inv != nil {
			carriers += 2
			given += len(inv.OpeningGrade) + len(inv.ClosingGrade)
			if inv.Opening != nil {
				given++
			}
			if inv.Closing != nil {
				given++
			}
		}
	}
	for _, s := range p.Streams {
		given += len(s.Grade)
		if s.Mass != nil {
			given++
		}
	}
	nr, nu := len(p.Nodes)*E1, max(0, carriers*E1-given)
	if f := linearisationFlops(nr, given, nu); f > MaxLinearisationFlops {
		// One field error, said once: the message is "/streams: " + it.
		return critmin.FieldErrorf("/streams", "%d unmeasured quantities (masses and grades not given) in %d balances: one linearisation costs about %.2g operations; at most %.2g (docs/refinery.md, \"Limits\") — measure more of them, or split the flowsheet", nu, nr, f, MaxLinearisationFlops)
	}
	return nil
}

type fault struct{ ptr, reason string }

// closedGroups finds the cycles of the flowsheet (strongly connected
// groups of two or more nodes) that receive nothing from outside the
// group or discharge nothing from it. Material in such a loop can only
// accumulate or be drawn down, so the loop needs an inventory node to
// hold the change; without one its balance forces every stream in it to
// an arbitrary circulating load.
func (p *Problem) closedGroups(node map[string]int) []fault {
	n := len(p.Nodes)
	adj := make([][]int, n)
	for _, s := range p.Streams {
		if s.From != "" && s.To != "" {
			adj[node[s.From]] = append(adj[node[s.From]], node[s.To])
		}
	}
	comp := tarjan(adj)
	var out []fault
	for _, group := range comp {
		if len(group) < 2 {
			continue
		}
		in := map[int]bool{}
		for _, i := range group {
			in[i] = true
		}
		hasInv, feeds, discharges := false, false, false
		for _, i := range group {
			if p.Nodes[i].Inventory != nil {
				hasInv = true
			}
		}
		var streams []string
		for _, s := range p.Streams {
			fi, fok := node[s.From]
			ti, tok := node[s.To]
			fromIn := fok && in[fi]
			toIn := tok && in[ti]
			switch {
			case fromIn && toIn:
				streams = append(streams, s.ID)
			case toIn:
				feeds = true
			case fromIn:
				discharges = true
			}
		}
		if hasInv || (feeds && discharges) {
			continue
		}
		ids := make([]string, len(group))
		for k, i := range group {
			ids[k] = p.Nodes[i].ID
		}
		sort.Strings(ids)
		what := "receives no feed"
		if feeds {
			what = "discharges nothing"
		}
		out = append(out, fault{fmt.Sprintf("/nodes/%d", group[0]),
			fmt.Sprintf("cycle of nodes %s (streams %s) %s and holds no inventory node: add an inventory to one of them", strings.Join(ids, ", "), strings.Join(streams, ", "), what)})
	}
	return out
}

// tarjan returns the strongly connected components of a directed graph.
func tarjan(adj [][]int) [][]int {
	n := len(adj)
	index, low := make([]int, n), make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var comps [][]int
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, w := range adj[v] {
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var c []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				c = append(c, w)
				if w == v {
					break
				}
			}
			sort.Ints(c)
			comps = append(comps, c)
		}
	}
	for v := 0; v < n; v++ {
		if index[v] < 0 {
			visit(v)
		}
	}
	return comps
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// zoneOf returns the location of a TimeZone: UTC for "", a fixed zone
// for an offset ±HH:MM, else the IANA zone of that name.
func zoneOf(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	if len(tz) == 6 && (tz[0] == '+' || tz[0] == '-') && tz[3] == ':' {
		// An offset ±HH:MM (RFC 3339 §5.6): minutes 00–59, and within the
		// offsets in use, −12:00 to +14:00 (time.Parse would take +05:60
		// as +06:00).
		h, herr := strconv.Atoi(tz[1:3])
		mi, merr := strconv.Atoi(tz[4:6])
		if herr != nil || merr != nil || strings.ContainsAny(tz[1:3]+tz[4:6], "+- ") {
			return nil, fmt.Errorf("time zone %q is not an offset ±HH:MM", tz)
		}
		off := h*3600 + mi*60
		if tz[0] == '-' {
			off = -off
		}
		if mi > 59 || off > 14*3600 || off < -12*3600 {
			return nil, fmt.Errorf("time zone offset %q is out of range: minutes run 00–59 and offsets from −12:00 to +14:00", tz)
		}
		return time.FixedZone(tz, off), nil
	}
	if strings.EqualFold(tz, "local") {
		return nil, fmt.Errorf("time zone %q depends on the server: give an IANA name (Asia/Karachi) or an offset (+05:00)", tz)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is neither an IANA name (Asia/Karachi, America/Chicago) nor an offset ±HH:MM", tz)
	}
	return loc, nil
}

// PeriodBounds returns the instants a month YYYY-MM runs between at a
// site in time zone tz (Problem.TimeZone; "" is UTC): [from, to), from
// the 1st at 00:00 local time to the 1st of the next month at 00:00.
// Every reading of the ledger for a period (FromLedger, CheckStale) uses
// these bounds; the report states them.
func PeriodBounds(period, tz string) (from, to time.Time, err error) {
	m, err := time.Parse("2006-01", period)
	if err != nil {
		return time.Time{}, time.Time{}, PeriodError("period", period)
	}
	loc, err := zoneOf(tz)
	if err != nil {
		return time.Time{}, time.Time{}, critmin.FieldErrorf("/time_zone", "%v", err)
	}
	from = time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 1, 0), nil
}
