package ledger

import (
	"context"
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// checkCommissioning adds to errs (one slice per event, nil for a valid
// event) the refusal of a second commissioning: an ObjectEvent ADD whose
// ILMD sets the commodity or origin of a lot that already has its commodity or origin — from a stored
// event or an earlier event of the same document. A lot's identity is set
// once, when it is commissioned (EPCIS 2.0 §7.3.6: ILMD is "specified when
// the object is commissioned"; CBV 2.0 bizStep commissioning); it is
// corrected with an errorDeclaration. The store refuses the same at
// capture, under its capture lock (sqldb); this check lets Validate — the
// operator forms' and the import's preview — name it first, with the
// commissioning event.
func (s *Service) checkCommissioning(ctx context.Context, doc *epcis.Document, events []*critmin.Event, errs [][]critmin.FieldError) error {
	firstBy := map[string]string{} // canonical lot → the event that commissions it in this document, named
	firstID := map[string]string{} // … and its eventID (a repeated event is a duplicate, not a second commissioning)
	var ids []string
	for i, ev := range events {
		if errs[i] != nil || ev == nil || !commissions(ev) {
			continue
		}
		for _, q := range ev.Quantities {
			ids = append(ids, q.EPCClass)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	stored, err := s.Store.FindLotsByID(ctx, ids)
	if err != nil {
		return err
	}
	known := map[string]*critmin.Lot{}
	for _, l := range stored {
		if l.Commodity != "" || l.OriginCountry != "" || l.OriginMine != "" {
			known[epcis.Canonical(l.ID)] = l
		}
	}
	for i, ev := range events {
		if errs[i] != nil || ev == nil || !commissions(ev) {
			continue
		}
		names := false
		for _, q := range ev.Quantities {
			names = names || known[epcis.Canonical(q.EPCClass)] != nil
		}
		if names && ev.EventID != "" {
			// The same event sent again is an idempotent duplicate, not
			// a second commissioning: capture skips it.
			stored, err := s.Store.FindEventsByID(ctx, ev.EventID)
			if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
				return err
			}
			if len(stored) > 0 {
				continue
			}
		}
		for _, q := range ev.Quantities {
			c := epcis.Canonical(q.EPCClass)
			if l := known[c]; l != nil {
				by, err := s.commissioningEvent(ctx, q.EPCClass)
				if err != nil {
					return err
				}
				if by != "" {
					by = " by event " + by
				}
				errs[i] = append(errs[i], critmin.FieldError{Conflict: true, Pointer: doc.Pointer(i) + "/ilmd", Reason: fmt.Sprintf(
					"lot %s already exists, commissioned on %s%s as %s: its commodity and origin are set once, at commissioning (EPCIS 2.0 §7.3.6, CBV 2.0 commissioning); correct a wrong commissioning with an errorDeclaration",
					q.EPCClass, l.FirstEventAt.UTC().Format("2006-01-02"), by, identity(l))})
				break
			}
			if p, ok := firstBy[c]; ok && firstID[c] != ev.EventID {
				errs[i] = append(errs[i], critmin.FieldError{Pointer: doc.Pointer(i) + "/ilmd", Reason: fmt.Sprintf(
					"lot %s is commissioned already by %s of this document: its commodity and origin are set once, at commissioning (EPCIS 2.0 §7.3.6)", q.EPCClass, p)})
				break
			}
			firstBy[c] = fmt.Sprintf("event %s (%s)", ev.EventID, doc.Pointer(i))
			firstID[c] = ev.EventID
		}
	}
	return nil
}

// commissions says an event commissions lots with their identity: an
// ObjectEvent ADD whose ILMD sets a commodity or an origin (one that only
// claims an origin, cm:originClaim, is a later claim: custody). An
// errorDeclaration of it corrects, it does not commission.
func commissions(ev *critmin.Event) bool { return Commissions(ev) }

// Commissions reports whether ev commissions lots: an ObjectEvent ADD,
// not an error declaration, with mineral ILMD (commodity or origin).
// Commissioning sets a lot's mass once; commissioning a lot again is
// refused by checkCommissioning ("already exists"), whatever its mass.
func Commissions(ev *critmin.Event) bool {
	m := ev.Mineral
	return ev.Type == critmin.ObjectEvent && ev.Action == "ADD" && ev.ErrorDeclaration == nil && m != nil && (m.Commodity != "" || m.OriginCountry != "" || m.OriginMine != "")
}

// commissioningEvent is the eventID of the earliest ObjectEvent ADD that
// names the lot (any spelling) and is not declared in error (Live: a
// declared commissioning made nothing, fixNn), or "" when none is
// stored.
func (s *Service) commissioningEvent(ctx context.Context, lot string) (string, error) {
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventTypes: []string{critmin.ObjectEvent}, Actions: []string{"ADD"},
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{lot}, Exact: true}}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000})
	if err != nil {
		return "", err
	}
	for _, ev := range page.Events {
		if Live(ev) {
			return ev.EventID, nil
		}
	}
	return "", nil
}

// identity is a lot's commodity and origin in a few words.
func identity(l *critmin.Lot) string {
	s := l.Commodity
	if s == "" {
		s = "a lot"
	}
	if l.OriginCountry != "" {
		s += " from " + l.OriginCountry
	}
	return s
}
