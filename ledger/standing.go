package ledger

import (
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// SiteStanding is what stands of a lot at one site (issue 15, fix15t):
// Site as the events spell it (the body's Location, else the first part
// received there), WetTonnes and DryTonnes standing there, Body when the
// lot's body (what remains where it stands, Lot.RemainingWetTonnes)
// stands there, and Parts the indexes in Lot.Parts of the received parts
// standing there. Owner and Custodian are the parties of what stands
// there: the lot's for the body (Lot.Owner, Lot.Custodian), each part's
// own for a received part (Lot.PartOwner, Lot.PartCustodian: set at its
// receipt, issue 15, fix15o); several different parties at one site are
// listed once each, joined by ", ", in the order the body and parts
// reached the site ("" when none is known).
//
// Holdings splits what stands there by party: one record per owner and
// custodian pair (canonical form), in the order they reached the site,
// with its wet and dry tonnes — a part received where the body stands
// from another party does not rejoin it (issue 15, fix15c3), so one site
// may hold the body of one owner and a part of another.
type SiteStanding struct {
	Site      string
	WetTonnes float64
	DryTonnes float64
	Body      bool
	Parts     []int
	Owner     string
	Custodian string
	Holdings  []PartyHolding
}

// PartyHolding is what one party pair owns and holds of a lot at one
// site (SiteStanding.Holdings): Owner and Custodian as the events spell
// them ("" when none is known), wet and dry tonnes, and what it is made
// of: the lot's body (Body) and the received parts Parts (indexes in
// Lot.Parts), each read at its own grades and moisture (the planner's
// ledger supplies, one per holding; issue 9 part 5, fix15r).
type PartyHolding struct {
	Owner     string
	Custodian string
	WetTonnes float64
	DryTonnes float64
	Body      bool
	Parts     []int
}

// hold adds wet and dry tonnes owned by owner and held by custodian to
// s's holdings: the body's when part is -1, else part's (an index in
// Lot.Parts).
func (s *SiteStanding) hold(owner, custodian string, wet, dry float64, part int) {
	s.WetTonnes += wet
	s.DryTonnes += dry
	s.Owner, s.Custodian = addParty(s.Owner, owner), addParty(s.Custodian, custodian)
	for i := range s.Holdings {
		h := &s.Holdings[i]
		if epcis.Canonical(h.Owner) == epcis.Canonical(owner) && epcis.Canonical(h.Custodian) == epcis.Canonical(custodian) {
			h.WetTonnes += wet
			h.DryTonnes += dry
			h.add(part)
			return
		}
	}
	s.Holdings = append(s.Holdings, PartyHolding{Owner: owner, Custodian: custodian, WetTonnes: wet, DryTonnes: dry})
	s.Holdings[len(s.Holdings)-1].add(part)
}

// add counts the body (part -1) or part in h.
func (h *PartyHolding) add(part int) {
	if part < 0 {
		h.Body = true
	} else {
		h.Parts = append(h.Parts, part)
	}
}

// AtSea is the wet tonnes of lot l in transit: its parts no receipt has
// closed (Lot.InTransitTonnes) and, when the lot's body is itself in
// transit, what remains of the body (Lot.RemainingWetTonnes). With what
// StandsAt lists it makes up the lot's mass, so the Receive preview's
// and the lot page's terms add up to the total they give (nu15b: a body
// shipped under one B/L while a part sailed under another was in
// neither term).
func AtSea(l *critmin.Lot) float64 {
	if l == nil {
		return 0
	}
	t := l.InTransitTonnes()
	if l.Status == critmin.LotInTransit && !NoBody(l) {
		t += l.RemainingWetTonnes()
	}
	return t
}

// StandsAt is every site where something of lot l stands, one record a
// site, in the order the lot reached them (the body first), computed in
// this one place for every check and view that reads a lot's whereabouts
// by site (custody.StandingMass, its refusals, the lot's standsAt):
//   - the body, where the lot stands unless every tonne left as parts
//     (NoBody) or it is in transit or consumed: its total less what runs
//     took of it and the parts (Lot.RemainingWetTonnes), dry by the
//     body's moisture (Lot.Moisture; none: taken as dry);
//   - each received part at the site it was received at (not one shipped
//     from nothing, FromRetracted): what is left of it there
//     (LotPart.LeftTonnes: received or weighed mass less what runs there
//     took and what was shipped on from there), dry by its own moisture
//     (Lot.PartMoisture): wet × (1 − moisture).
//
// A site where nothing is left (less than 1e-9 t) is not listed. Parts in
// transit stand nowhere (Lot.InTransitTonnes).
func StandsAt(l *critmin.Lot) []SiteStanding {
	if l == nil || l.WetTonnes <= 0 || l.Status == critmin.LotConsumed {
		return nil
	}
	var out []SiteStanding
	idx := map[string]int{}
	at := func(site string) *SiteStanding {
		k := epcis.Canonical(site)
		if i, ok := idx[k]; ok {
			return &out[i]
		}
		idx[k] = len(out)
		out = append(out, SiteStanding{Site: site})
		return &out[len(out)-1]
	}
	if l.Location != "" && l.Status != critmin.LotInTransit && !NoBody(l) {
		if rest := l.RemainingWetTonnes(); rest > 1e-9 {
			s := at(l.Location)
			s.Body = true
			s.hold(l.Owner, l.Custodian, rest, rest*bodyDryRatio(l), -1)
		}
	}
	for i, p := range l.Parts {
		if p.Status != critmin.PartReceived || p.FromRetracted || p.To == "" {
			continue
		}
		left := p.LeftTonnes()
		if left <= 1e-9 {
			continue
		}
		s := at(p.To)
		s.Parts = append(s.Parts, i)
		dry := left
		if m := l.PartMoisture(p); m != nil {
			dry = left * (1 - *m)
		}
		s.hold(l.PartOwner(p), l.PartCustodian(p), left, dry, i)
	}
	return out
}

// addParty is the party list list (joined by ", ") with party added
// unless it is "" or already there (same canonical form).
func addParty(list, party string) string {
	if party == "" {
		return list
	}
	if list == "" {
		return party
	}
	for _, q := range strings.Split(list, ", ") {
		if epcis.Canonical(q) == epcis.Canonical(party) {
			return list
		}
	}
	return list + ", " + party
}

// PartiesAt names the parties of the received parts standing at Site
// (Parts of them) that are not the lot's own (PartiesElsewhere).
type PartiesAt struct {
	Site    string
	Parts   int
	Parties []string
}

// PartiesElsewhere lists, site by site in StandsAt's order, the owners
// and the custodians of lot l's received parts standing there
// (Lot.PartOwner, Lot.PartCustodian: set at each part's receipt) that
// differ (canonical form) from the lot's (Lot.Owner, Lot.Custodian),
// each once; a site whose parts are all the lot's party's is not
// listed. The lot page and `critmin lot show` name them after the lot's
// ("FWO; the part at Houston: USSM"; issue 15, fix15o).
func PartiesElsewhere(l *critmin.Lot) (owners, custodians []PartiesAt) {
	st := StandsAt(l)
	list := func(lotParty string, party func(critmin.LotPart) string) []PartiesAt {
		var out []PartiesAt
		for _, s := range st {
			var names []string
			for _, i := range s.Parts {
				p := party(l.Parts[i])
				if p == "" || epcis.Canonical(p) == epcis.Canonical(lotParty) || slices.ContainsFunc(names, func(n string) bool { return epcis.Canonical(n) == epcis.Canonical(p) }) {
					continue
				}
				names = append(names, p)
			}
			if len(names) > 0 {
				out = append(out, PartiesAt{Site: s.Site, Parts: len(s.Parts), Parties: names})
			}
		}
		return out
	}
	return list(l.Owner, l.PartOwner), list(l.Custodian, l.PartCustodian)
}

// StandingAt is StandsAt's record for site (canonical comparison), and
// false when nothing of l stands there.
func StandingAt(l *critmin.Lot, site string) (SiteStanding, bool) {
	if site == "" {
		return SiteStanding{}, false
	}
	for _, s := range StandsAt(l) {
		if epcis.Canonical(s.Site) == epcis.Canonical(site) {
			return s, true
		}
	}
	return SiteStanding{}, false
}

// largestStanding is the site where most of l stands (StandsAt, wet
// tonnes; the first reached on a tie), "" when nothing stands anywhere.
func largestStanding(l *critmin.Lot) string {
	st := StandsAt(l)
	if len(st) == 0 {
		return ""
	}
	sort.SliceStable(st, func(a, b int) bool { return st[a].WetTonnes > st[b].WetTonnes+1e-9 })
	return st[0].Site
}

// PartsStanding is the wet and dry tonnes of lot l's received parts that
// stand where they were received (StandsAt's parts: what is left of each,
// LotPart.LeftTonnes, dry by its own moisture, Lot.PartMoisture; none
// known: taken as dry). Lot.RemainingWetTonnes and RemainingDryTonnes are
// the body's alone: the lots list and the lots CSV show both, so that the
// body, the parts standing and what is at sea (AtSea) make up what of the
// lot has not been consumed (issue 15, fix15r: the list's "Remaining
// dry t" read the body as the lot's remainder, 11.914 t of NU-A1 with
// 10.083 t received at Karachi). 0 for a consumed lot.
func PartsStanding(l *critmin.Lot) (wet, dry float64) {
	for _, s := range StandsAt(l) {
		for _, i := range s.Parts {
			p := l.Parts[i]
			left := p.LeftTonnes()
			wet += left
			if m := l.PartMoisture(p); m != nil {
				dry += left * (1 - *m)
			} else {
				dry += left
			}
		}
	}
	return wet, dry
}
