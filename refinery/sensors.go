package refinery

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// Internal-stream measurements and stock surveys from the ledger.
//
// An operator records the measurement of an internal stream (a tank
// discharge, a filter cake, a pregnant solution) as an EPCIS 2.0
// ObjectEvent (action OBSERVE) whose readPoint is the stream's
// read_point and whose bizLocation is the site, carrying one
// sensorElementList (EPCIS 2.0 §7.3.7) with:
//
//   - exactly one report of type gs1:Mass (CBV 2.0 §8.10 measurement
//     types) in a mass unit (KGM, TNE, …): the wet tonnes that passed the
//     read point since the previous report (a batch, shift or totaliser
//     increment);
//   - optionally a gs1:MassConcentration of cm:analyte/H2O: the moisture
//     of that material, a mass fraction in % (the ledger's convention,
//     docs/mineral-extension.md);
//   - per element, a gs1:MassConcentration with chemicalSubstance
//     cm:analyte/<element or oxide> in %, g/t or ppm on a dry basis (an
//     oxide is converted to its element with units' factors).
//
// Each report may give sDev (EPCIS 2.0: the standard deviation of the
// value, in its uom), read as the 1-sd precision of that measurement
// (AMIRA P754: every measurement carries its precision); without it the
// site's declared Precision applies. A stock survey of an inventory node
// is the same event at the node's read_point with bizStep stock_taking or
// cycle_counting (CBV 2.0 §7.2): the Mass is the stock's wet tonnes at
// eventTime. docs/refinery.md has an example event.

// sensorReading is what one event reports of a stream or a stock.
type sensorReading struct {
	event    string
	at       time.Time
	wet      float64 // t
	wetSD    float64
	moisture *[2]float64           // fraction and its sd
	grade    map[string][2]float64 // element → dry % and its sd
	// dry = wet·(1 − m); dryVar is its first-order variance.
	dry, dryVar float64
	// warnings name analytes the reading carries that convert to no
	// element (an oxide without a factor, an aggregate such as TREO).
	warnings []string
	// untracked are the elements the reading measures that the
	// flowsheet does not track: not reconciled, and said (Problem.
	// untracked), never dropped silently.
	untracked []string
}

// dryMass returns the dry tonnes of wet tonnes w at moisture fraction m,
// and their variance to first order (GUM, JCGM 100:2008 §5.1.2, the law
// of propagation of uncertainty for uncorrelated inputs; AMIRA P754 asks
// that the precision of every derived value be carried):
//
//	dry = w·(1 − m),   var(dry) = (1 − m)²·var(w) + w²·var(m).
//
// ∂dry/∂w = 1 − m and ∂dry/∂m = −w; the weighing and the moisture
// determination are independent measurements (covariance 0).
func dryMass(w, sdW, m, sdM float64) (dry, variance float64) {
	return w * (1 - m), (1-m)*(1-m)*sdW*sdW + w*w*sdM*sdM
}

// readSensors decodes the Mass and MassConcentration reports of one event
// at where (a stream's or stock's name, for errors). It returns nil when
// the event reports neither (another event at that read point: a lot
// movement, a sampling record). Elements not tracked are ignored.
func readSensors(ev *critmin.Event, elements map[string]bool, prec Precision, where string) (*sensorReading, error) {
	bad := func(i int, format string, args ...any) error {
		ptr := fmt.Sprintf("/sensorElementList (report %d)", i)
		if i < len(ev.Sensors) && ev.Sensors[i].Pointer != "" {
			ptr = ev.Sensors[i].Pointer // e.g. /sensorElementList/0/sensorReport/2
		}
		return critmin.FieldErrorf(fmt.Sprintf("event %s %s", ev.EventID, ptr), "%s: %s", where, fmt.Sprintf(format, args...))
	}
	r := &sensorReading{event: ev.EventID, at: ev.EventTime, grade: map[string][2]float64{}}
	hasMass, found := false, false
	sdOf := func(i int, s critmin.SensorReport, conv func(float64) (float64, error), def float64) (float64, error) {
		if s.SDev == nil {
			return def, nil
		}
		if !(*s.SDev > 0) {
			return 0, bad(i, "sDev must be > 0 (the 1-sd precision of the value), got %s", critmin.PlainNumber(*s.SDev))
		}
		return conv(*s.SDev)
	}
	for i, s := range ev.Sensors {
		switch {
		case isType(s.Type, "Mass"):
			found = true
			if s.Value == nil {
				return nil, bad(i, "a Mass report needs a value")
			}
			if !units.IsMass(s.UOM) {
				return nil, bad(i, "a Mass report needs a mass unit (KGM, TNE, …), got %q", s.UOM)
			}
			if hasMass {
				return nil, bad(i, "a second Mass report: one event reports one weighing (capture one event per batch or increment)")
			}
			hasMass = true
			w, _ := units.ToTonnes(*s.Value, s.UOM)
			if w < 0 {
				return nil, bad(i, "a mass cannot be negative, got %s %s", critmin.PlainNumber(*s.Value), s.UOM)
			}
			sd, err := sdOf(i, s, func(v float64) (float64, error) { return units.ToTonnes(v, s.UOM) }, prec.WeighingRel*w)
			if err != nil {
				return nil, err
			}
			if sd == 0 {
				// A weighing of nothing: its precision is that of the scale
				// at zero, which no relative figure gives; 1 kg keeps the
				// balance weighted without dominating it.
				sd = 0.001
			}
			r.wet, r.wetSD = w, sd
		case isType(s.Type, "MassConcentration"):
			analyte := strings.TrimPrefix(s.ChemicalSubstance, ledger.AnalyteBase)
			if a, ok := s.Extensions[ledger.TermAnalyte].(string); ok {
				analyte = a
			}
			if analyte == "" || (analyte == s.ChemicalSubstance && s.Extensions[ledger.TermAnalyte] == nil) {
				continue // a substance outside the mineral namespace
			}
			found = true
			if s.Value == nil {
				return nil, bad(i, "an assay report needs a value")
			}
			unit, err := units.NormalizeGradeUnit(s.UOM)
			if err != nil {
				return nil, bad(i, "%v", err)
			}
			if b, _ := s.Extensions[ledger.TermBasis].(string); b != "" && b != "dry" {
				return nil, bad(i, "stream and stock assays are reported on a dry basis, got cm:basis %q", b)
			}
			pct, _ := units.ConvertGrade(*s.Value, unit, units.Percent)
			toPct := func(v float64) (float64, error) { return units.ConvertGrade(v, unit, units.Percent) }
			if analyte == ledger.MoistureAnalyte {
				if pct < 0 || pct >= 100 {
					return nil, bad(i, "moisture must lie in [0, 100) %%, got %s %%", critmin.PlainNumber(pct))
				}
				if r.moisture != nil {
					return nil, bad(i, "a second moisture report")
				}
				sd, err := sdOf(i, s, toPct, 100*prec.MoistureSD)
				if err != nil {
					return nil, err
				}
				r.moisture = &[2]float64{pct / 100, sd / 100}
				continue
			}
			el, f := units.ElementOf(analyte), 1.0
			if o, ok := units.LookupOxide(analyte); ok {
				f = o.ToElement
			}
			if _, isOxide := units.LookupOxide(analyte); !isOxide && !units.IsElement(analyte) {
				// Never dropped silently: an analyte with no factor to an
				// element (an oxide the units table lacks, an aggregate
				// such as TREO) is named.
				r.warnings = append(r.warnings, UnconvertedAnalyteWarning(where+" event "+ev.EventID, analyte))
				continue
			}
			if !elements[el] {
				// An element the flowsheet does not track: not
				// reconciled, and named in a warning (Problem.untracked).
				r.untracked = append(r.untracked, el)
				continue
			}
			if _, dup := r.grade[el]; dup {
				return nil, bad(i, "element %s is reported twice in one event", el)
			}
			g := pct * f
			if g < 0 || g > 100 {
				return nil, bad(i, "a grade must lie in [0, 100] %%, got %s %% %s", critmin.PlainNumber(g), el)
			}
			sd, err := sdOf(i, s, toPct, prec.AssayRel*pct)
			if err != nil {
				return nil, err
			}
			r.grade[el] = [2]float64{g, math.Max(sd*f, 1e-6)}
		}
	}
	if !found {
		return nil, nil
	}
	if !hasMass {
		return nil, critmin.FieldErrorf(fmt.Sprintf("event %s /sensorElementList", ev.EventID), "%s: a stream or stock measurement needs one Mass report (the wet tonnes its moisture and assays stand for)", where)
	}
	m, sdM := 0.0, 0.0
	if r.moisture != nil {
		m, sdM = r.moisture[0], r.moisture[1]
	}
	r.dry, r.dryVar = dryMass(r.wet, r.wetSD, m, sdM)
	return r, nil
}

// isType reports whether a sensor report's type is the GS1 measurement
// type name in any of its spellings (Mass, gs1:Mass, gs1:MT-Mass, …:
// epcis.NormalizeMeasurementType).
// UnconvertedAnalyteWarning says that analyte, reported by what, has no
// factor to an element (units.LookupOxide) and is not an element
// symbol, so it measures no element of the flowsheet and is not used.
func UnconvertedAnalyteWarning(what, analyte string) string {
	return fmt.Sprintf("%s: analyte %s converts to no element (no stoichiometric factor for it in the units table): not used in the element balances", what, analyte)
}

func isType(t, name string) bool {
	bare, _ := epcis.NormalizeMeasurementType(t)
	return bare == name
}

// surveySteps are the CBV 2.0 business steps of a stock survey.
var surveySteps = map[string]bool{"stock_taking": true, "cycle_counting": true}

// internalReadings reads the sensor events at the flowsheet's read points
// for site and the month [from, to): stream readings in the month, and per
// inventory node the opening survey (the latest in (from − 1 month, from])
// and the closing survey (the latest in (from, to]).
func internalReadings(ctx context.Context, lr LedgerReader, p *Problem, site string, from, to time.Time, prec Precision) (streams map[int][]*sensorReading, opening, closing map[int]*sensorReading, err error) {
	type target struct {
		stream, node int
		where        string
	}
	targets := map[string]target{}
	for i, s := range p.Streams {
		if s.ReadPoint != "" {
			targets[s.ReadPoint] = target{i, -1, "stream " + s.ID}
		}
	}
	for i, n := range p.Nodes {
		if n.ReadPoint != "" && n.Inventory == nil {
			return nil, nil, nil, critmin.FieldErrorf(fmt.Sprintf("/nodes/%d/read_point", i), "node %q has a read point for stock surveys but no inventory", n.ID)
		}
		if n.ReadPoint != "" {
			targets[n.ReadPoint] = target{-1, i, "stock of " + n.ID}
		}
	}
	streams, opening, closing = map[int][]*sensorReading{}, map[int]*sensorReading{}, map[int]*sensorReading{}
	if len(targets) == 0 {
		return
	}
	rps := make([]string, 0, len(targets))
	for rp := range targets {
		rps = append(rps, rp)
	}
	sort.Strings(rps)
	elements := map[string]bool{}
	for _, e := range p.Elements {
		elements[e] = true
	}
	prevStart := from.AddDate(0, -1, 0)
	ge, lt := prevStart, to.Add(time.Microsecond)
	f := critmin.EventFilter{ReadPoints: rps, GEEventTime: &ge, LTEventTime: &lt, OrderBy: "eventTime", OrderAscending: true, Limit: 500}
	// Every fault of the month's events is reported at once, each naming
	// its event; events outside what the month reads are not validated.
	var faults []critmin.FieldError
	fault := func(err error) {
		var e *critmin.Error
		if errors.As(err, &e) && len(e.Fields) > 0 {
			faults = append(faults, e.Fields...)
			return
		}
		faults = append(faults, critmin.FieldError{Pointer: "/", Reason: err.Error()})
	}
	for {
		page, err := lr.FindEvents(ctx, f)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, stored := range page.Events {
			if stored.DeclaredInError != nil || stored.ErrorDeclaration != nil {
				continue // P754: a corrected measurement is replaced by its corrective event
			}
			tg, ok := targets[stored.ReadPoint]
			if !ok {
				continue
			}
			// Only stock surveys look back (for the opening stock, in
			// (from − 1 month, from]); a stream reading counts in the
			// month [from, to) it was taken in, and one outside it is none
			// of this month's business — not read, not validated.
			t := stored.EventTime
			if tg.stream >= 0 && (t.Before(from) || !t.Before(to)) {
				continue
			}
			if tg.node >= 0 && (!t.After(prevStart) || t.After(to)) {
				continue
			}
			ev, err := epcis.DecodeStored(stored.Raw, stored.Context)
			if err != nil {
				return nil, nil, nil, err
			}
			t = ev.EventTime
			if ev.BizLocation != "" && epcis.Canonical(ev.BizLocation) != epcis.Canonical(site) {
				fault(critmin.FieldErrorf("event "+ev.EventID+" /bizLocation", "%s: the event is at read point %s of site %s but names bizLocation %s", tg.where, stored.ReadPoint, site, ev.BizLocation))
				continue
			}
			r, err := readSensors(ev, elements, prec, tg.where)
			if err != nil {
				fault(err)
				continue
			}
			if r == nil {
				continue
			}
			p.Warnings = append(p.Warnings, r.warnings...)
			for _, el := range r.untracked {
				p.noteUntracked(el, "sensor report event "+ev.EventID+" ("+tg.where+")")
			}
			if tg.stream >= 0 {
				streams[tg.stream] = append(streams[tg.stream], r)
				continue
			}
			if !surveySteps[ev.BizStep] {
				fault(critmin.FieldErrorf("event "+ev.EventID+" /bizStep", "%s: a stock survey has bizStep stock_taking or cycle_counting, got %q", tg.where, ev.BizStep))
				continue
			}
			slot := opening
			if t.After(from) {
				slot = closing
			}
			if prev := slot[tg.node]; prev != nil && prev.at.Equal(t) {
				fault(critmin.FieldErrorf("event "+ev.EventID+" /eventTime", "%s: two stock surveys at %s (events %s and %s); declare one in error", tg.where, t.Format(time.RFC3339), prev.event, ev.EventID))
				continue
			}
			slot[tg.node] = r // ascending order: the latest wins
		}
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	if len(faults) > 0 {
		msg := faults[0].Pointer + ": " + faults[0].Reason
		if len(faults) > 1 {
			// Count the events as listed: one event may carry several
			// faults.
			events := map[string]bool{}
			for _, f := range faults {
				events[strings.SplitN(f.Pointer, " /", 2)[0]] = true
			}
			msg = fmt.Sprintf("%d faults in %d sensor events of the period (all listed); first: %s", len(faults), len(events), msg)
		}
		return nil, nil, nil, &critmin.Error{Code: critmin.EINVALID, Message: msg, Fields: faults}
	}
	return streams, opening, closing, nil
}

// applyStream sets a stream's measured mass and grades from its readings:
// dry tonnes summed, variances summed (independent weighings and
// moistures); each element's grade the dry-tonnage-weighted mean of the
// readings that assay it, g = Σdᵢgᵢ/Σdᵢ, with sd √Σ(dᵢsᵢ)²/Σdᵢ (the
// tonnages taken as exact in the weights, to first order).
func applyStream(s *Stream, rs []*sensorReading, prec Precision) {
	var d, v float64
	var src []string
	for _, r := range rs {
		d += r.dry
		v += r.dryVar
		src = append(src, r.event)
	}
	s.Mass = &Quantity{Value: d, SD: math.Sqrt(v), hasSD: true, Method: sensorMethod(s.ReadPoint, len(rs), prec), Source: dedupe(src)}
	if s.Grade == nil {
		s.Grade = map[string]*Quantity{}
	}
	acc := map[string]*[3]float64{} // Σdg, Σd, Σ(ds)²
	var gsrc = map[string][]string{}
	for _, r := range rs {
		for el, g := range r.grade {
			a := acc[el]
			if a == nil {
				a = &[3]float64{}
				acc[el] = a
			}
			a[0] += r.dry * g[0]
			a[1] += r.dry
			a[2] += (r.dry * g[1]) * (r.dry * g[1])
			gsrc[el] = append(gsrc[el], r.event)
		}
	}
	for el, a := range acc {
		if a[1] == 0 {
			continue // assays of nothing weigh nothing
		}
		s.Grade[el] = &Quantity{Value: a[0] / a[1], SD: math.Max(math.Sqrt(a[2])/a[1], 1e-6), hasSD: true, Method: sensorMethod(s.ReadPoint, len(gsrc[el]), prec), Source: dedupe(gsrc[el])}
	}
}

// applyStock sets an inventory's opening or closing mass and grades from
// one survey.
func applyStock(mass **Quantity, grades *map[string]*Quantity, r *sensorReading, rp string, prec Precision) {
	method := sensorMethod(rp, 1, prec) + " (stock survey)"
	*mass = &Quantity{Value: r.dry, SD: math.Sqrt(r.dryVar), hasSD: true, Method: method, Source: []string{r.event}}
	if *grades == nil {
		*grades = map[string]*Quantity{}
	}
	for el, g := range r.grade {
		(*grades)[el] = &Quantity{Value: g[0], SD: g[1], hasSD: true, Method: method, Source: []string{r.event}}
	}
}

func sensorMethod(rp string, n int, prec Precision) string {
	return fmt.Sprintf("%d sensor report event(s) at %s (Mass, MassConcentration); sd from each report's sDev, else weighing ±%s %%, assay ±%s %% rel., moisture ±%s %% abs. (1 sd); dry = wet·(1 − moisture), var propagated", n, rp, units.Fixed(100*prec.WeighingRel, 1), units.Fixed(100*prec.AssayRel, 0), units.Fixed(100*prec.MoistureSD, 1))
}
