package ledger

import (
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
//     (Lot.PartRemainingWetTonnes, LotPart.LeftTonnes: received or
//     weighed mass less what runs there took and what was shipped on
//     from there), dry by its own moisture (Lot.PartRemainingDryTonnes:
//     wet × (1 − moisture)).
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
		left := l.PartRemainingWetTonnes(p)
		if left <= 1e-9 {
			continue
		}
		s := at(p.To)
		s.Parts = append(s.Parts, i)
		s.hold(l.PartOwner(p), l.PartCustodian(p), left, l.PartRemainingDryTonnes(p), i)
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
			wet += l.PartRemainingWetTonnes(p)
			dry += l.PartRemainingDryTonnes(p)
		}
	}
	return wet, dry
}

// Holder is one owner (or custodian) of part of a lot at one place and
// the wet tonnes it has there (Holders). Parties has one name, or — for
// a part in transit shipped of several parties' holdings, whose split
// by party is not kept (critmin.LotPart.Owners) — each of them.
type Holder struct {
	Parties   []string
	WetTonnes float64
}

// HoldersAt is who owns (or holds) lot l's mass at one site (Site), or
// of what is in transit (InTransit, Site ""): one Holder per party, in
// the order they reached it (Holders).
type HoldersAt struct {
	Site      string
	InTransit bool
	Holders   []Holder
}

// Holders lists the owners (custodians when custodians is set) of every
// holding of lot l, site by site in StandsAt's order, then what is in
// transit: each standing holding's party with what it has there
// (SiteStanding.Holdings; the body's party only when the body holds
// something there), each part at sea (not one shipped from nothing,
// critmin.LotPart.FromRetracted) its own party or parties, and the body
// at sea the lot's. The lot page's and `critmin lot show`'s Owner and
// Custodian lines read it, one line per entry (issue 15, fix15u: a site
// where USSM held 10 t and FWO 3 t named USSM alone, FWO's 3 t being
// dropped as the lot's owner, and the lot's owner led the line though
// its body held 0 t). Empty when nothing of l stands or travels.
func Holders(l *critmin.Lot, custodians bool) []HoldersAt {
	var out []HoldersAt
	add := func(h *HoldersAt, parties []string, wet float64) {
		key := canonicalList(parties)
		for i := range h.Holders {
			if canonicalList(h.Holders[i].Parties) == key {
				h.Holders[i].WetTonnes += wet
				return
			}
		}
		h.Holders = append(h.Holders, Holder{Parties: parties, WetTonnes: wet})
	}
	one := func(p string) []string {
		if p == "" {
			return nil
		}
		return []string{p}
	}
	for _, s := range StandsAt(l) {
		h := HoldersAt{Site: s.Site}
		for _, ph := range s.Holdings {
			p := ph.Owner
			if custodians {
				p = ph.Custodian
			}
			add(&h, one(p), ph.WetTonnes)
		}
		out = append(out, h)
	}
	sea := HoldersAt{InTransit: true}
	if l != nil && l.Status == critmin.LotInTransit && !NoBody(l) {
		if rest := l.RemainingWetTonnes(); rest > 1e-9 {
			p := l.Owner
			if custodians {
				p = l.Custodian
			}
			add(&sea, one(p), rest)
		}
	}
	if l != nil {
		for _, p := range l.Parts {
			if p.Status != critmin.PartInTransit || p.FromRetracted || p.Tonnes <= 1e-9 {
				continue
			}
			ps := l.PartOwners(p)
			if custodians {
				ps = l.PartCustodians(p)
			}
			add(&sea, ps, p.Mass())
		}
	}
	if len(sea.Holders) > 0 {
		out = append(out, sea)
	}
	return out
}

// canonicalList is the canonical forms of ps joined, a key comparing
// party lists.
func canonicalList(ps []string) string {
	k := make([]string, len(ps))
	for i, p := range ps {
		k[i] = epcis.Canonical(p)
	}
	return strings.Join(k, "\x00")
}

// SoleHolder says whether hs (Holders) is one party holding everything
// of the lot at one place: the Owner and Custodian lines then name it
// alone, as before fix15u. The party is "" when none is known.
func SoleHolder(hs []HoldersAt) (string, bool) {
	if len(hs) != 1 || len(hs[0].Holders) != 1 || len(hs[0].Holders[0].Parties) > 1 {
		return "", false
	}
	if ps := hs[0].Holders[0].Parties; len(ps) == 1 {
		return ps[0], true
	}
	return "", true
}
