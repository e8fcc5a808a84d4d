package sqldb

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// checkCommissioning refuses a second commissioning of a lot. A lot's
// identity — commodity, origin country and mine (ILMD) — is set once, when it is commissioned: EPCIS 2.0 §7.3.6 ("ILMD … is
// specified when the object is commissioned") and CBV 2.0 §7.2
// ("commissioning: the process of associating an instance or class-level
// identifier with a specific object"). An ObjectEvent ADD whose ILMD sets
// the commodity or origin of a
// lot that already has an identity (an earlier event, stored or earlier in
// the same capture, set its commodity or origin) would rewrite the lot and
// the origin of every product made from it, so it is refused; a wrong
// commissioning is corrected with an errorDeclaration and a corrective
// event. (An ADD whose ILMD only claims an origin, cm:originClaim, is a
// later claim, checked by custody.) A TransformationEvent output that names an existing lot with a
// different commodity or origin is refused for the same reason (outputs
// recorded in several events of one run may repeat the same identity).
// ev has canonical lot identifiers (canonLots).
func (w *writer) checkCommissioning(ev *critmin.Event) error {
	m := ev.Mineral
	sets := m != nil && (m.Commodity != "" || m.OriginCountry != "" || m.OriginMine != "")
	adds := ev.Type == critmin.ObjectEvent && ev.Action == "ADD" && sets
	outputs := ev.Type == critmin.TransformationEvent && sets
	if !adds && !outputs {
		return nil
	}
	for i, q := range ev.Quantities {
		if q.Role == critmin.RoleInput {
			continue
		}
		l := w.lots[q.EPCClass]
		if l == nil || l.EventCount == 0 || (l.Commodity == "" && l.OriginCountry == "" && l.OriginMine == "") {
			continue
		}
		if outputs && !adds && (m.Commodity == "" || m.Commodity == l.Commodity) &&
			(m.OriginCountry == "" || m.OriginCountry == l.OriginCountry) && (m.OriginMine == "" || m.OriginMine == l.OriginMine) {
			continue
		}
		by, at, err := w.commissioningOf(q.EPCClass)
		if err != nil {
			return err
		}
		if by != "" && w.docDeclared[by] {
			continue // the commissioning this corrects is retracted by the same capture
		}
		if at.IsZero() {
			at = l.FirstEventAt
		}
		what := "commissioned"
		if by != "" {
			what += " by event " + by
		}
		reason := fmt.Sprintf("lot %s already exists (%s on %s as %s); its commodity and origin are set once, at commissioning (EPCIS 2.0 §7.3.6, CBV 2.0 commissioning): correct them with an errorDeclaration, not a second commissioning",
			q.EPCClass, what, at.UTC().Format("2006-01-02 15:04Z"), lotIdentity(l))
		ptr := fmt.Sprintf("event %s/ilmd", ev.EventID)
		if ev.EventID == "" {
			ptr = fmt.Sprintf("quantity %d/ilmd", i)
		}
		// A lot already on the record is a conflict with it (409, RFC
		// 9110 §15.5.10), not a malformed event.
		return &critmin.Error{Code: critmin.ECONFLICT, Message: reason + "; nothing was stored",
			Fields: []critmin.FieldError{{Pointer: ptr, Reason: reason, Conflict: true}}}
	}
	if w.commissionedBy == nil {
		w.commissionedBy = map[string]string{}
	}
	for _, q := range ev.Quantities {
		if q.Role != critmin.RoleInput && w.commissionedBy[q.EPCClass] == "" {
			w.commissionedBy[q.EPCClass] = ev.EventID
		}
	}
	return nil
}

// lotIdentity is a lot's commodity and origin in a few words.
func lotIdentity(l *critmin.Lot) string {
	s := l.Commodity
	if s == "" {
		s = "a lot"
	}
	if l.OriginCountry != "" {
		s += " from " + l.OriginCountry
	}
	if l.OriginMine != "" {
		s += " (" + l.OriginMine + ")"
	}
	return s
}

// commissioningOf names the earliest event not declared in error that
// added the lot (canonical id) or produced it, and its time; empty when
// none is found.
func (w *writer) commissioningOf(lot string) (string, time.Time, error) {
	if id := w.commissionedBy[lot]; id != "" {
		return id, time.Time{}, nil
	}
	var id string
	var us int64
	err := w.tx.QueryRowContext(w.ctx, w.db.q(`SELECT e.event_id, e.event_time FROM event_quantities q JOIN events e ON e.pk = q.event_pk
		WHERE q.canon = ? AND q.role IN ('epc', 'output') AND (e.action = 'ADD' OR e.event_type = 'TransformationEvent') AND e.declaration = 0
		AND NOT EXISTS (SELECT 1 FROM events d WHERE d.declaration = 1 AND d.event_id = e.event_id)
		ORDER BY e.event_time LIMIT 1`), lot).Scan(&id, &us)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%s: find commissioning of %s: %w", w.db.Dialect.Name, lot, err)
	}
	return id, time.UnixMicro(us), nil
}

// checkPacking refuses packing more of a lot than it holds: the quantity
// of a lot in an AggregationEvent's childQuantityList (EPCIS 2.0 §7.3.5.3)
// is the part of the lot that went into the parent, so it cannot exceed
// the lot's known wet mass. Only mineral lots (with a commodity, whose
// mass the mineral projection keeps) are checked: a class of unknown
// mass, or a generic GS1 class whose stated quantities are not a stock
// (the GS1 examples pack 200.5 KGM of a class once stated as 200 KGM), is
// not.
func (w *writer) checkPacking(ev *critmin.Event) error {
	errs := ledger.CheckPacking(ev, func(id string) *critmin.Lot { return w.lots[id] })
	if len(errs) == 0 {
		return nil
	}
	for i := range errs {
		errs[i].Pointer = "event " + ev.EventID + errs[i].Pointer
	}
	return &critmin.Error{Code: critmin.RefusalCode(errs), Message: errs[0].Reason + "; nothing was stored", Fields: errs}
}
