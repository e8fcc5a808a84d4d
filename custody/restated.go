package custody

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// A claim period's statement is final once the period has ended (ISO
// 22095-2: its claims were issued to buyers, its closing opened the next
// period): capture refuses a live fact that would change it
// (endedStatements). A declaration in error (EPCIS 2.0 §7.4.1.2) cannot
// be refused, though: one recorded after the close that takes away a
// credit run, a claim, or a measurement or packing the period read
// changes the period's figures, and the account replayed from the events
// simply showed the new ones. An auditor must see that the period was
// restated after it closed (issue 9, fix9aq): the statement of an ended
// period is compared with its figures as at close — the account replayed
// with the events declared in error after the close put back, those
// events having been recorded up to it — and, where they differ, carries
// a Restatement: each changed line, old → new, and the declarations that
// changed it. The statement's own figures are the current (restated)
// ones, and so is the closing carried into the next period (CheckCarry).
//
// Live events recorded after the close are not taken out of the figures
// as at close: capture refuses one that would change an ended period's
// statement, and one captured before the site declared its periods —
// history recorded late — was never part of a statement issued at the
// close, so reading it as a restatement would restate every period of an
// imported history.

// Restatement is how an ended claim period's figures changed after it
// closed.
type Restatement struct {
	// AtClose is the period's end: the "as at close" figures are the
	// account's with every event declared in error since put back.
	AtClose time.Time `json:"atClose"`
	// Lines are the balance lines whose figures differ, as at close and
	// now, by category and origin.
	Lines []RestatedLine `json:"lines"`
	// By are the declarations in error recorded after the close that
	// changed them.
	By []RestatedBy `json:"restatedBy"`
}

// BalanceFigures are the five figures of a balance line, tonnes of
// qualifying element: Closing = Opening + Credits − Claims − Expired.
type BalanceFigures struct {
	Opening float64 `json:"opening"`
	Credits float64 `json:"credits"`
	Claims  float64 `json:"claims"`
	Expired float64 `json:"expired"`
	Closing float64 `json:"closing"`
}

// figures is a balance line's five figures.
func figures(l BalanceLine) BalanceFigures {
	return BalanceFigures{Opening: l.Opening, Credits: l.Credits, Claims: l.Claims, Expired: l.Expired, Closing: l.Closing}
}

// named are the figures with their names, in the statement's order.
func (f BalanceFigures) named() []struct {
	name string
	v    float64
} {
	return []struct {
		name string
		v    float64
	}{{"opening", f.Opening}, {"credits", f.Credits}, {"claims", f.Claims}, {"expired", f.Expired}, {"closing", f.Closing}}
}

// RestatedLine is one balance line of a restated period: its figures as
// at close and now (the statement's line), and the names of those that
// differ as printed (Figure).
type RestatedLine struct {
	Category string         `json:"category"`
	Country  string         `json:"country"`
	Name     string         `json:"name"`
	AtClose  BalanceFigures `json:"atClose"`
	Current  BalanceFigures `json:"current"`
	Changed  []string       `json:"changed"`
}

// Words are the line's changed figures, "credits 0.45 → 0 t, closing
// 0.25 → -0.2 t".
func (l RestatedLine) Words() string {
	was, now := l.AtClose.named(), l.Current.named()
	var out []string
	for i := range was {
		if Figure(was[i].v) != Figure(now[i].v) {
			out = append(out, fmt.Sprintf("%s %s → %s t", was[i].name, Figure(was[i].v), Figure(now[i].v)))
		}
	}
	return strings.Join(out, ", ")
}

// RestatedBy is one declaration in error recorded after a period's close
// that changed its figures: Event is the event it declared in error,
// RecordTime when the declaration was recorded, Reason its reason, and
// Words what was declared in error — the run, measurement or packing,
// the declaration's time and reason.
type RestatedBy struct {
	Event      string    `json:"event"`
	RecordTime time.Time `json:"recordTime"`
	Reason     string    `json:"reason"`
	Words      string    `json:"description"`
}

// closeCause is a declaration in error recorded after a period's close,
// with the set that puts its event back alone.
type closeCause struct {
	by  RestatedBy
	set putBackSet
}

// declRecorded is when a declaration was recorded (its declaration time
// where the store gives no record time).
func declRecorded(d *critmin.ErrorDeclaration) time.Time {
	if d == nil {
		return time.Time{}
	}
	if !d.RecordTime.IsZero() {
		return d.RecordTime
	}
	return d.DeclarationTime
}

// closeCauses are the declarations in error recorded after close of
// events recorded up to it that an as-at-close replay puts back: the
// site's runs, runs upstream of the lots the account read, measurements
// and packings naming them (as explainRetractions finds them).
func (mc *mbCalc) closeCauses(close time.Time) ([]closeCause, error) {
	rs, err := retractedRuns(mc.ctx, mc.s, mc.d.Site)
	if err != nil {
		return nil, err
	}
	all, err := retractedRuns(mc.ctx, mc.s, "")
	if err != nil {
		return nil, err
	}
	// A declared event recorded after the close was never in the
	// account at the close: putting it back would add it.
	stood := func(id string, d *critmin.ErrorDeclaration) bool {
		if !declRecorded(d).After(close) {
			return false
		}
		rec := mc.recordedAt(id)
		return rec.IsZero() || !rec.After(close)
	}
	decl := func(set putBackSet, id string, d *critmin.ErrorDeclaration) closeCause {
		return closeCause{by: RestatedBy{Event: id, RecordTime: declRecorded(d).UTC(), Reason: declaredReason(d), Words: set.candidates()[0].words}, set: set}
	}
	var out []closeCause
	atSite := map[string]bool{}
	for i, r := range rs {
		atSite[r.ev.EventID] = true
		if stood(r.ev.EventID, r.decl) {
			out = append(out, decl(putBackSet{site: rs[i : i+1]}, r.run.event, r.decl))
		}
	}
	read := mc.readLots(rs)
	ups := upstreamRuns(all, atSite, read)
	for i, r := range ups {
		if stood(r.ev.EventID, r.decl) {
			out = append(out, decl(putBackSet{ups: ups[i : i+1]}, r.run.event, r.decl))
		}
	}
	ms, err := mc.retractedMeasurements(read)
	if err != nil {
		return nil, err
	}
	for i, m := range ms {
		if stood(m.ev.EventID, m.decl) {
			out = append(out, decl(putBackSet{ms: ms[i : i+1]}, m.ev.EventID, m.decl))
		}
	}
	ps, err := mc.retractedPackings(read)
	if err != nil {
		return nil, err
	}
	for i, p := range ps {
		if stood(p.ev.EventID, p.decl) {
			out = append(out, decl(putBackSet{ps: ps[i : i+1]}, p.ev.EventID, p.decl))
		}
	}
	return out, nil
}

// asAtClose is the statement of periods[idx] replayed with the events
// causes declared in error put back.
func (mc *mbCalc) asAtClose(periods []critmin.ClaimPeriod, idx int, causes []closeCause) (*Statement, error) {
	var set putBackSet
	for _, c := range causes {
		set.site = append(set.site, c.set.site...)
		set.ups = append(set.ups, c.set.ups...)
		set.ms = append(set.ms, c.set.ms...)
		set.ps = append(set.ps, c.set.ps...)
	}
	alt, err := mc.replayPutBack(periods, idx, set)
	if err != nil || alt == nil || len(alt.stmts) <= idx {
		return nil, err
	}
	return alt.stmts[idx], nil
}

// restatedLines are the balance lines of cur whose figures differ, as
// printed (Figure), from those of the same category and origin in close
// (a line absent from one reads zeros there).
func restatedLines(close, cur *Statement) []RestatedLine {
	type key struct{ cat, country string }
	var order []key
	lines := map[key]*RestatedLine{}
	add := func(st *Statement, now bool) {
		for _, c := range st.Categories {
			for _, l := range c.Lines {
				k := key{c.Category.ID, l.Country}
				rl := lines[k]
				if rl == nil {
					rl = &RestatedLine{Category: c.Category.ID, Country: l.Country, Name: l.Name}
					lines[k] = rl
					order = append(order, k)
				}
				if now {
					rl.Current, rl.Name = figures(l), l.Name
				} else {
					rl.AtClose = figures(l)
				}
			}
		}
	}
	add(close, false)
	add(cur, true)
	var out []RestatedLine
	for _, k := range order {
		rl := lines[k]
		was, now := rl.AtClose.named(), rl.Current.named()
		for i := range was {
			if Figure(was[i].v) != Figure(now[i].v) {
				rl.Changed = append(rl.Changed, was[i].name)
			}
		}
		if len(rl.Changed) > 0 {
			out = append(out, *rl)
		}
	}
	return out
}

// restate sets st.Restated for periods[idx] when the period ended before
// now and its figures as at close differ from st's: the changed lines and
// the declarations recorded after the close that changed them — each
// whose event put back alone changes a line of the period; where none
// does alone, all of them (they did it together). Nothing is set for a period still
// open, nor for one whose figures are those it closed with.
func (mc *mbCalc) restate(periods []critmin.ClaimPeriod, idx int, st *Statement, now time.Time) error {
	_, to := periodSpan(periods[idx])
	if periods[idx].To == "" || now.Before(to) {
		return nil
	}
	causes, err := mc.closeCauses(to)
	if err != nil || len(causes) == 0 {
		return err
	}
	close, err := mc.asAtClose(periods, idx, causes)
	if err != nil || close == nil {
		return err
	}
	lines := restatedLines(close, st)
	if len(lines) == 0 {
		return nil
	}
	named := causes
	if len(causes) > 1 {
		named = nil
		for _, c := range causes {
			one, err := mc.asAtClose(periods, idx, []closeCause{c})
			if err != nil {
				return err
			}
			if one != nil && len(restatedLines(one, st)) > 0 {
				named = append(named, c)
			}
		}
		if len(named) == 0 {
			named = causes
		}
	}
	r := &Restatement{AtClose: to.UTC(), Lines: lines}
	for _, c := range named {
		r.By = append(r.By, c.by)
	}
	st.Restated = r
	return nil
}

// checkRestatement checks a restated period (CheckStatement): each
// restated line's figures as at close and now balance (Closing = Opening
// + Credits − Claims − Expired), its current figures are the statement's
// line, at least one figure changed, and the restatement names the
// declarations that changed it.
func checkRestatement(st *Statement) error {
	r := st.Restated
	if r == nil {
		return nil
	}
	const tol = 1e-6
	fail := func(format string, args ...any) error {
		return critmin.Errorf(critmin.EINTERNAL, "mass balance %s %s restated: %s", st.Site, st.Period.ID, fmt.Sprintf(format, args...))
	}
	if len(r.Lines) == 0 || len(r.By) == 0 {
		return fail("%d line(s) changed by %d event(s): a restatement names both", len(r.Lines), len(r.By))
	}
	for _, l := range r.Lines {
		for _, f := range []struct {
			when string
			x    BalanceFigures
		}{{"as at close", l.AtClose}, {"now", l.Current}} {
			if math.Abs(f.x.Opening+f.x.Credits-f.x.Claims-f.x.Expired-f.x.Closing) > tol {
				return fail("%s %s %s closing %.6f ≠ opening + credits − claims − expired", l.Category, l.Country, f.when, f.x.Closing)
			}
		}
		if len(l.Changed) == 0 {
			return fail("%s %s lists no changed figure", l.Category, l.Country)
		}
		cur := BalanceFigures{}
		for _, c := range st.Categories {
			for _, x := range c.Lines {
				if c.Category.ID == l.Category && x.Country == l.Country {
					cur = figures(x)
				}
			}
		}
		if cur != l.Current {
			return fail("%s %s current figures %+v are not the statement's line %+v", l.Category, l.Country, l.Current, cur)
		}
	}
	return nil
}
