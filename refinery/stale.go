package refinery

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// EventFinder is what CheckStale reads of the ledger.
type EventFinder interface {
	FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error)
}

// MaxStaleListed caps how many late events a stale close lists by id.
const MaxStaleListed = 50

// Staleness says that the ledger received, after a period was closed,
// events that the month's measurements read: transformation events at
// the site dated in the period, or sensor reports and stock surveys at a
// read point of the flowsheet dated in the window FromLedger reads. The
// close stays as signed (the record, its problem and its result are never
// changed); the late events are listed so that an admin can reopen the
// period with a reason and an operator close it again (AMIRA P754: the
// figures of a closed period are not altered silently; a change after
// close is made by an authorised reopen, recorded in the audit trail).
type Staleness struct {
	ClosedAt time.Time `json:"closed_at"`
	// Events are the late events' ids (at most MaxStaleListed), oldest
	// record first; More says more matched.
	Events []string `json:"events"`
	More   bool     `json:"more,omitempty"`
	// Declared are the events the close read that were declared in
	// error after it (EPCIS 2.0 §7.4.1.2): the signed figures include
	// measurements since withdrawn. They are listed in Events as well.
	Declared []string `json:"declared_in_error,omitempty"`
}

// CheckStale looks, for a report of a closed period (SignOff set), for
// events recorded in the ledger after the close that the period's
// measurements read (see Staleness). When there are any it sets
// rep.Stale and adds a note saying so; a report of an open period is
// left as it is.
func (rep *Report) CheckStale(ctx context.Context, ev EventFinder) error {
	if rep.SignOff == nil || rep.SignOff.Action != critmin.PeriodClose || rep.problem == nil {
		return nil
	}
	p, at := rep.problem, rep.SignOff.At
	if w := notLedgerBacked(ctx, ev, &critmin.PeriodRecord{Seq: rep.SignOff.Seq, Site: rep.Site, Period: rep.Period}, p); w != "" {
		rep.Notes = append(rep.Notes, "NOT LEDGER-BACKED: "+w)
	}
	from, to, err := PeriodBounds(rep.Period, p.TimeZone)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var ids, declared []string
	more := false
	find := func(f critmin.EventFilter) error {
		f.GERecordTime = &at
		f.OrderBy, f.OrderAscending, f.Limit = "recordTime", true, MaxStaleListed+1
		page, err := ev.FindEvents(ctx, f)
		if err != nil {
			return fmt.Errorf("refinery: late events of %s %s: %w", rep.Site, rep.Period, err)
		}
		more = more || page.Next != nil || len(page.Events) > MaxStaleListed
		for _, e := range page.Events {
			// The close's own instant is not late: GE_recordTime is
			// inclusive and the close is truncated to the microsecond.
			if !e.RecordTime.After(at) || seen[e.EventID] {
				continue
			}
			seen[e.EventID] = true
			ids = append(ids, e.EventID)
			if e.ErrorDeclaration != nil {
				declared = append(declared, e.EventID)
			}
		}
		return nil
	}
	// Transformations at the site, as EdgesAt reads them for the check-in
	// and check-out.
	if err := find(critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, BizLocations: []string{rep.Site}, GEEventTime: &from, LTEventTime: &to}); err != nil {
		return err
	}
	// Sensor reports and stock surveys at the flowsheet's read points, in
	// the window internalReadings reads (the previous month's last survey
	// is the opening stock).
	var rps []string
	for _, s := range p.Streams {
		if s.ReadPoint != "" {
			rps = append(rps, s.ReadPoint)
		}
	}
	for _, n := range p.Nodes {
		if n.ReadPoint != "" {
			rps = append(rps, n.ReadPoint)
		}
	}
	if len(rps) > 0 {
		sort.Strings(rps)
		ge, lt := from.AddDate(0, -1, 0), to.Add(time.Microsecond)
		if err := find(critmin.EventFilter{ReadPoints: rps, GEEventTime: &ge, LTEventTime: &lt}); err != nil {
			return err
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > MaxStaleListed {
		ids, more = ids[:MaxStaleListed], true
	}
	rep.Stale = &Staleness{ClosedAt: at, Events: ids, More: more, Declared: declared}
	n := fmt.Sprint(len(ids))
	if more {
		n = "more than " + n
	}
	decl := ""
	if len(declared) > 0 {
		decl = fmt.Sprintf(" Of these, %s were declared in error after the close (%s): the signed figures include measurements since withdrawn.", fmt.Sprint(len(declared)), strings.Join(declared, ", "))
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("STALE: %s events dated in %s at this site were captured after the period was closed (%s, close record %d): %s. The signed figures above do not take them into account.%s An admin reopens the period with a reason and it is closed again to take them in.",
		n, rep.Period, at.UTC().Format(time.RFC3339), rep.SignOff.Seq, strings.Join(ids, ", "), decl))
	return nil
}
