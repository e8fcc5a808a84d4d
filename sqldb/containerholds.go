package sqldb

import (
	"context"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// packingsQuery reads a container's stored events not declared in error
// that name it as parentID, whole (ContainerHolds: their sites).
const packingsQuery = "SELECT " + replayColumns + " WHERE e.pk IN (SELECT x.event_pk FROM event_epcs x WHERE x.canon = ? AND x.role = 'parent') AND" + notDeclared + " ORDER BY e.pk"

// ContainerHolds is what container (any spelling) holds now, read by the
// rule capture gives a run fed it whole (contentsOfBut, the rows stored
// in event_contents): its packings less its unpackings, less everything
// packed before a run fed it whole (ledger.Holdings.HeldAt with Feeds),
// less what its trips left behind, cut to what the lots' own line draws
// left in it (ledger.ContainerShare) and to what stands of each lot
// where it stands (ledger.FedHolding), without the lots consumed. A
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
	if len(out) == 0 {
		return nil, nil
	}
	// Nor more than the unpacking check reads in it (PackedIn,
	// custody.ContainedAt): a lot's line draw taken out of it and then
	// the rest unpacked leaves it empty (3 t packed, 1 t of them drawn by
	// a line shipment, 2 t unpacked: nothing, where the feed's rule
	// alone reads 3 − 2 = 1 t).
	_, drawn, err := db.packedDrawn(ctx, tx, lots, time.Time{})
	if err != nil {
		return nil, err
	}
	most := map[string]float64{}
	unknown := map[string]bool{} // a packing without a mass
	for _, p := range drawn {
		k := canon(p.Child)
		if canon(p.Container) != c {
			continue
		}
		if w, ok := ledger.PackedWet(p, 0); ok {
			most[k] += w
		} else {
			unknown[k] = true
		}
	}
	kept := out[:0]
	for _, q := range out {
		k := canon(q.EPCClass)
		if q.Quantity == nil || !units.IsMass(q.UOM) || unknown[k] {
			kept = append(kept, q)
			continue
		}
		t, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			kept = append(kept, q)
			continue
		}
		if most[k] <= 1e-9 {
			continue // nothing of it left in the container
		}
		if t > most[k] {
			if v, err := units.FromTonnes(most[k], q.UOM); err == nil {
				q.Quantity = &v
			}
		}
		kept = append(kept, q)
	}
	return kept, nil
}
