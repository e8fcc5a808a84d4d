package ledger

import (
	"context"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// AssayRecord is one assay a lot was given, with the newer assay of its
// element that every figure reads instead (nil for the assay in effect).
type AssayRecord struct {
	critmin.Assay
	SupersededBy *critmin.Assay
	// Site is "" for an assay of the lot (its body, and every part read
	// at its grades); for an assay taken of a part read at grades of its
	// own (AssayScopes), where that part was received or is bound, and
	// ShipEventID names the part: an assay is of what stood where it
	// was taken (issue 15, fix15a), so it supersedes only that part's
	// assays. DryTonnes and Moisture are what the record's grade is
	// read on (its scope's): contained = DryTonnes × dry grade.
	Site        string
	ShipEventID string
	DryTonnes   float64
	Moisture    *float64
}

// AssayRecords lists every assay lot l was given — those its projection
// keeps (the latest per analyte and basis, upsertAssay) and the older
// ones of the same analyte and basis that its live events reported and
// a re-assay replaced — each marked with the assay that supersedes it
// (SupersededBy): a re-assay on the same basis supersedes the older as
// one on another basis does, never silently (docs/origin.md, "Superseded
// assays"). The assay in effect of each element is the projection's
// (LatestAssays), so every figure and every view agree. events are the
// lot's events (any order); an event reports the lot's assays where it
// names the lot other than as an input. Sorted by analyte, newest first.
func AssayRecords(l *critmin.Lot, events []*critmin.Event) []AssayRecord {
	type key struct{ analyte, basis, event string }
	kept := map[key]bool{}
	latest := map[[2]string]critmin.Assay{}
	for _, a := range l.Assays {
		kept[key{a.Analyte, a.Basis, a.EventID}] = true
		latest[[2]string{a.Analyte, a.Basis}] = a
	}
	// The projection's assays first: at equal times LatestAssays keeps the
	// first of one basis, so the one in effect stays the projection's.
	list := append([]critmin.Assay(nil), l.Assays...)
	// Sites where a part of the lot was received, away from its body:
	// an assay there is the part's (AssayScopes), never an older one of
	// the lot's.
	partSite := map[string]bool{}
	for _, p := range l.Parts {
		if p.Status == critmin.PartReceived && p.To != "" && !BodyStands(l, p.To) {
			partSite[epcis.Canonical(p.To)] = true
		}
	}
	for _, ev := range events {
		if !Live(ev) {
			continue
		}
		if ev.BizLocation != "" && partSite[epcis.Canonical(ev.BizLocation)] {
			continue
		}
		if ev.Mineral == nil || len(ev.Quantities)+len(ev.EPCs) == 0 {
			// A stored event as listed: its lines and facts are in
			// its document.
			full, err := DecodeStored(ev.Raw, ev.Context)
			if err != nil {
				continue
			}
			ev = full
		}
		if ev.Mineral == nil || !reportsOn(ev, l.ID) {
			continue
		}
		for _, a := range ev.Mineral.Assays {
			if a.EventID == "" {
				a.EventID = ev.EventID
			}
			if a.At.IsZero() {
				a.At = ev.EventTime
			}
			k := key{a.Analyte, a.Basis, a.EventID}
			newer, replaced := latest[[2]string{a.Analyte, a.Basis}]
			if kept[k] || !replaced || !a.At.Before(newer.At) {
				continue
			}
			kept[k] = true
			list = append(list, a)
		}
	}
	scopes := AssayScopes(l)
	by := SupersededBy(list)
	out := make([]AssayRecord, len(list))
	for i, a := range list {
		out[i] = AssayRecord{Assay: a, SupersededBy: by[i], DryTonnes: scopes[0].DryTonnes, Moisture: l.Moisture}
	}
	// Each part read at grades of its own: the assays taken of it (not
	// those it left with, listed as the lot's), each superseded only by
	// a newer one of the part's.
	lotKey := map[[3]string]bool{}
	for _, a := range l.Assays {
		lotKey[[3]string{a.Analyte, a.Basis, a.EventID}] = true
	}
	for _, sc := range scopes[1:] {
		pby := SupersededBy(sc.Assays)
		for i, a := range sc.Assays {
			if lotKey[[3]string{a.Analyte, a.Basis, a.EventID}] {
				continue
			}
			out = append(out, AssayRecord{Assay: a, SupersededBy: pby[i], Site: sc.Site, ShipEventID: sc.ShipEventID, DryTonnes: sc.DryTonnes, Moisture: sc.Moisture})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Analyte != out[j].Analyte {
			return out[i].Analyte < out[j].Analyte
		}
		if out[i].Site != out[j].Site {
			return out[i].Site < out[j].Site
		}
		return out[i].At.After(out[j].At)
	})
	return out
}

// reportsOn reports whether ev states facts of lot id: it names the lot
// other than as a transformation's input.
func reportsOn(ev *critmin.Event, id string) bool {
	for _, q := range ev.LotLines() {
		if epcis.Canonical(q.EPCClass) == id && q.Role != critmin.RoleInput {
			return true
		}
	}
	return false
}

// LotAssayRecords is AssayRecords with the lot's events read from s (the
// events naming it as an object or an output: those that report on it).
func LotAssayRecords(ctx context.Context, s interface {
	FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error)
}, l *critmin.Lot) ([]AssayRecord, error) {
	page, err := s.FindEvents(ctx, critmin.EventFilter{
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleOutput}, Patterns: []string{l.ID}, Exact: true}},
		OrderBy:      "eventTime", OrderAscending: true, Limit: 1000,
	})
	if err != nil {
		return nil, err
	}
	return AssayRecords(l, page.Events), nil
}
