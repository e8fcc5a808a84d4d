package ledger

import (
	"context"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
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
	// read on (its scope's, AssayScope: what the scope counts for in the
	// lot's total, what runs took of it included);
	// RemainingDryTonnes is what remains of that scope now — what
	// stands of it and what is at sea, what runs took gone — which the
	// record's contained figure is of (Contained; issue 15, fix15zh).
	Site               string
	ShipEventID        string
	DryTonnes          float64
	RemainingDryTonnes float64
	Moisture           *float64
	// Owners and BillOfLading are the part's (Lot.PartOwners,
	// LotPart.BillOfLading) for a part's record. SiteShared says another
	// part read at grades of its own stands at the same site — one
	// reading there is given to each holding, so a page names whose part
	// each row is (AssayPartLabel); OwnersShared that one of those parts
	// has the same owners too, so its bill of lading tells them apart
	// (issue 15, fix15v: 10 t of USSM's and 3 t of FWO's at Port Qasim
	// listed "As (the part at Port Qasim) 0.15" twice).
	Owners       []string
	BillOfLading string
	SiteShared   bool
	OwnersShared bool
}

// Contained is the tonnes of the record's analyte (in its own spelling:
// Nd2O3 in tonnes of oxide) in what remains of what the record
// describes: RemainingDryTonnes × its dry grade (DryValue, with the
// moisture it is read at). The lot page's assay table, `critmin lot
// show` and the lot API give this one figure, beside the dry tonnes it
// is of (issue 15, fix15zh: a part's row read 5.5 % × 4.6 dmt = 253 kg,
// counting the 4.01 t runs had taken of the 5 t part, where 5.5 % × 0.99
// × 0.92 = 50.094 kg stood). false for a superseded record — the
// element is counted once, by the assay in effect — and for a grade
// that is not made dry (an as-received grade without a moisture) or in
// no grade unit.
func (r AssayRecord) Contained() (float64, bool) {
	if r.SupersededBy != nil {
		return 0, false
	}
	v, ok := DryValue(r.Assay, r.Moisture)
	if !ok {
		return 0, false
	}
	c, err := units.Contained(r.RemainingDryTonnes, v, r.Unit)
	if err != nil {
		return 0, false
	}
	return c, true
}

// AssayPartLabel is the part an assay record is of, as the lot page and
// `critmin lot show` name it: "" for the lot's; "the part at Port Qasim";
// where other parts stand at that site, "the part at Port Qasim owned by
// U.S. Strategic Metals", with ", B/L B5" when another has that owner
// too. site and party name a site and a party.
func AssayPartLabel(rec AssayRecord, site, party func(string) string) string {
	if rec.Site == "" {
		return ""
	}
	s := "the part at " + site(rec.Site)
	if !rec.SiteShared {
		return s
	}
	if len(rec.Owners) == 0 {
		s += " of no owner stated"
	} else {
		names := make([]string, len(rec.Owners))
		for i, o := range rec.Owners {
			names[i] = party(o)
		}
		s += " owned by " + strings.Join(names, " and ")
	}
	if rec.OwnersShared {
		if rec.BillOfLading != "" {
			s += ", B/L " + rec.BillOfLading
		} else {
			s += ", shipped by " + rec.ShipEventID
		}
	}
	return s
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
		out[i] = AssayRecord{Assay: a, SupersededBy: by[i], DryTonnes: scopes[0].DryTonnes, RemainingDryTonnes: scopes[0].RemainingDryTonnes, Moisture: l.Moisture}
	}
	// Each part read at grades of its own: the assays taken of it (not
	// those it left with, listed as the lot's), each superseded only by
	// a newer one of the part's.
	lotKey := map[[3]string]bool{}
	for _, a := range l.Assays {
		lotKey[[3]string{a.Analyte, a.Basis, a.EventID}] = true
	}
	// The parts read at grades of their own at each site, and of each
	// owner there: a site of two names each row's owner.
	type holding struct {
		owners []string
		bol    string
	}
	parts := map[string]holding{}
	perSite := map[string]int{}
	perOwners := map[[2]string]int{}
	for _, sc := range scopes[1:] {
		h := holding{}
		for _, p := range l.Parts {
			if p.ShipEventID == sc.ShipEventID {
				h = holding{owners: l.PartOwners(p), bol: p.BillOfLading}
				break
			}
		}
		parts[sc.ShipEventID] = h
		site := epcis.Canonical(sc.Site)
		perSite[site]++
		perOwners[[2]string{site, canonicalList(h.owners)}]++
	}
	for _, sc := range scopes[1:] {
		pby := SupersededBy(sc.Assays)
		h, site := parts[sc.ShipEventID], epcis.Canonical(sc.Site)
		for i, a := range sc.Assays {
			if lotKey[[3]string{a.Analyte, a.Basis, a.EventID}] {
				continue
			}
			out = append(out, AssayRecord{Assay: a, SupersededBy: pby[i], Site: sc.Site, ShipEventID: sc.ShipEventID, DryTonnes: sc.DryTonnes,
				RemainingDryTonnes: sc.RemainingDryTonnes, Moisture: sc.Moisture,
				Owners: h.owners, BillOfLading: h.bol, SiteShared: perSite[site] > 1, OwnersShared: perOwners[[2]string{site, canonicalList(h.owners)}] > 1})
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
