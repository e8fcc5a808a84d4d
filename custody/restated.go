package custody

import (
	"fmt"
	"math"
	"slices"
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
	// Totals are, for each category with a restated line, its "all
	// origins" total (CategoryStatement.Total; Country "", Name
	// AllOrigins) as at close and now: the sum of the category's origins
	// as at close, and the statement's total (fix9at). Changed may be
	// empty where the origins' changes cancel out.
	Totals []RestatedLine `json:"totals"`
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

// Total reports whether l is a category's "all origins" total
// (Restatement.Totals).
func (l RestatedLine) Total() bool {
	return l.Country == ""
}

// Table is the restatement's lines as a table: each category's restated
// origins, in the order of Lines, followed by its total (Totals).
func (r *Restatement) Table() []RestatedLine {
	var out []RestatedLine
	var cats []string
	for _, l := range r.Lines {
		if !slices.Contains(cats, l.Category) {
			cats = append(cats, l.Category)
		}
	}
	for _, t := range r.Totals {
		if !slices.Contains(cats, t.Category) {
			cats = append(cats, t.Category)
		}
	}
	for _, c := range cats {
		for _, l := range r.Lines {
			if l.Category == c {
				out = append(out, l)
			}
		}
		for _, t := range r.Totals {
			if t.Category == c {
				out = append(out, t)
			}
		}
	}
	return out
}

// Words are the line's changed figures, "credits 0.45 → 0 t, closing
// 0.25 → -0.2 t"; "unchanged" for a total whose origins' changes
// cancel out.
func (l RestatedLine) Words() string {
	was, now := l.AtClose.named(), l.Current.named()
	var out []string
	for i := range was {
		if Figure(was[i].v) != Figure(now[i].v) {
			out = append(out, fmt.Sprintf("%s %s → %s t", was[i].name, Figure(was[i].v), Figure(now[i].v)))
		}
	}
	if len(out) == 0 {
		return "unchanged"
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
		rl.Changed = changedFigures(rl.AtClose, rl.Current)
		if len(rl.Changed) > 0 {
			out = append(out, *rl)
		}
	}
	return out
}

// changedFigures names the figures that differ, as printed (Figure),
// between was and now.
func changedFigures(was, now BalanceFigures) []string {
	w, n := was.named(), now.named()
	var out []string
	for i := range w {
		if Figure(w[i].v) != Figure(n[i].v) {
			out = append(out, w[i].name)
		}
	}
	return out
}

// restatedTotals are the "all origins" totals, as at close (close) and
// now (cur), of each category lines restate, in their order (fix9at).
func restatedTotals(close, cur *Statement, lines []RestatedLine) []RestatedLine {
	total := func(st *Statement, cat string) BalanceFigures {
		for _, c := range st.Categories {
			if c.Category.ID == cat {
				return figures(c.Total)
			}
		}
		return BalanceFigures{}
	}
	var out []RestatedLine
	for _, l := range lines {
		if slices.ContainsFunc(out, func(t RestatedLine) bool { return t.Category == l.Category }) {
			continue
		}
		t := RestatedLine{Category: l.Category, Name: AllOrigins, AtClose: total(close, l.Category), Current: total(cur, l.Category)}
		t.Changed = append([]string{}, changedFigures(t.AtClose, t.Current)...)
		out = append(out, t)
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
	r := &Restatement{AtClose: to.UTC(), Lines: lines, Totals: restatedTotals(close, st, lines)}
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
// declarations that changed it. Each category with a restated line has
// its total, once (fix9at): its figures balance, now they are the
// statement's total and the sum of the category's lines, and as at close
// the sum of its origins as at close — the restated lines' figures as at
// close, every other line's current ones (unchanged since the close).
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
	return checkRestatedTotals(st, fail)
}

// checkRestatedTotals is checkRestatement's check of the totals.
func checkRestatedTotals(st *Statement, fail func(string, ...any) error) error {
	r := st.Restated
	add := func(s *BalanceFigures, f BalanceFigures) {
		s.Opening += f.Opening
		s.Credits += f.Credits
		s.Claims += f.Claims
		s.Expired += f.Expired
		s.Closing += f.Closing
	}
	near := func(a, b BalanceFigures, tol float64) bool {
		an, bn := a.named(), b.named()
		for i := range an {
			if math.Abs(an[i].v-bn[i].v) > tol {
				return false
			}
		}
		return true
	}
	seen := map[string]bool{}
	for _, t := range r.Totals {
		if seen[t.Category] || !t.Total() || t.Name != AllOrigins {
			return fail("total %q %q (%s) listed twice or not an all-origins line", t.Category, t.Country, t.Name)
		}
		seen[t.Category] = true
		var c *CategoryStatement
		for i := range st.Categories {
			if st.Categories[i].Category.ID == t.Category {
				c = &st.Categories[i]
			}
		}
		if c == nil {
			return fail("total of category %s, which the statement does not hold", t.Category)
		}
		var now, was BalanceFigures
		n := 1
		for _, x := range c.Lines {
			n++
			add(&now, figures(x))
			if i := slices.IndexFunc(r.Lines, func(l RestatedLine) bool { return l.Category == t.Category && l.Country == x.Country }); i >= 0 {
				add(&was, r.Lines[i].AtClose)
			} else {
				add(&was, figures(x))
			}
		}
		for _, l := range r.Lines {
			if l.Category == t.Category && !slices.ContainsFunc(c.Lines, func(x BalanceLine) bool { return x.Country == l.Country }) {
				n++
				add(&was, l.AtClose) // a line the period no longer has
			}
		}
		// Each line sums at full precision, the unchanged ones equal
		// as printed (six decimals) at close and now.
		tol := 1e-6 * float64(n)
		for _, f := range []struct {
			when string
			x    BalanceFigures
		}{{"as at close", t.AtClose}, {"now", t.Current}} {
			if math.Abs(f.x.Opening+f.x.Credits-f.x.Claims-f.x.Expired-f.x.Closing) > tol {
				return fail("%s total %s closing %.6f ≠ opening + credits − claims − expired", t.Category, f.when, f.x.Closing)
			}
		}
		if !near(t.Current, figures(c.Total), tol) || !near(t.Current, now, tol) {
			return fail("%s total now %+v is not the statement's total %+v, the sum of its origins %+v", t.Category, t.Current, figures(c.Total), now)
		}
		if !near(t.AtClose, was, tol) {
			return fail("%s total as at close %+v is not the sum of its origins as at close %+v", t.Category, t.AtClose, was)
		}
		if got := changedFigures(t.AtClose, t.Current); !slices.Equal(got, t.Changed) {
			return fail("%s total lists changed %v, its figures %v", t.Category, t.Changed, got)
		}
	}
	for _, l := range r.Lines {
		if !seen[l.Category] {
			return fail("category %s has a restated line but no total", l.Category)
		}
	}
	return nil
}
