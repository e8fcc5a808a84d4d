package ledger

import (
	"context"
	"errors"
	"strings"

	"github.com/critmin/critmin"
)

// claimRefusal is one event the capture-time check (Service.ClaimCheck)
// refused: k indexes the events checked, fields carry the document's
// pointers (JSON pointers, or XML element paths for an XML capture).
type claimRefusal struct {
	k      int
	fields []critmin.FieldError
}

// claimRounds runs the capture-time check on events and takes its
// refusals event by event. The check names the events at fault with
// pointers "event {eventID}/{field}"; each such event is set aside, its
// errors re-pointed by at(k, rest) to the document's pointer of
// events[k] followed by rest, and the check is run again on the events
// that remain, until it passes: an event that depended on a refused one
// (the shipment of a lot whose commissioning was refused) is then refused
// in its turn. It returns the events that pass together, in order, and
// the refusals in the order found. A refusal that names no event of the
// set (a master-data change, a stored claim broken by the document as a
// whole) or is not a validation error is returned as err, with every
// pointer it names re-pointed: the document is then refused whole. The
// refusals of the rounds before it are returned with it: such a refusal
// may be their consequence — a declaration in error whose corrective
// commissioning was set aside as dated too late leaves the lot's later
// events standing on nothing —, so a caller refusing the document under
// rollback names them, not it ("record its corrective commissioning
// first" misled where the document held one, late: fixSs), and under
// proceed names them first.
func (s *Service) claimRounds(ctx context.Context, events []*critmin.Event, at func(k int, rest string) string) (kept []*critmin.Event, refused []claimRefusal, err error) {
	live := make([]int, len(events)) // indices into events still checked
	for k := range events {
		live[k] = k
	}
	for {
		set := make([]*critmin.Event, len(live))
		for j, k := range live {
			set[j] = events[k]
		}
		cerr := s.ClaimCheck(ctx, set)
		if cerr == nil {
			return set, refused, nil
		}
		var e *critmin.Error
		if !errors.As(cerr, &e) || len(e.Fields) == 0 {
			return nil, refused, cerr
		}
		if e.Code != critmin.EINVALID {
			// A conflict with the record (409: a lot elsewhere, a run
			// taking more than remains) refuses the document whole, its
			// pointers re-pointed as well (issue 15, fix15b: they read
			// "event {eventID}/{field}", no JSON pointer).
			return nil, refused, repointed(e, func(ptr string) (string, bool) {
				if j, rest := eventOf(set, ptr); j >= 0 {
					return at(live[j], rest), true
				}
				return "", false
			})
		}
		byEvent := map[int][]critmin.FieldError{}
		whole := false
		for _, f := range e.Fields {
			j, rest := eventOf(set, f.Pointer)
			if j < 0 {
				whole = true
				continue
			}
			byEvent[live[j]] = append(byEvent[live[j]], critmin.FieldError{Pointer: at(live[j], rest), Reason: f.Reason, Conflict: f.Conflict})
		}
		if whole {
			return nil, refused, repointed(e, func(ptr string) (string, bool) {
				if j, rest := eventOf(set, ptr); j >= 0 {
					return at(live[j], rest), true
				}
				return "", false
			})
		}
		out := live[:0:0]
		for _, k := range live {
			if byEvent[k] != nil {
				refused = append(refused, claimRefusal{k: k, fields: byEvent[k]})
				continue
			}
			out = append(out, k)
		}
		live = out
	}
}

// eventOf finds the event of set a check pointer "event {eventID}" or
// "event {eventID}/{field}" names (an eventID may itself hold slashes, as
// ni:///sha-256;… does), and the rest of the pointer ("" or "/{field}").
// An event declared in error shares its eventID with the stored event it
// retracts: the first event of set with the ID is taken. -1 when none.
func eventOf(set []*critmin.Event, ptr string) (int, string) {
	id, ok := strings.CutPrefix(ptr, "event ")
	if !ok {
		return -1, ""
	}
	best, rest := -1, ""
	for j, ev := range set {
		if r, ok := strings.CutPrefix(id, ev.EventID); ok && (r == "" || r[0] == '/') && ev.EventID != "" {
			if best < 0 || len(ev.EventID) > len(set[best].EventID) {
				best, rest = j, r
			}
		}
	}
	return best, rest
}

// storePointers re-points the field errors of a refusal the store gives as
// it writes the events (sqldb: a packing or unpacking against the stored
// containers, a second commissioning, a back-dated event): the store names
// the event at fault as "event {eventID}/{field}", which is no JSON pointer
// (RFC 6901) into the submitted document. pointer gives the document's
// pointer (or XML element path) of the event with eventID followed by rest,
// false for an eventID the document does not hold; the longest eventID the
// pointer starts with is taken (an eventID may itself hold slashes, as
// ni:///sha-256;… does). A pointer naming no event of the document is kept
// as it is. An EventContentConflict is left to conflictPointer.
func storePointers(err error, pointer func(id, rest string) (string, bool)) error {
	var c *critmin.EventContentConflict
	var e *critmin.Error
	if err == nil || errors.As(err, &c) || !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := repointed(e, func(ptr string) (string, bool) {
		id, ok := strings.CutPrefix(ptr, "event ")
		if !ok {
			return "", false
		}
		for j := len(id); j > 0; j-- {
			if j < len(id) && id[j] != '/' {
				continue
			}
			if p, ok := pointer(id[:j], id[j:]); ok {
				return p, true
			}
		}
		return "", false
	})
	if out == e {
		return err
	}
	return out
}

// repointed is e with each field's pointer that to maps replaced by what
// it maps to, in its fields and where its message quotes the pointer
// ("event refused; nothing was stored: event {eventID}/bizLocation: …");
// e itself when to maps none.
func repointed(e *critmin.Error, to func(ptr string) (string, bool)) *critmin.Error {
	out := *e
	out.Fields = make([]critmin.FieldError, len(e.Fields))
	changed := false
	for i, f := range e.Fields {
		if p, ok := to(f.Pointer); ok && p != f.Pointer {
			out.Message = strings.ReplaceAll(out.Message, f.Pointer+": ", p+": ")
			f.Pointer, changed = p, true
		}
		out.Fields[i] = f
	}
	if !changed {
		return e
	}
	return &out
}
