package ledger

import (
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// RedrawnRun is a recorded run (a TransformationEvent) of a lot that
// declaring other events in error would leave drawing on another holding
// than the one it drew on (RunsRedrawn): the holding it took of no
// longer stands at its site, and the replay charges its draw elsewhere.
type RedrawnRun struct {
	// EventID is the run; Site where it ran (bizLocation, else
	// readPoint); Tonnes what it took of the lot as it stated (0 and
	// Stated false when it stated no mass).
	EventID string
	Site    string
	Tonnes  float64
	Stated  bool
	// Was names the holdings it drew on (BodyHolder, or PartHolder of a
	// part's ShipEventID), Now those it would draw on once the events are
	// declared in error.
	Was, Now []string
}

// RunsRedrawn lists the runs of lot id that declaring the events in
// declared (their eventIDs) in error would leave drawing on a holding
// they did not draw on (issue 15, fix15zc). The lot is replayed from its
// live events with and without the declared ones (as
// DeclarationDependents); a run is listed when a holding it drew on — a
// received part (by the shipment that sent it) or the lot's body —
// stood at the run's site when it ran with the declared events and no
// longer stands there without them, while the run still takes of the
// lot: its draw then moves to another holding, even one at another site.
// Lot M1 (nu15g item 1): 10 t at Loe Shilman (LS), 4 t shipped to the
// refinery R and received there for USSM, a run at R naming no party
// takes 3.5 t of that part. Declaring the receipt in error puts the part
// back at sea, and the run would take its 3.5 t of the 6 t body at LS,
// moving the body to R (6 − 3.5 = 2.5 t "at R"). With two parts at R
// (USSM's 4 t, the smelter's 3 t; lot M2) it would take 3.5 t of the
// smelter's 3 t: −0.5 t. Such a declaration is refused (custody's
// capture check) unless the run is declared in error with it; a run
// that would take nothing once the declaration takes effect (NamedAbsent:
// it named the party whose holding goes) is not listed here, nor a run
// declared itself. events must hold every live event of the lot
// (lines naming it in any spelling of one canonical form); runs in
// event-time order, nil when none.
func RunsRedrawn(id string, events []*critmin.Event, declared map[string]bool) []RedrawnRun {
	var kept []*critmin.Event
	for _, ev := range events {
		if !declared[ev.EventID] {
			kept = append(kept, ev)
		}
	}
	if len(kept) == len(events) {
		return nil
	}
	was := runDraws(id, events, nil)
	now := runDraws(id, kept, was)
	var out []RedrawnRun
	for _, ev := range EventTimeOrder(kept) {
		d, ok := now[ev.EventID]
		if !ok || !d.lost || len(d.took) == 0 {
			continue
		}
		r := RedrawnRun{EventID: ev.EventID, Site: eventSite(ev), Was: sortedHolders(was[ev.EventID].took), Now: sortedHolders(d.took)}
		for _, q := range ev.Quantities {
			if q.Role == critmin.RoleInput && epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
				if t, stated := lineTonnes(q); stated {
					r.Tonnes += t
					r.Stated = true
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// runDraw is what one run took of a lot in a replay: took, by holding
// (BodyHolder, PartHolder), in wet tonnes (a run stating no mass that
// consumed the body: 0); stood, the holdings standing at its site just
// before it ran; lost, in a replay judged against another (runDraws'
// was), that a holding it took of there, which stood there then, no
// longer stands there when it runs.
type runDraw struct {
	took  map[string]float64
	stood map[string]bool
	lost  bool
}

// runDraws replays lot id from events (live ones, event-time order; the
// other lots they name projected into scratch copies) and returns, by
// run eventID, what each run's input lines took of which holding.
// Against was (a replay of the same lot with more events), each run is
// marked lost when a holding it took of in was, standing at its site
// then, does not stand there just before it runs here.
func runDraws(id string, events []*critmin.Event, was map[string]runDraw) map[string]runDraw {
	l := &critmin.Lot{ID: id}
	out := map[string]runDraw{}
	for _, ev := range EventTimeOrder(events) {
		if !Live(ev) {
			continue
		}
		view := make(map[string]*critmin.Lot, len(ev.Quantities))
		input := false
		for _, other := range ev.LotIDs() {
			if epcis.Canonical(other) == epcis.Canonical(id) {
				view[other] = l
			} else {
				view[other] = &critmin.Lot{ID: other}
			}
		}
		for _, q := range ev.Quantities {
			input = input || q.Role == critmin.RoleInput && epcis.Canonical(q.EPCClass) == epcis.Canonical(id)
		}
		if !input || ev.Type != critmin.TransformationEvent {
			Project(view, ev)
			continue
		}
		site := eventSite(ev)
		d := runDraw{took: map[string]float64{}, stood: map[string]bool{}}
		if BodyStands(l, site) {
			d.stood[BodyHolder] = true
		}
		for _, p := range l.Parts {
			if partStands(p, site) {
				d.stood[PartHolder(p.ShipEventID)] = true
			}
		}
		for h := range was[ev.EventID].took {
			if was[ev.EventID].stood[h] && !d.stood[h] {
				d.lost = true
			}
		}
		taken, status := l.TakenTonnes, l.Status
		parts := make(map[string]float64, len(l.Parts))
		for _, p := range l.Parts {
			parts[p.ShipEventID] += p.TakenTonnes
		}
		Project(view, ev)
		if t := l.TakenTonnes - taken; t > 1e-9 || (l.Status == critmin.LotConsumed && status != critmin.LotConsumed) {
			d.took[BodyHolder] = max(t, 0)
		}
		for _, p := range l.Parts {
			parts[p.ShipEventID] -= p.TakenTonnes
		}
		for ship, t := range parts {
			if -t > 1e-9 {
				d.took[PartHolder(ship)] = -t
			}
		}
		out[ev.EventID] = d
	}
	return out
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
