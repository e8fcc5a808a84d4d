package sqldb

import (
	"context"
	"time"

	"github.com/critmin/critmin"
)

// packingsQuery reads a container's stored events not declared in error
// that name it as parentID, whole (ContainerHolds: their sites).
const packingsQuery = "SELECT " + replayColumns + " WHERE e.pk IN (SELECT x.event_pk FROM event_epcs x WHERE x.canon = ? AND x.role = 'parent') AND" + notDeclared + " ORDER BY e.pk"

// ContainerHolds is what container (any spelling) holds now, read by the
// rule capture gives a run fed it whole (contentsOfBut, the rows stored
// in event_contents): its packings less its unpackings, less everything
// packed before a run fed it whole, less what its trips left behind
// and what the lots' own line draws took out of it (one rule:
// ledger.Holdings.HeldAt with Feeds and Drawn), cut to what stands of
// each lot where it stands (ledger.FedHolding), without the lots
// consumed. A
// container at sea holds what its trip's dispatch carried in it
// (Holdings.CarriedBy). One line per lot and packing unit, in the
// container's packing order; none for a container emptied (or never
// packed). It is read in one read transaction.
//
// The container page reads it (new-user check n8e-7: after a run fed
// the container whole the page still listed B 2 t, the lot's loose
// rest drawn out of PackedIn's replay).
func (db *DB) ContainerHolds(ctx context.Context, container string) ([]critmin.QuantityElement, error) {
	tx, release, err := db.readTx(ctx, "container contents")
	if err != nil {
		return nil, err
	}
	defer release()
	w := &writer{db: db, tx: tx, ctx: ctx, lots: map[string]*critmin.Lot{}}
	c := canon(container)
	// Every stored event counts: a time after any an event may state.
	now := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	h := w.holdings()
	// Where it stands: its packings read whole (their sites; the
	// holdings' packings carry their lines only), its moves and feeds.
	where := h
	where.Packings = func(c string) ([]*critmin.Event, error) {
		evs, err := w.storedEvents(packingsQuery, c)
		return ofType(evs, critmin.AggregationEvent), err
	}
	place, placed, err := where.PlaceAt(c, now, nil)
	if err != nil {
		return nil, err
	}
	if placed && place.AtSea && place.By != nil {
		return h.CarriedBy(place.By, c)
	}
	// A run fed it whole where it stands, now: what it would be given.
	run := &critmin.Event{Type: critmin.TransformationEvent, EventTime: now,
		EPCs: []critmin.EPCRef{{Role: critmin.RoleInput, EPC: c}}}
	if placed {
		run.BizLocation, run.ReadPoint = place.Site, place.Site
	}
	rows, err := w.contentsOfBut(run, nil)
	if err != nil {
		return nil, err
	}
	var out []critmin.QuantityElement
	var lots []string
	for _, r := range rows {
		if r.container == c {
			out = append(out, r.line)
			lots = append(lots, canon(r.line.EPCClass))
		}
	}
	return out, nil
}
