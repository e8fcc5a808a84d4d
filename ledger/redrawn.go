package ledger

import (
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// RedrawnDraw is a recorded event of a lot that draws on one of its
// holdings — a run's input (a TransformationEvent) or a dispatch (a
// shipping, loading, departing or transporting line) — that declaring
// other events in error would leave drawing on another holding than the
// one it drew on (DrawsRedrawn): the holding it took of no longer stands
// at its site, and the replay charges its draw elsewhere.
type RedrawnDraw struct {
	// EventID is the event; Kind DrawRun or DrawDispatch; Site where it
	// happened (bizLocation, else readPoint); Tonnes what it took of the
	// lot as it stated (0 and Stated false when it stated no mass).
	EventID string
	Kind    string
	Site    string
	Tonnes  float64
	Stated  bool
	// Was names the holdings it drew on (BodyHolder, or PartHolder of a
	// part's ShipEventID), Now those it would draw on once the events are
	// declared in error.
	Was, Now []string
}

// Kinds of RedrawnDraw.
const (
	DrawRun      = "run"
	DrawDispatch = "dispatch"
)

// DrawsRedrawn lists the runs and dispatches of lot id that declaring
// the events in declared (their eventIDs) in error would leave drawing
// on a holding they did not draw on (issue 15, fix15zc). The lot is
// replayed from its live events with and without the declared ones (as
// DeclarationDependents); an event is listed when a holding it drew on —
// a received part (by the shipment that sent it) or the lot's body —
// stood at its site when it happened with the declared events and no
// longer stands there without them, while it still takes of the lot: its
// draw then moves to another holding, even one at another site.
// Lot M1 (nu15g item 1): 10 t at Loe Shilman (LS), 4 t shipped to the
// refinery R and received there for USSM, a run at R naming no party
// takes 3.5 t of that part. Declaring the receipt in error puts the part
// back at sea, and the run would take its 3.5 t of the 6 t body at LS,
// moving the body to R (6 − 3.5 = 2.5 t "at R"). With two parts at R
// (USSM's 4 t, the smelter's 3 t; lot M2) it would take 3.5 t of the
// smelter's 3 t: −0.5 t; a 2 t shipment from R naming no party would
// ship the smelter's part instead of USSM's. Such a declaration is
// refused (custody's capture check) unless the dependent event is
// declared in error with it. An event that would take nothing once the
// declaration takes effect — a shipment then flagged (FromRetracted) as
// shipping from a receipt declared in error (DeclarationDependents), a
// run naming the party whose holding goes (NamedAbsent) — is not listed
// here, unless it drew too on a holding that still stands there
// (keptDraw; issue 15, fix15zg, nu15h: lot P9, USSM's 6 t and the
// smelter's 4 t at Houston, P9-c shipping 5 t naming no party took 3 t
// and 2 t; declaring USSM's receipt left 5 t overdrawing the smelter's
// 4 t, P9-c took nothing, the smelter's 2 t silently came back and the
// 5 t shipped were counted nowhere, yet the declaration was accepted);
// nor is an event declared itself. events must hold every live event
// of the lot (lines naming it in any spelling of one canonical form);
// events in event-time order, nil when none.
//
// corrects maps a corrective event (EPCIS 2.0 §7.4.1.2: named in a
// declaration's correctiveEventIDs) to the declared event it stands in
// for: a holding it splits off or sends is the declared one's, so a draw
// on what the declared receipt received keeps its basis when the
// corrective receives the same again (n8d s35F: [D1]'s receipt with its
// line declared together with its corrective twin, while [D1]'s onward
// shipment drew on its share, was refused). nil: none.
func DrawsRedrawn(id string, events []*critmin.Event, declared map[string]bool, corrects map[string]string) []RedrawnDraw {
	var kept []*critmin.Event
	for _, ev := range events {
		if !declared[ev.EventID] {
			kept = append(kept, ev)
		}
	}
	if len(kept) == len(events) {
		return nil
	}
	// What each drew on before: without the corrective events, which
	// stand in for the declared ones.
	var before []*critmin.Event
	for _, ev := range events {
		if corrects[ev.EventID] == "" {
			before = append(before, ev)
		}
	}
	was := runDraws(id, before, nil, nil)
	now := runDraws(id, kept, was, corrects)
	var out []RedrawnDraw
	for _, ev := range EventTimeOrder(kept) {
		d, ok := now[ev.EventID]
		if !ok || !d.lost || len(d.took) == 0 && !keptDraw(was[ev.EventID], d) {
			continue
		}
		r := RedrawnDraw{EventID: ev.EventID, Kind: DrawDispatch, Site: eventSite(ev), Was: sortedHolders(was[ev.EventID].took), Now: sortedHolders(d.took)}
		if ev.Type == critmin.TransformationEvent {
			r.Kind = DrawRun
		}
		for _, q := range ev.Quantities {
			if epcis.Canonical(q.EPCClass) != epcis.Canonical(id) || !(q.Role == critmin.RoleInput && r.Kind == DrawRun || dispatchLine(ev, q)) {
				continue
			}
			if t, stated := lineTonnes(q); stated {
				r.Tonnes += t
				r.Stated = true
			}
		}
		out = append(out, r)
	}
	return out
}

// runDraw is what one run or dispatch took of a lot in a replay: took,
// by holding (BodyHolder, PartHolder), in wet tonnes (a run stating no
// mass that consumed the body, a body shipped whole: what remains of it
// may not change, 0); stood, the holdings standing at its site just
// before it; lost, in a replay judged against another (runDraws' was),
// that a holding it took of there, which stood there then, no longer
// stands there when it happens.
type runDraw struct {
	took  map[string]float64
	stood map[string]bool
	lost  bool
}

// runDraws replays lot id from events (live ones, event-time order; the
// other lots they name projected into scratch copies) and returns, by
// eventID, what each run's input lines and each dispatch's lines
// (dispatchLine) of the lot took of which holding: the body (what
// remains of it, RemainingWetTonnes, went down, or it stood at the
// event's site and no longer does) and each part standing before it
// (what runs took of it and what was shipped on from it went up).
// Against was (a replay of the same lot with more events), each is
// marked lost when a holding it took of in was, standing at its site
// then, does not stand there just before it here.
func runDraws(id string, events []*critmin.Event, was map[string]runDraw, corrects map[string]string) map[string]runDraw {
	l := &critmin.Lot{ID: id}
	name := func(p critmin.LotPart) string {
		switch {
		case p.ShipEventID != "" && corrects[p.ShipEventID] != "":
			return PartHolder(corrects[p.ShipEventID])
		case p.ShipEventID == "" && p.ReceiptEventID != "" && corrects[p.ReceiptEventID] != "":
			return ShareHolder(corrects[p.ReceiptEventID])
		}
		return PartName(p)
	}
	out := map[string]runDraw{}
	for _, ev := range EventTimeOrder(events) {
		if !Live(ev) {
			continue
		}
		view := make(map[string]*critmin.Lot, len(ev.Quantities))
		draws := false
		for _, other := range ev.LotIDs() {
			if epcis.Canonical(other) == epcis.Canonical(id) {
				view[other] = l
			} else {
				view[other] = &critmin.Lot{ID: other}
			}
		}
		for _, q := range ev.Quantities {
			if epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
				draws = draws || (q.Role == critmin.RoleInput && ev.Type == critmin.TransformationEvent) || dispatchLine(ev, q)
			}
		}
		if !draws {
			Project(view, ev)
			continue
		}
		site := eventSite(ev)
		d := runDraw{took: map[string]float64{}, stood: map[string]bool{}}
		body := BodyStands(l, site)
		if body {
			d.stood[BodyHolder] = true
		}
		for _, p := range l.Parts {
			if partStands(p, site) {
				d.stood[name(p)] = true
			}
		}
		for h := range was[ev.EventID].took {
			if was[ev.EventID].stood[h] && !d.stood[h] {
				d.lost = true
			}
		}
		rest := l.RemainingWetTonnes()
		parts := make(map[string]float64, len(l.Parts))
		for _, p := range l.Parts {
			parts[name(p)] += p.TakenTonnes + p.ShippedOnTonnes
		}
		Project(view, ev)
		// The body: what remains of it went down (a run's take, a part
		// sent away), or it stood there and no longer does (consumed,
		// or shipped whole).
		if t := rest - l.RemainingWetTonnes(); t > 1e-9 || body && !BodyStands(l, site) {
			d.took[BodyHolder] = max(t, 0)
		}
		for _, p := range l.Parts {
			if _, ok := parts[name(p)]; ok {
				parts[name(p)] -= p.TakenTonnes + p.ShippedOnTonnes
			}
		}
		for h, t := range parts {
			if -t > 1e-9 {
				d.took[h] = -t
			}
		}
		out[ev.EventID] = d
	}
	return out
}

// keptDraw says whether a draw that takes nothing once events are
// declared (now) drew, with them (was), on a holding that still stands
// at its site: a dispatch naming no party that took pro rata of two
// owners' parts, one of which the declaration removes, is flagged as
// taking of nothing, and what it drew on the other part silently goes
// back to it (issue 15, fix15zg).
func keptDraw(was, now runDraw) bool {
	for h := range was.took {
		if was.stood[h] && now.stood[h] {
			return true
		}
	}
	return false
}

// partStands says whether part p stands at site: received there, and
// not shipped from a receipt declared in error.
func partStands(p critmin.LotPart, site string) bool {
	return p.Status == critmin.PartReceived && !p.FromRetracted && site != "" && epcis.Canonical(p.To) == epcis.Canonical(site)
}

func sortedHolders(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for h := range m {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}
