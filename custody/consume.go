package custody

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// ConsumptionTolerance is the relative tolerance of the consumption check:
// the runs that consume a lot may take up to its stated mass × (1 + 0.5 %),
// about a weighbridge's error on a concentrate lot, before capture refuses
// the input.
const ConsumptionTolerance = ledger.ConsumedTolerance

// consumed is what the stored runs took of one lot.
type consumed struct {
	tonnes float64
	whole  bool     // a run named the lot without a quantity: all of it
	runs   []string // the runs, for messages
	// at is when each of runs happened (zero when unknown: a run with
	// no output yet), for a refusal saying when the lot was consumed.
	at []time.Time
	// from is the time of the earliest run that took of the lot (zero
	// when unknown: a run with no output yet); an event dated before it
	// describes the lot before any run took of it.
	from time.Time
}

// checkConsumption refuses inputs that take more of a lot than remains of
// it: a lot is matter, and what one transformation consumed cannot be
// consumed again (ISO 22095:2020 §5: the chain of custody accounts for
// every quantity of material; a double consumption would earn its
// mass-balance credits twice). For each input of the document's
// TransformationEvents, in event order:
//
//	remaining = stated mass (wet tonnes) − Σ over earlier events of the
//	            quantity each consumed (once per event ID; the events of
//	            one run — one transformationID, EPCIS 2.0 §7.4.6 — add up:
//	            run U4's events ua 10 t and ub 90 t took 100 t)
//
// and the input is refused, naming the lot and the remaining mass, when
// its quantity exceeds remaining × (1 + ConsumptionTolerance), or when an
// earlier run consumed the lot without stating a quantity (all of it).
// A lot whose mass is not stated (no mass unit) is not checked.
//
// A stored run that the document declares in error (declared: eventIDs)
// takes nothing: the document is checked against the state after its
// declarations, so a run declared in error and its corrective run may come
// in one document.
func checkConsumption(ctx context.Context, s Store, live []*critmin.Event, lots map[string]*critmin.Lot, declared map[string]bool) ([]critmin.FieldError, error) {
	var ids []string
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent {
			continue
		}
		for _, q := range ev.Quantities {
			if q.Role == critmin.RoleInput {
				ids = append(ids, q.EPCClass)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	sc, err := storedConsumption(ctx, s, ids, declared)
	if err != nil {
		return nil, err
	}
	used, seen, stored, take := sc.used, sc.seen, sc.stored, sc.take
	var out []critmin.FieldError
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent || stored[ev.EventID] {
			continue // a duplicate of a stored event consumes nothing more
		}
		name := "event " + ev.EventID
		if ev.TransformationID != "" {
			name = ev.TransformationID + " (event " + ev.EventID + ")"
		}
		for i, q := range inputsOf(ev) {
			l := lots[q.EPCClass]
			c := used[q.EPCClass]
			if c == nil {
				c = &consumed{}
			}
			if l != nil && units.IsMass(l.UOM) && l.WetTonnes > 0 && !seen[[2]string{q.EPCClass, ev.EventID}] {
				ptr := fmt.Sprintf("event %s/inputQuantityList/%d/quantity", ev.EventID, i)
				remaining := l.WetTonnes - c.tonnes
				var want float64
				if q.Quantity != nil {
					want, _ = units.ToTonnes(*q.Quantity, q.UOM)
				}
				switch {
				case c.whole:
					out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("input lot %s is already fully consumed (by %s, which named it without a quantity): 0 t of its %s t remain", epcis.Canonical(q.EPCClass), strings.Join(c.runs, ", "), Tonnes(l.WetTonnes))})
				case q.Quantity == nil && remaining < l.WetTonnes*(1-ConsumptionTolerance):
					out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("input lot %s is named without a quantity (all of it) but %s t of its %s t were consumed by %s: %s t remain; state the quantity this run consumes", epcis.Canonical(q.EPCClass), Tonnes(c.tonnes), Tonnes(l.WetTonnes), strings.Join(c.runs, ", "), Tonnes(max(0, remaining)))})
				case q.Quantity != nil && want > remaining+l.WetTonnes*ConsumptionTolerance+1e-9:
					by := "no earlier run"
					if len(c.runs) > 0 {
						by = strings.Join(c.runs, ", ")
					}
					out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("input lot %s: %s t consumed here but only %s t of its %s t remain (%s t consumed by %s; tolerance %s %%): a lot cannot be consumed twice, nor beyond its mass", epcis.Canonical(q.EPCClass), Tonnes(want), Tonnes(max(0, remaining)), Tonnes(l.WetTonnes), Tonnes(c.tonnes), by, units.Fixed(ConsumptionTolerance*100, 1))})
				}
			}
			take(q.EPCClass, ev.EventID, name, q.Quantity, q.UOM)
		}
	}
	return out, nil
}

// consumption is what the stored runs took of some lots (storedConsumption).
type consumption struct {
	used   map[string]*consumed
	seen   map[[2]string]bool
	stored map[string]bool
	take   func(lot, run, name string, qty *float64, uom string)
}

// storedConsumption reads what the stored runs took of lots ids: per lot,
// the tonnes and the runs (ledger.RunConsumption: the events of one run add up,
// each edge's quantity counted once). The stored events in declared (those
// the document being checked declares in error) take nothing.
func storedConsumption(ctx context.Context, s Store, ids []string, declared map[string]bool) (*consumption, error) {
	edges, err := s.LotEdges(ctx, ids, false)
	if err != nil {
		return nil, err
	}
	used := map[string]*consumed{}
	seen := map[[2]string]bool{}
	stored := map[string]bool{}
	take := func(lot, run, name string, qty *float64, uom string) {
		k := [2]string{lot, run}
		if seen[k] {
			return
		}
		seen[k] = true
		c := used[lot]
		if c == nil {
			c = &consumed{}
			used[lot] = c
		}
		c.runs = append(c.runs, name)
		if qty == nil {
			c.whole = true
			return
		}
		if t, err := units.ToTonnes(*qty, uom); err == nil {
			c.tonnes += t
		}
	}
	// Stored runs: what each took of each lot (ledger.RunConsumption: the events
	// of one run add up, each edge's quantity counted once).
	byRun := map[string][]critmin.LotEdge{}
	var runKeys []string
	for _, e := range edges {
		if e.Kind != ledger.LinkTransformation || declared[e.EventID] {
			continue
		}
		stored[e.EventID] = true
		k := e.RunKey()
		if byRun[k] == nil {
			runKeys = append(runKeys, k)
		}
		byRun[k] = append(byRun[k], e)
	}
	for _, k := range runKeys {
		es := byRun[k]
		name := "event " + es[0].EventID
		if es[0].Run != "" {
			name = es[0].Run
		}
		whole := map[string]bool{}
		for _, e := range es {
			if e.ParentQty == nil && !e.Replay {
				whole[e.Parent] = true
			}
		}
		mass := ledger.RunConsumption(es, func(e critmin.LotEdge) float64 {
			if e.ParentQty == nil {
				return 0
			}
			t, _ := units.ToTonnes(*e.ParentQty, e.ParentUOM)
			return t
		})
		first := map[string]time.Time{}
		for _, e := range es {
			if f, ok := first[e.Parent]; !ok || e.EventTime.Before(f) {
				first[e.Parent] = e.EventTime
			}
		}
		for _, lot := range sortedKeys(mass) {
			t := mass[lot]
			if whole[lot] {
				take(lot, k, name, nil, "")
			} else {
				take(lot, k, name, &t, "TNE")
			}
			if c := used[lot]; len(c.at) < len(c.runs) {
				c.at = append(c.at, first[lot])
			}
			if c := used[lot]; len(c.runs) == 1 || !c.from.IsZero() && first[lot].Before(c.from) {
				c.from = first[lot]
			}
		}
	}
	// Runs with inputs but no output yet (an input-only event of a split
	// run, EPCIS 2.0 §7.4.6) have no edge: each of their input lines is
	// consumed all the same (ledger.RunLinks: every input line of a run is
	// consumed once; ledger.Project books it on the lot), so it counts here
	// — the run's lines of one lot add up, as its first output will
	// collect them.
	if f, ok := s.(openRunFinder); ok {
		lines, evs, err := f.OpenRunInputs(ctx, ids)
		if err != nil {
			return nil, err
		}
	open:
		for _, x := range sortedKeys(lines) {
			for _, ev := range evs[x] {
				if declared[ev] {
					// The run's lines are summed over its events: one
					// declared in error leaves the rest unknown here, so
					// the run counts only if none of its events is.
					continue open
				}
			}
			for _, ev := range evs[x] {
				stored[ev] = true
			}
			name := x + " (no output yet)"
			perLot := map[string][]critmin.QuantityElement{}
			for _, q := range lines[x] {
				perLot[q.EPCClass] = append(perLot[q.EPCClass], q)
			}
			for _, lot := range sortedKeys(perLot) {
				var t float64
				whole := false
				for _, q := range perLot[lot] {
					if q.Quantity == nil {
						whole = true
						continue
					}
					v, err := units.ToTonnes(*q.Quantity, q.UOM)
					if err != nil {
						whole = true // not a mass: the whole lot, as Project books it
						continue
					}
					t += v
				}
				if whole {
					take(lot, "xid:"+x, name, nil, "")
				} else {
					take(lot, "xid:"+x, name, &t, "TNE")
				}
				used[lot].from = time.Time{} // the run's time is not known: any event may follow it
			}
		}
	}
	return &consumption{used: used, seen: seen, stored: stored, take: take}, nil
}

// openRunFinder is the part of a store that returns the input lines of
// runs that have no output yet (sqldb.DB.OpenRunInputs).
type openRunFinder interface {
	OpenRunInputs(ctx context.Context, lots []string) (map[string][]critmin.QuantityElement, map[string][]string, error)
}

func inputsOf(ev *critmin.Event) []critmin.QuantityElement {
	var out []critmin.QuantityElement
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleInput {
			out = append(out, q)
		}
	}
	return out
}

// fmtT prints tonnes with up to six decimals, trailing zeros dropped.
func fmtT(t float64) string {
	s := strings.TrimRight(strings.TrimRight(units.Fixed(t, 6), "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// reweighing is a document's event that changes the mass of a stored lot.
type reweighing struct {
	ev            *critmin.Event
	before, after float64 // wet tonnes
	// weighed is what the event states of the lot where it is made (its
	// ticket's net: StandingMass at the event's site), which a refusal
	// quotes; after is the lot's whole mass once weighed, parts received
	// elsewhere included (issue 15, fix15s item 4: a 4 t ticket read
	// "a later weighing of 28 t").
	weighed float64
}

// checkReweighing refuses a later weighing (a Mass sensor report, or an
// event restating the lot's quantity) that contradicts what stored runs
// consumed of the lot. ISO 22095:2020 §5 asks the chain of custody to
// account for every quantity of material, and an auditor reconciles each
// run's stated input against the lot's record: a lot consumed whole
// cannot be weighed again (nothing is left to weigh, and the mass its
// runs consumed and earned credits on would silently change), and a lot
// cannot weigh less than its runs already took of it. Refused rather
// than flagged: the record must stay reconcilable, and a weighing that
// was wrong is corrected in the open, by declaring the weighing or the
// run in error (EPCIS 2.0 §7.4.1.2). Moisture changes are held to the
// claims and ended periods they would change by the account replay; a
// mass change is held there too, and here to consumption.
func checkReweighing(ctx context.Context, s Store, rw map[string]reweighing, declared map[string]bool) ([]critmin.FieldError, error) {
	if len(rw) == 0 {
		return nil, nil
	}
	ids := sortedKeys(rw)
	sc, err := storedConsumption(ctx, s, ids, declared)
	if err != nil {
		return nil, err
	}
	var out []critmin.FieldError
	for _, id := range ids {
		r, c := rw[id], sc.used[id]
		if c == nil || (!c.whole && c.tonnes <= 0) {
			continue
		}
		ptr := "event " + r.ev.EventID
		runs := strings.Join(c.runs, ", ")
		switch {
		case (c.whole || c.tonnes >= r.before*(1-ConsumptionTolerance)) && handles(r.ev, id):
			// A shipment, packing or other handling of a lot runs
			// consumed is no weighing: checkConsumedLots refuses it,
			// saying which run consumed the lot and when (issue 9,
			// fixQm: it read "weighing … refused … a later weighing of
			// 0 t").
		case c.whole || c.tonnes >= r.before*(1-ConsumptionTolerance):
			used := Tonnes(c.tonnes) + " t"
			if c.whole {
				used = "all of it"
			}
			out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("weighing of lot %s refused: the lot was fully consumed (%s of its %s t, by %s), so a later weighing of %s t cannot weigh it and would change the mass its runs consumed and were credited for; declare the wrong event in error (errorDeclaration) to correct the record",
				id, used, Tonnes(r.before), runs, Tonnes(r.weighed))})
		case r.after < c.tonnes*(1-ConsumptionTolerance)-1e-9:
			what := Tonnes(r.after) + " t"
			if math.Abs(r.weighed-r.after) > 1e-9 {
				what = fmt.Sprintf("the weighing of %s t makes the lot %s t, which", Tonnes(r.weighed), Tonnes(r.after))
			}
			out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("weighing of lot %s refused: %s is less than the %s t its runs already consumed (%s; tolerance %s %%): a lot cannot weigh less than what was taken from it",
				id, what, Tonnes(c.tonnes), runs, units.Fixed(ConsumptionTolerance*100, 1))})
		}
	}
	return out, nil
}

// handles says whether ev handles lot id's material — packs it (an
// AggregationEvent or AssociationEvent ADD or OBSERVE naming it as a
// child) or moves it by a handlingSteps bizStep — as checkConsumedLots
// judges it.
func handles(ev *critmin.Event, id string) bool {
	packing := (ev.Type == critmin.AggregationEvent || ev.Type == critmin.AssociationEvent) && ev.Action != "DELETE" && names(ev, id, critmin.RoleChild)
	return packing || handlingSteps[stepName(ev.BizStep)]
}

// runsWhen words runs with when each happened, "R1 at T1, R2 at T2"
// (a run whose time is unknown by its name alone).
func runsWhen(runs []string, at []time.Time) string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r
		if i < len(at) && !at[i].IsZero() {
			out[i] += " at " + at[i].UTC().Format(time.RFC3339)
		}
	}
	return strings.Join(out, ", ")
}
