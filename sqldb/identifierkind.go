package sqldb

import (
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// loadKinds reads, for the identifiers events name, which stored events
// not declared in error used them as a class (event_quantities) and as
// an instance (event_epcs: parentID and the EPC lists), for checkKinds:
// two statements per batch, on the canon indexes, whatever the number
// of events.
func (w *writer) loadKinds(events []*critmin.Event) error {
	if w.classUse == nil {
		w.classUse, w.instanceUse = map[string]string{}, map[string]string{}
	}
	var classes, instances []string
	seen := map[string]bool{}
	for _, ev := range events {
		if ev.ErrorDeclaration != nil {
			continue
		}
		// An identifier used as an instance is looked up among the
		// stored classes, and the other way round.
		if ev.ParentID != "" {
			if c := canon(ev.ParentID); !seen["i"+c] {
				seen["i"+c] = true
				instances = append(instances, c)
			}
		}
		for _, e := range ev.EPCs {
			if c := canon(e.EPC); !seen["i"+c] {
				seen["i"+c] = true
				instances = append(instances, c)
			}
		}
		for _, q := range ev.Quantities {
			if c := canon(q.EPCClass); !seen["c"+c] {
				seen["c"+c] = true
				classes = append(classes, c)
			}
		}
	}
	read := func(table string, ids []string, into map[string]string) error {
		return inChunks(ids, func(part []any) error {
			rows, err := w.tx.QueryContext(w.ctx, w.db.q(`SELECT x.canon, MIN(e.event_id) FROM `+table+` x JOIN events e ON e.pk = x.event_pk
				WHERE x.canon IN (`+placeholders(len(part))+`) AND`+notDeclared+` GROUP BY x.canon`), part...)
			if err != nil {
				return fmt.Errorf("%s: look up identifier uses in %s: %w", w.db.Dialect.Name, table, err)
			}
			defer rows.Close()
			for rows.Next() {
				var id, by string
				if err := rows.Scan(&id, &by); err != nil {
					return err
				}
				if into[id] == "" {
					into[id] = by
				}
			}
			return rows.Err()
		})
	}
	if err := read("event_quantities", instances, w.classUse); err != nil {
		return err
	}
	return read("event_epcs", classes, w.instanceUse)
}

// checkKinds refuses an event that names a lot (a class) as a container
// or other instance, or an instance as a lot (ledger.CheckIdentifierKinds),
// against the stored events (loadKinds) and this capture's earlier ones;
// an event that passes adds its own uses.
func (w *writer) checkKinds(ev *critmin.Event) error {
	if w.classUse == nil {
		w.classUse, w.instanceUse = map[string]string{}, map[string]string{}
	}
	errs := ledger.CheckIdentifierKinds(ev, func(c string) string { return w.classUse[c] }, func(c string) string { return w.instanceUse[c] })
	if len(errs) > 0 {
		for i := range errs {
			errs[i].Pointer = "event " + ev.EventID + errs[i].Pointer
		}
		return &critmin.Error{Code: critmin.RefusalCode(errs), Message: errs[0].Reason + "; nothing was stored", Fields: errs}
	}
	if ev.ErrorDeclaration != nil {
		return nil
	}
	if ev.ParentID != "" {
		if c := canon(ev.ParentID); w.instanceUse[c] == "" {
			w.instanceUse[c] = ev.EventID
		}
	}
	for _, e := range ev.EPCs {
		if c := canon(e.EPC); w.instanceUse[c] == "" {
			w.instanceUse[c] = ev.EventID
		}
	}
	for _, q := range ev.Quantities {
		if c := canon(q.EPCClass); w.classUse[c] == "" {
			w.classUse[c] = ev.EventID
		}
	}
	return nil
}
