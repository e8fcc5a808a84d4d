package sqldb

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// materialize keeps lot_origin up to date for this transaction: first it
// marks stale the kept mixes downstream of lots whose facts changed (or
// that gained inputs), and of the other outputs of the runs that made
// them or the lots produced now (markStale); then it computes the mix of
// every lot produced in the transaction from its inputs, in order, so
// that later outputs build on earlier ones.
func (w *writer) materialize() error {
	var stale, seeds []string
	changed := map[string]bool{}
	for id := range w.factsChanged {
		changed[id] = true
	}
	for id, was := range w.figures {
		if l := w.lots[id]; l != nil && massFigures(l) != was {
			changed[id] = true
		}
	}
	for _, id := range sortedSet(changed) {
		if w.existed[id] {
			stale = append(stale, id)
			seeds = append(seeds, id)
		}
	}
	for _, id := range w.produced {
		if w.existed[id] {
			stale = append(stale, id)
		}
		seeds = append(seeds, id)
	}
	sibs, err := w.coOutputs(seeds)
	if err != nil {
		return err
	}
	if err := w.markStale(append(stale, sibs...)); err != nil {
		return err
	}
	if len(w.produced) == 0 {
		return nil
	}
	edges, err := w.edgesInto(w.produced)
	if err != nil {
		return err
	}
	byChild := map[string][]critmin.LotEdge{}
	runs := map[string][]critmin.LotEdge{}
	var parents []string
	for _, e := range edges {
		byChild[e.Child] = append(byChild[e.Child], e)
		parents = append(parents, e.Parent)
	}
	// Runs by run (EPCIS 2.0 §7.4.6): every edge of each transformationID
	// involved, including its events in earlier captures, so that the
	// element balance of a split run weighs all its inputs and outputs.
	runEdges, err := w.edgesOfRuns(edges)
	if err != nil {
		return err
	}
	var runOutputs []string
	for _, e := range runEdges {
		runs[e.RunKey()] = append(runs[e.RunKey()], e)
		parents = append(parents, e.Parent)
		runOutputs = append(runOutputs, e.Child)
	}
	isProduced, err := w.producedAmong(parents)
	if err != nil {
		return err
	}
	mixes, err := w.keptMixes(parents)
	if err != nil {
		return err
	}
	var missing []string
	for _, p := range append(parents, runOutputs...) {
		if _, ok := w.lots[p]; !ok {
			missing = append(missing, p)
		}
	}
	if err := w.loadLots(missing); err != nil {
		return err
	}
	sites, err := w.siteModels()
	if err != nil {
		return err
	}
	xids, err := w.transformationIDs(runs)
	if err != nil {
		return err
	}
	for _, id := range w.produced {
		out := w.lots[id]
		es := byChild[id]
		if out == nil || len(es) == 0 {
			continue
		}
		m, ok := custody.ProducedMix(out, es, runs, mixes, isProduced, w.lots, sites, xids)
		mixText, staleFlag := "{}", 1
		if ok {
			mixText, staleFlag = custody.EncodeMix(m), 0
			mixes[id] = m
		}
		var seal any // a stale mix is served by no reader and carries no seal
		if staleFlag == 0 {
			seal = derivedSeal("lot_origin", id, mixText, staleFlag)
		}
		if err := w.exec(`INSERT INTO lot_origin (lot, mix, stale, seal) VALUES (?, ?, ?, ?) ON CONFLICT (lot) DO UPDATE SET mix = excluded.mix, stale = excluded.stale, seal = excluded.seal`, id, mixText, staleFlag, seal); err != nil {
			return fmt.Errorf("%s: keep origin mix: %w", w.db.Dialect.Name, err)
		}
	}
	return nil
}

// massFigures is what a lot's own figures put into its origin and its
// runs' element caps: wet and dry tonnes, moisture and assays, as one
// comparable string.
func massFigures(l *critmin.Lot) string {
	b, _ := json.Marshal(struct {
		Wet, Dry float64
		Moisture *float64
		Assays   []critmin.Assay
	}{l.WetTonnes, l.DryTonnes, l.Moisture, l.Assays})
	return string(b)
}

// noteFigures keeps l's massFigures as loaded (writer.figures).
func (w *writer) noteFigures(l *critmin.Lot) {
	if w.figures == nil {
		w.figures = map[string]string{}
	}
	w.figures[l.ID] = massFigures(l)
}

// sortedSet is the keys of set, sorted.
func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// coOutputs are the other outputs of the runs that made any of ids (a
// run of one event, or every event sharing its transformationID, EPCIS
// 2.0 §7.4.6), sorted. A run whose outputs hold more of an element than
// its inputs caps each output at its share of what the inputs held
// (custody capsFor: every output scaled by input ÷ what all the run's
// outputs hold now), so a new assay, weighing or output of one output
// moves the capped figure — and the claimed view read from it — of every
// other (issue 9, fix9ac: O1 reassayed higher took O2 from 0.25 t to
// 0.166667 t Nd+Pr, while O2's kept mix still read 0.25 t).
func (w *writer) coOutputs(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	into, err := w.edgesInto(ids)
	if err != nil || len(into) == 0 {
		return nil, err
	}
	runs, err := w.edgesOfRuns(into)
	if err != nil {
		return nil, err
	}
	self := map[string]bool{}
	for _, id := range ids {
		self[id] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range runs {
		if !self[e.Child] && !seen[e.Child] {
			seen[e.Child] = true
			out = append(out, e.Child)
		}
	}
	sort.Strings(out)
	return out, nil
}

// markStale marks stale the kept origin mixes of ids and of every lot
// made from them, however many runs further down: a stale mix is served
// by no reader (LotMix), which computes the origin from the genealogy
// instead, until capture keeps it again.
func (w *writer) markStale(ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := w.exec(`WITH RECURSIVE down(lot) AS (
			SELECT ? UNION SELECT l.child FROM lot_links l JOIN down ON l.parent = down.lot WHERE l.kind = 'transformation')
			UPDATE lot_origin SET stale = 1, seal = NULL WHERE lot IN (SELECT lot FROM down)`, id); err != nil {
			return fmt.Errorf("%s: mark origin mixes stale: %w", w.db.Dialect.Name, err)
		}
	}
	return nil
}

func (w *writer) edgesInto(ids []string) ([]critmin.LotEdge, error) {
	var out []critmin.LotEdge
	err := inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT "+edgeColumns+" FROM lot_links WHERE kind = 'transformation' AND child IN ("+placeholders(len(part))+") ORDER BY event_time, parent"), part...)
		if err != nil {
			return fmt.Errorf("%s: edges into produced lots: %w", w.db.Dialect.Name, err)
		}
		es, err := scanEdges(rows)
		out = append(out, es...)
		return err
	})
	return out, err
}

// edgesOfRuns returns the transformation edges of the runs the given
// edges belong to: for a run with a transformationID, every edge of any
// event carrying it; for a run of one event, that event's edges.
func (w *writer) edgesOfRuns(edges []critmin.LotEdge) ([]critmin.LotEdge, error) {
	var xids, evs []string
	seen := map[string]bool{}
	for _, e := range edges {
		if seen[e.RunKey()] {
			continue
		}
		seen[e.RunKey()] = true
		if e.Run != "" {
			xids = append(xids, e.Run)
		} else {
			evs = append(evs, e.EventID)
		}
	}
	var out []critmin.LotEdge
	for _, q := range []struct {
		ids  []string
		cond string
	}{
		{xids, "event_id IN (SELECT event_id FROM events WHERE declaration = 0 AND transformation_id IN (%s))"},
		{evs, "event_id IN (%s)"},
	} {
		err := inChunks(q.ids, func(part []any) error {
			rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT "+edgeColumns+" FROM lot_links WHERE kind = 'transformation' AND "+fmt.Sprintf(q.cond, placeholders(len(part)))+" ORDER BY event_time, parent, child, event_id"), part...)
			if err != nil {
				return fmt.Errorf("%s: edges of runs: %w", w.db.Dialect.Name, err)
			}
			es, err := scanEdges(rows)
			out = append(out, es...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// producedAmong says which of ids were themselves made by transformations.
func (w *writer) producedAmong(ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT DISTINCT child FROM lot_links WHERE kind = 'transformation' AND child IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return err
		}
		return collectStrings(rows, out)
	})
	return out, err
}

func (w *writer) keptMixes(ids []string) (map[string]*custody.Mix, error) {
	out := map[string]*custody.Mix{}
	err := inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT lot, mix, seal FROM lot_origin WHERE stale = 0 AND lot IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, raw string
			var seal sql.NullString
			if err := rows.Scan(&id, &raw, &seal); err != nil {
				return err
			}
			m, err := custody.DecodeMix(raw)
			if err != nil {
				return StoredValueError("lot_origin", rowKey("lot", id), "mix", raw, err)
			}
			// A mix edited by hand would be built into every lot made
			// from this one, under their own fresh seals.
			if err := checkSeal("lot_origin", rowKey("lot", id), id, seal, id, raw, 0); err != nil {
				return err
			}
			out[id] = m
		}
		return rows.Err()
	})
	return out, err
}

func (w *writer) loadLots(ids []string) error {
	if err := w.checkLotRows(ids); err != nil {
		return err
	}
	return inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT "+lotColumns+" FROM lots WHERE id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			l, err := scanLot(rows)
			if err != nil {
				return err
			}
			w.lots[l.ID] = l
		}
		return rows.Err()
	})
}

// siteModels reads the sites' master data inside the transaction, so
// that sites described in the same document count.
func (w *writer) siteModels() (map[string]*critmin.Site, error) {
	rows, err := w.tx.QueryContext(w.ctx, `SELECT id, attrs FROM master_data ORDER BY record_us, id`) // later descriptions of a key win
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*critmin.Site{}
	for rows.Next() {
		var id, a string
		if err := rows.Scan(&id, &a); err != nil {
			return nil, err
		}
		var attrs map[string]string
		if err := decodeDerived("master_data", rowKey("id", id), "attrs", a, &attrs); err != nil {
			return nil, err
		}
		c, conflict := critmin.SiteCountry(attrs, nil)
		out[canon(id)] = &critmin.Site{ID: id, Name: attr(attrs, "name"), CustodyModel: attr(attrs, "custodyModel"), ElementTolerance: parseFloat(attr(attrs, "elementTolerance")), Country: c, CountryConflict: conflict}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A site whose country master data changed is in no one country (as
	// the readers outside the transaction take it, masterSites).
	changes, err := siteChanges(w.ctx, w.tx, w.db.Dialect)
	if err != nil {
		return nil, err
	}
	applySiteChanges(out, changes)
	// And every location with the locations it lies inside.
	if err := w.db.applySiteParents(w.ctx, w.tx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// transformationIDs maps the events of runs to their transformationIDs:
// those of this capture from memory, earlier ones from the events table.
func (w *writer) transformationIDs(runs map[string][]critmin.LotEdge) (map[string]string, error) {
	out := map[string]string{}
	var ask []string
	for ev := range runs {
		if x, ok := w.xids[ev]; ok {
			out[ev] = x
		} else {
			ask = append(ask, ev)
		}
	}
	sort.Strings(ask)
	err := inChunks(ask, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT event_id, transformation_id FROM events WHERE declaration = 0 AND transformation_id IS NOT NULL AND event_id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: transformation IDs of runs: %w", w.db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var ev, x string
			if err := rows.Scan(&ev, &x); err != nil {
				return fmt.Errorf("%s: transformation IDs of runs: %w", w.db.Dialect.Name, err)
			}
			out[ev] = x
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// Every live event of each run, also one without an edge of its own
	// (an input-only event: ledger.RunLinks carries its lines on a later
	// event's edges), so that a run's anomaly names all its events.
	var xs []string
	seen := map[string]bool{}
	for _, es := range runs {
		for _, e := range es {
			if e.Run != "" && !seen[e.Run] {
				seen[e.Run] = true
				xs = append(xs, e.Run)
			}
		}
	}
	sort.Strings(xs)
	all, err := runEvents(w.ctx, w.tx, w.db, xs)
	if err != nil {
		return nil, err
	}
	for x, evs := range all {
		for _, ev := range evs {
			out[ev] = x
		}
	}
	return out, nil
}
