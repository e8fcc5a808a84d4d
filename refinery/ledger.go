package refinery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// LedgerReader is what FromLedger reads of the store.
type LedgerReader interface {
	EdgesAt(ctx context.Context, site string, from, to time.Time) ([]critmin.LotEdge, error)
	FindLotsByID(ctx context.Context, ids []string) ([]*critmin.Lot, error)
	FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error)
}

// Precision declares the standard deviations of a site's weighing, of its
// sampling-plus-assay method and of its moisture determination (P754:
// every measurement carries its precision), used for every ledger value
// whose sensor report gives no sDev. Zero fields take DefaultPrecision's.
type Precision struct {
	WeighingRel float64 `json:"weighing_rel"` // e.g. 0.005: weighbridge ±0.5 % (1 sd)
	AssayRel    float64 `json:"assay_rel"`    // e.g. 0.03: sampling and assay ±3 % relative (1 sd)
	MoistureSD  float64 `json:"moisture_sd"`  // e.g. 0.005: moisture ±0.5 percentage points absolute (1 sd)
}

// DefaultPrecision is used for what a site does not declare: weighbridge
// 0.5 %, sampling and assay 3 % relative, moisture 0.5 percentage points
// absolute (1 sd). The figures are illustrative defaults, not P754's: a
// site declares its own from its methods' precision studies.
var DefaultPrecision = Precision{WeighingRel: 0.005, AssayRel: 0.03, MoistureSD: 0.005}

// FromLedger fills a flowsheet's check-in and check-out for one site and
// month from the ledger: every run at site in the period (its events
// sharing a transformationID, counted by ledger.RunLinks' edges and
// ledger.RunConsumption, as capture and verify count them) contributes
// its input lots to the feed stream (no from) whose commodity is the
// lot's, and its output lots to the product or residue stream (no to) of
// the output's commodity. Per stream, the dry tonnes are summed
// (dᵢ = wᵢ·(1 − mᵢ), wᵢ the lot's wet quantity, mᵢ its moisture) with the
// variance of each term propagated to first order (dryMass: GUM §5.1.2),
// var(dᵢ) = (1 − mᵢ)²·(WeighingRel·wᵢ)² + wᵢ²·MoistureSD² (the moisture
// term only for a lot whose moisture is stated), independent weighings
// and moistures summed; each element's grade is the tonnage-weighted mean
// of the lots' assays (oxides converted to the element with units'
// factors) with sd AssayRel·√Σ(dᵢgᵢ)²/Σdᵢ.
//
// Internal streams and stocks come from sensor reports: a stream with a
// read_point sums the Mass and MassConcentration reports captured there in
// the month, and an inventory node with a read_point takes its opening and
// closing stock from the stock surveys there (see internalReadings and
// docs/refinery.md, "Measurements from the ledger").
//
// Each value lists the events and lots it comes from as its source.
// Streams and stocks the ledger does not reach keep the flowsheet's
// values. Errors (EINVALID): a bad period; no transformation and no sensor
// report at the site in the period; a lot whose commodity no stream
// carries; a stream given both lots and sensor reports; a malformed
// sensor report or survey (naming the event and report).
func FromLedger(ctx context.Context, lr LedgerReader, flowsheet *Problem, site, period string, prec Precision) (*Problem, error) {
	from, to, err := PeriodBounds(period, flowsheet.TimeZone)
	if err != nil {
		return nil, err
	}
	// A flowsheet that names its site or period must name the ones asked
	// for: silently replacing them would file one site's month under
	// another.
	// The size limits before any reading of the ledger.
	if err := flowsheet.checkSize(); err != nil {
		return nil, err
	}
	if flowsheet.Site != "" && flowsheet.Site != site {
		return nil, critmin.FieldErrorf("/site", "the flowsheet is site %s but the measurements asked for are of site %s (drop /site or ask for its own)", flowsheet.Site, site)
	}
	if flowsheet.Period != "" && flowsheet.Period != period {
		return nil, critmin.FieldErrorf("/period", "the flowsheet is period %s but the period asked for is %s (drop /period or ask for its own)", flowsheet.Period, period)
	}
	if prec.WeighingRel <= 0 {
		prec.WeighingRel = DefaultPrecision.WeighingRel
	}
	if prec.AssayRel <= 0 {
		prec.AssayRel = DefaultPrecision.AssayRel
	}
	if prec.MoistureSD <= 0 {
		prec.MoistureSD = DefaultPrecision.MoistureSD
	}
	edges, err := lr.EdgesAt(ctx, site, from, to)
	if err != nil {
		return nil, err
	}
	type entry struct {
		lot    string
		events []string
		qty    float64
		uom    string
		in     bool
	}
	// The edges are the store's run links (ledger.RunLinks, the one
	// definition capture and verify use): events sharing a
	// transformationID (EPCIS 2.0 §7.4.6) are one run, every input line is
	// consumed once — by its non-replay edges into each output the run had
	// when it arrived — and a later event's edges from earlier lines are
	// Replay (genealogy only). So, per run, an input lot's tonnes are
	// ledger.RunConsumption's (the largest, over the run's outputs, of its
	// non-replay edges' quantities), and an output lot's tonnes the largest
	// quantity one event of the run stated for it: an output restated in a
	// later event is counted once, a split run's inputs all count.
	runs := map[string][]critmin.LotEdge{}
	var runOrder []string
	for _, e := range edges {
		k := e.RunKey()
		if runs[k] == nil {
			runOrder = append(runOrder, k)
		}
		runs[k] = append(runs[k], e)
	}
	var entries []entry
	ids := map[string]bool{}
	for _, k := range runOrder {
		es := runs[k]
		stated := map[string]bool{}
		evOf := map[string][]string{} // "in|lot" or "out|lot" → its events
		var bad error
		in := ledger.RunConsumption(es, func(e critmin.LotEdge) float64 {
			if e.ParentQty == nil {
				return 0
			}
			t, err := units.ToTonnes(*e.ParentQty, e.ParentUOM)
			if err != nil {
				bad = critmin.Errorf(critmin.EINVALID, "lot %s (event %s): %v", e.Parent, e.EventID, err)
				return 0
			}
			stated[e.Parent] = true
			evOf["in|"+e.Parent] = append(evOf["in|"+e.Parent], e.EventID)
			return t
		})
		if bad != nil {
			return nil, bad
		}
		// What the run produced of each output: the sum of what each of
		// its events states (ledger.RunProduced) — an output named by two
		// events of the run (2 t, then 1 t more) is 3 t, as the lot is.
		var outOrder []string
		for _, e := range es {
			if e.ChildQty == nil {
				continue
			}
			if _, err := units.ToTonnes(*e.ChildQty, e.ChildUOM); err != nil {
				return nil, critmin.Errorf(critmin.EINVALID, "lot %s (event %s): %v", e.Child, e.EventID, err)
			}
			if _, seen := evOf["out|"+e.Child]; !seen {
				outOrder = append(outOrder, e.Child)
			}
			evOf["out|"+e.Child] = append(evOf["out|"+e.Child], e.EventID)
		}
		out, _ := ledger.RunProduced(es)
		for _, lot := range sortedKeys(stated) {
			entries = append(entries, entry{lot, dedupe(evOf["in|"+lot]), in[lot], "TNE", true})
			ids[lot] = true
		}
		for _, lot := range outOrder {
			entries = append(entries, entry{lot, dedupe(evOf["out|"+lot]), out[lot], "TNE", false})
			ids[lot] = true
		}
	}
	lots, err := lr.FindLotsByID(ctx, sortedKeys(ids))
	if err != nil {
		return nil, err
	}
	lotOf := map[string]*critmin.Lot{}
	for _, l := range lots {
		lotOf[l.ID] = l
	}
	// A deep copy of the flowsheet, so that the caller's stays as it was.
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(flowsheet); err != nil {
		return nil, err
	}
	p, err := DecodeProblemUnvalidated(&buf)
	if err != nil {
		return nil, err
	}
	p.Site, p.Period = site, period
	sensed, opening, closing, err := internalReadings(ctx, lr, p, site, from, to, prec)
	if err != nil {
		return nil, err
	}
	if len(edges) == 0 && len(sensed) == 0 && len(opening) == 0 && len(closing) == 0 {
		return nil, critmin.FieldErrorf("period", "period %s has no measurements: no transformation event and no sensor report at %s", period, site)
	}
	type acc struct {
		t, v   float64            // Σ dᵢ, Σ var(dᵢ)
		el     map[string]float64 // Σ tᵢgᵢ over the lots that assay the element
		el2    map[string]float64 // Σ (tᵢgᵢ)²
		elT    map[string]float64 // Σ tᵢ over the lots that assay the element
		lots   []string           // the lots, in order
		has    []map[string]bool  // per lot, the elements it assays
		source []string
	}
	accs := map[int]*acc{}
	for _, en := range entries {
		lot := lotOf[en.lot]
		if lot == nil {
			return nil, critmin.Errorf(critmin.EINVALID, "lot %s of event %s is not in the lot view", en.lot, strings.Join(en.events, ", "))
		}
		si := -1
		for i, s := range p.Streams {
			if s.Commodity == lot.Commodity && ((en.in && s.From == "") || (!en.in && s.To == "")) {
				if si >= 0 {
					// Never the first by order: which stream the lot
					// measured cannot be told.
					return nil, critmin.Errorf(critmin.EINVALID, "lot %s (event %s) is %s, and two streams of the flowsheet on that side have that commodity (%s and %s): which one the lot measured cannot be told; give each %s stream its own commodity, or give the lot as the stream's measurement in the problem file", en.lot, strings.Join(en.events, ", "), lot.Commodity, p.Streams[si].ID, s.ID, lot.Commodity)
				}
				si = i
			}
		}
		if si < 0 {
			side := "feed stream (no from)"
			if !en.in {
				side = "product or residue stream (no to)"
			}
			return nil, critmin.Errorf(critmin.EINVALID, "lot %s (event %s) is %s, but no %s of the flowsheet has that commodity", en.lot, strings.Join(en.events, ", "), lot.Commodity, side)
		}
		wet, err := units.ToTonnes(en.qty, en.uom)
		if err != nil {
			return nil, critmin.Errorf(critmin.EINVALID, "lot %s (event %s): %v", en.lot, strings.Join(en.events, ", "), err)
		}
		t, v := dryMass(wet, prec.WeighingRel*wet, 0, 0)
		// A lot fed where parts of it were received is fed from those
		// parts, each tonne at the moisture of the part it came from
		// (ledger.RunInputMoisture over the entry's events; issue 15,
		// fix15y), else — a lot projected before the takes were kept —
		// the mass-weighted moisture of what stands of its parts there
		// (ledger.PartMoistureAt; fix15b: it was the first part's).
		moisture := lot.Moisture
		if m, ok := ledger.RunInputMoisture(lot, en.events...); ok && en.in {
			moisture = m
		} else if m, ok := ledger.PartMoistureAt(lot, site); ok {
			moisture = m
		}
		if moisture != nil {
			t, v = dryMass(wet, prec.WeighingRel*wet, *moisture, prec.MoistureSD)
		} else {
			p.Warnings = append(p.Warnings, DryAssumedWarning(fmt.Sprintf("lot %s (event %s, stream %s)", en.lot, strings.Join(en.events, ", "), p.Streams[si].ID), wet))
		}
		a := accs[si]
		if a == nil {
			a = &acc{el: map[string]float64{}, el2: map[string]float64{}, elT: map[string]float64{}}
			accs[si] = a
		}
		a.t += t
		a.v += v
		a.source = append(append(a.source, en.events...), en.lot)
		// The lot's grade of each element is its newest assay of it, in
		// any spelling and on either basis, converted to dry
		// (ledger.LatestAssays, ledger.DryValue: the rule of origin and
		// mass balance), so Nd beside an older Nd2O3 counts once. An
		// assay is of what stood where it was taken (issue 15, fix15a):
		// a feed taken of parts received at the run's site is at those
		// parts' grades (ledger.RunInputScopes), each part's dry tonnes
		// taken at its own, mass-weighted (Σ dᵢ·gᵢ / Σ dᵢ) — never the
		// grade of the body left elsewhere; an element one part taken
		// has no grade of is not measured for the lot. Else (the body,
		// an output) the lot's own assays.
		scopes := []ledger.AssayScope{{Assays: lot.Assays, Moisture: lot.Moisture, DryTonnes: 1}}
		if en.in {
			if sc, ok := ledger.RunInputScopes(lot, en.events...); ok {
				scopes = sc
			}
		}
		gSum, gN := map[string]float64{}, map[string]int{}
		var w float64
		n := 0
		for _, sc := range scopes {
			if !(sc.DryTonnes > 0) {
				continue
			}
			n++
			w += sc.DryTonnes
			for _, as := range ledger.LatestAssays(sc.Assays) {
				el := units.ElementOf(as.Analyte)
				if _, isOxide := units.LookupOxide(as.Analyte); !isOxide && !units.IsElement(as.Analyte) {
					p.Warnings = append(p.Warnings, UnconvertedAnalyteWarning(fmt.Sprintf("lot %s (event %s, stream %s)", en.lot, strings.Join(en.events, ", "), p.Streams[si].ID), as.Analyte))
					continue
				}
				dv, ok := ledger.DryValue(as, sc.Moisture)
				if !ok {
					// As received, and no moisture known to convert it: the
					// lot does not give a dry grade of el, and says so.
					p.Warnings = append(p.Warnings, fmt.Sprintf("lot %s (event %s, stream %s): its %s assay is as received and the lot has no moisture to convert it to dry: not used", en.lot, strings.Join(en.events, ", "), p.Streams[si].ID, as.Analyte))
					continue
				}
				g, err := units.ConvertGrade(dv, as.Unit, units.Percent)
				if err != nil {
					continue // an analyte in a unit that is not a grade
				}
				if !slices.Contains(p.Elements, el) {
					// Measured, but not tracked by the flowsheet: not
					// reconciled, and said so (never skipped silently).
					p.noteUntracked(el, fmt.Sprintf("lot %s (stream %s)", en.lot, p.Streams[si].ID))
				}
				if o, ok := units.LookupOxide(as.Analyte); ok {
					g *= o.ToElement
				}
				gSum[el] += sc.DryTonnes * g
				gN[el]++
			}
		}
		has := map[string]bool{}
		for el, s := range gSum {
			if gN[el] != n {
				continue
			}
			g := s / w
			a.el[el] += t * g
			a.el2[el] += (t * g) * (t * g)
			a.elT[el] += t
			has[el] = true
		}
		a.lots = append(a.lots, en.lot)
		a.has = append(a.has, has)
	}
	for si, a := range accs {
		s := &p.Streams[si]
		src := dedupe(a.source)
		if s.ReadPoint != "" && len(sensed[si]) > 0 {
			return nil, critmin.FieldErrorf(fmt.Sprintf("/streams/%d", si), "stream %q has both lots (%s) and sensor reports at its read point (%s): give each stream one source of measurement", s.ID, src[0], sensed[si][0].event)
		}
		ptr := fmt.Sprintf("/streams/%d", si)
		massNote, err := doubleSource(ptr+"/mass_t", "stream "+s.ID+" mass", s.Mass, src)
		if err != nil {
			return nil, err
		}
		gradeNote := map[string]string{}
		for _, e := range p.Elements {
			if _, ok := a.el[e]; ok && a.t != 0 {
				if gradeNote[e], err = doubleSource(ptr+"/grade_pct/"+e, "stream "+s.ID+" "+e+" grade", s.Grade[e], src); err != nil {
					return nil, err
				}
			}
		}
		s.Mass = &Quantity{Value: a.t, SD: math.Sqrt(a.v), hasSD: true, Method: fmt.Sprintf("ledger quantities, weighing ±%s %%, moisture ±%s %% abs. (1 sd); dry = wet·(1 − moisture), var propagated%s", units.Fixed(100*prec.WeighingRel, 1), units.Fixed(100*prec.MoistureSD, 1), massNote), Source: src}
		if s.Grade == nil {
			s.Grade = map[string]*Quantity{}
		}
		for _, e := range p.Elements {
			tg, ok := a.el[e]
			if !ok || a.t == 0 {
				continue
			}
			// The grade is the tonnage-weighted mean over the lots that
			// assay e: a lot without an assay of e is not 0 % of it.
			// When some lots lack one, the grade stands for the stream
			// only by assumption: it is marked estimated, and a warning
			// names the lots.
			if !(a.elT[e] > 0) {
				continue
			}
			g := tg / a.elT[e]
			sd := math.Max(prec.AssayRel*math.Sqrt(a.el2[e])/a.elT[e], 1e-6)
			var missing []string
			for i, l := range a.lots {
				if !a.has[i][e] {
					missing = append(missing, l)
				}
			}
			missing = dedupe(missing)
			estimated := len(missing) > 0
			if estimated {
				p.Warnings = append(p.Warnings, fmt.Sprintf("stream %s: %s grade estimated from %s of %s t dry: lot(s) %s have no usable %s assay, and are taken at the mean grade of the lots that have one", s.ID, e, strconv.FormatFloat(a.elT[e], 'g', 6, 64), strconv.FormatFloat(a.t, 'g', 6, 64), strings.Join(missing, ", "), e))
			}
			s.Grade[e] = &Quantity{Value: g, SD: sd, hasSD: true, Estimated: estimated, Method: fmt.Sprintf("ledger assays, sampling and assay ±%s %% rel. (1 sd)%s", units.Fixed(100*prec.AssayRel, 0), gradeNote[e]), Source: src}
		}
	}
	for si, rs := range sensed {
		s := &p.Streams[si]
		var src []string
		grades := map[string]bool{}
		for _, r := range rs {
			src = append(src, r.event)
			for el := range r.grade {
				grades[el] = true
			}
		}
		ptr := fmt.Sprintf("/streams/%d", si)
		massNote, err := doubleSource(ptr+"/mass_t", "stream "+s.ID+" mass", s.Mass, dedupe(src))
		if err != nil {
			return nil, err
		}
		gradeNote := map[string]string{}
		for _, e := range sortedKeys(grades) {
			if gradeNote[e], err = doubleSource(ptr+"/grade_pct/"+e, "stream "+s.ID+" "+e+" grade", s.Grade[e], dedupe(src)); err != nil {
				return nil, err
			}
		}
		for _, r := range rs {
			if r.moisture == nil {
				p.Warnings = append(p.Warnings, DryAssumedWarning(fmt.Sprintf("sensor report event %s (stream %s)", r.event, s.ID), r.wet))
			}
		}
		applyStream(s, rs, prec)
		s.Mass.Method += massNote
		for e, n := range gradeNote {
			s.Grade[e].Method += n
		}
	}
	for _, stock := range []struct {
		name     string
		readings map[int]*sensorReading
	}{{"opening", opening}, {"closing", closing}} {
		for ni, r := range stock.readings {
			n := &p.Nodes[ni]
			mass, grades := &n.Inventory.Opening, &n.Inventory.OpeningGrade
			if stock.name == "closing" {
				mass, grades = &n.Inventory.Closing, &n.Inventory.ClosingGrade
			}
			ptr := fmt.Sprintf("/nodes/%d/inventory/%s", ni, stock.name)
			massNote, err := doubleSource(ptr+"_t", "node "+n.ID+" "+stock.name+" stock", *mass, []string{r.event})
			if err != nil {
				return nil, err
			}
			gradeNote := map[string]string{}
			for _, e := range sortedKeys(r.grade) {
				if gradeNote[e], err = doubleSource(ptr+"_grade_pct/"+e, "node "+n.ID+" "+stock.name+" "+e+" grade", (*grades)[e], []string{r.event}); err != nil {
					return nil, err
				}
			}
			if r.moisture == nil {
				p.Warnings = append(p.Warnings, DryAssumedWarning(fmt.Sprintf("stock survey event %s (node %s, %s stock)", r.event, n.ID, stock.name), r.wet))
			}
			applyStock(mass, grades, r, n.ReadPoint, prec)
			(*mass).Method += massNote
			for e, note := range gradeNote {
				(*grades)[e].Method += note
			}
		}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.Warnings = append(p.Warnings, p.untrackedWarnings()...)
	sort.Strings(p.Warnings)
	return p, nil
}

// doubleSource refuses a measurement the flowsheet gives (given not nil
// and not fixed) that the ledger measures as well (events): one quantity
// has one source of measurement, as a stream has either lots or sensor
// reports, so the ledger's value never silently replaces the one
// written. EINVALID at ptr. A fixed value of the flowsheet (a
// specification, such as no La in the NdPr oxide) gives way to the
// ledger's measurement, and replaced notes it for the measurement's
// method.
func doubleSource(ptr, what string, given *Quantity, events []string) (replaced string, err error) {
	if given == nil {
		return "", nil
	}
	if given.Fixed {
		return fmt.Sprintf("; replaces the flowsheet's fixed value %g", given.Value), nil
	}
	ev := strings.Join(events, ", ")
	if len(events) > 3 {
		ev = strings.Join(events[:3], ", ") + fmt.Sprintf(", … (%d in all)", len(events))
	}
	return "", critmin.FieldErrorf(ptr, "%s is given in the flowsheet (%s) and measured in the ledger for the period (%s): give each quantity one source — remove it from the flowsheet to use the ledger's measurement, or leave the ledger's out", what, critmin.PlainNumber(given.Value), ev)
}

// DecodeProblemUnvalidated reads a problem or flowsheet without checking
// it (a flowsheet has no measurements until the ledger fills them).
func DecodeProblemUnvalidated(r interface{ Read([]byte) (int, error) }) (*Problem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var p Problem
	if err := decodeStrict(data, &p, "a refinery flowsheet"); err != nil {
		return nil, err
	}
	if err := emptyNodeIDs(data); err != nil {
		return nil, err
	}
	return &p, nil
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// DryAssumedWarning is the warning FromLedger gives a measurement whose
// wet mass came with no moisture (what, e.g. "lot L (event E, stream
// S)"): the balance is on dry tonnes and the wet mass is taken as dry
// (docs/refinery.md, "Dry mass and its uncertainty") — an overstatement
// of the dry tonnes by the unknown moisture, which trade refuses to
// settle on; the refinery balances the month on it but says so.
func DryAssumedWarning(what string, wet float64) string {
	return fmt.Sprintf("dry mass assumed: no moisture: %s, %s t wet taken as dry", what, critmin.PlainNumber(wet))
}
