package ledger

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// checkSiteFixed refuses (ECONFLICT, HTTP 409; nothing of the document
// stored) master data that changes the country (critmin.SiteCountry:
// cm:country, CBV countryCode, the UN/LOCODE's country) or the cm:siteKind
// a location's stored master data already gives it, where an event is
// recorded at that location (its bizLocation or readPoint). A site does
// not move: where material was mined and processed is a physical fact
// (DFARS 252.225-7052), and master data describes a location (EPCIS 2.0
// §8), it does not relocate what was recorded there — a later document
// saying "the refinery is in the US" would otherwise clear the covered-
// country rule of every lot processed there. Setting an attribute the
// site never had is allowed, and so is changing a site no event
// references. A store from before this check may hold such a change: its
// readers take the site in every country it was given (sqldb
// siteChanges) and verify reports it.
//
// Capture runs it before its transaction, to refuse early, and again in
// the transaction (siteFixedIn) after the store's writer lock is taken,
// as the claim check runs (checkAndStore): two captures at once, each
// giving a site of no country another one, would otherwise both read the
// site unchanged and both be stored.
func (s *Service) checkSiteFixed(ctx context.Context, master []critmin.MasterDataElement) error {
	return s.siteFixed(ctx, master, "", 0)
}

// siteFixedIn is checkSiteFixed run in capture transaction tx (its reads
// see every capture committed before it, and those grouped with it), the
// job's own events — at most own of them, staged in tx before the check
// (a streamed capture's) — not counted as recorded at a site: a document
// may describe a site anew with its first events there.
func (s *Service) siteFixedIn(ctx context.Context, tx critmin.CaptureTx, job *critmin.CaptureJob, own int, master []critmin.MasterDataElement) error {
	if !describesLocation(master) {
		return nil
	}
	return s.siteFixed(captureReads(ctx, tx), master, job.CaptureID, own)
}

// describesLocation says whether master data holds a location element.
func describesLocation(master []critmin.MasterDataElement) bool {
	for _, m := range master {
		if locationVocab[m.Type] {
			return true
		}
	}
	return false
}

func (s *Service) siteFixed(ctx context.Context, master []critmin.MasterDataElement, capture string, own int) error {
	var sites map[string]*critmin.Site
	var fields []critmin.FieldError
	for _, m := range master {
		if !locationVocab[m.Type] {
			continue
		}
		if sites == nil {
			all, err := s.Store.SiteDetails(ctx)
			if err != nil {
				return err
			}
			sites = map[string]*critmin.Site{}
			for _, st := range all {
				sites[epcis.Canonical(st.ID)] = st
			}
		}
		st := sites[epcis.Canonical(m.ID)]
		if st == nil {
			continue
		}
		var changes []string
		// Its own country: one inherited from a location it lies inside
		// is no country its master data gave (withinFixed reads those).
		if own := st.OwnCountry; own != "" {
			c, conflict := critmin.SiteCountry(m.Attributes, m.AttributeValues)
			if conflict == "" && c != own {
				changes = append(changes, fmt.Sprintf("its country (cm:country, countryCode, cm:unLocode) from %s to %s (%s)", own, orNoCountry(c), critmin.SiteCountryWords(m.Attributes)))
			}
		}
		if old := strings.ToLower(strings.TrimSpace(st.Kind)); old != "" {
			if k := strings.ToLower(strings.TrimSpace(masterAttr(m.Attributes, "siteKind"))); k != old {
				if k == "" {
					k = "none"
				}
				changes = append(changes, fmt.Sprintf("its cm:siteKind from %s to %s", old, k))
			}
		}
		if len(changes) == 0 {
			continue
		}
		ev, err := s.eventAt(ctx, m.ID, capture, own)
		if err != nil {
			return err
		}
		if ev == "" {
			continue // no event references it: master data may describe it anew
		}
		fields = append(fields, critmin.FieldError{Pointer: fmt.Sprintf("/epcisHeader/epcisMasterData (element %s)", m.ID), Conflict: true,
			Reason: fmt.Sprintf("location %s would change %s, but event %s is recorded there: a site does not move — where material was mined and processed is a physical fact (DFARS 252.225-7052) that master data describes (EPCIS 2.0 §8) and cannot relocate; if the site was described wrongly, describe the real one under a new location identifier and record there (events declared in error still hold this site: certificates were issued on what it said)", m.ID, strings.Join(changes, " and "), ev)})
	}
	if sites != nil {
		fields = append(fields, withinFixed(master, sites)...)
	}
	if len(fields) == 0 {
		return nil
	}
	return &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("master data refused; nothing was stored: %s", fields[0].Reason), Fields: fields}
}

// withinFixed refuses (ECONFLICT, with checkSiteFixed's) master data that
// gives a location a country other than that of a location it lies
// inside: a GLN sub-location (an SGLN extension other than 0, Digital
// Link AI 254, any spelling) lies inside its GLN's location (GS1 General
// Specifications §3.4.2), an element listed among master-data children
// inside its parent (EPCIS 2.0 §8). A sub-location is where its location
// is: describing urn:epc:id:sgln:C.L.L1 as in the US beside
// urn:epc:id:sgln:C.L.0 in China would otherwise let a Chinese refinery
// process material the covered-country rule passes (DFARS 252.225-7052).
// The document's elements and the stored sites (their own country,
// critmin.Site.OwnCountry; the location each lies inside, Within) are
// read together; only a pair one of whose locations the document
// describes is refused, naming both, their attributes and countries.
// Setting the same country, or none (the sub-location then has its
// location's), is allowed.
func withinFixed(master []critmin.MasterDataElement, sites map[string]*critmin.Site) []critmin.FieldError {
	type loc struct {
		id, country, words string
		doc                bool
	}
	locs := map[string]*loc{}
	for k, st := range sites {
		locs[k] = &loc{id: st.ID, country: st.OwnCountry, words: "by its stored master data"}
	}
	parents := map[string][]string{}
	for k, st := range sites {
		if st.Within != "" {
			parents[k] = append(parents[k], epcis.Canonical(st.Within))
		}
	}
	for k, st := range sites {
		for _, ch := range st.Contains {
			if !slices.Contains(parents[ch], k) {
				parents[ch] = append(parents[ch], k)
			}
		}
	}
	for _, m := range master {
		if !locationVocab[m.Type] {
			continue
		}
		k := epcis.Canonical(m.ID)
		c, conflict := critmin.SiteCountry(m.Attributes, m.AttributeValues)
		if conflict != "" {
			c = "" // refused on its own (ValidateMasterData)
		}
		locs[k] = &loc{id: m.ID, country: c, words: critmin.SiteCountryWords(m.Attributes), doc: true}
	}
	for _, m := range master {
		if !locationVocab[m.Type] {
			continue
		}
		p := epcis.Canonical(m.ID)
		for _, ch := range m.Children {
			if k := epcis.Canonical(ch); k != p && !slices.Contains(parents[k], p) {
				parents[k] = append(parents[k], p)
			}
		}
	}
	up := func(k string) []string {
		out := parents[k]
		if b := epcis.LocationBase(k); b != "" && !slices.Contains(out, b) {
			out = append(append([]string(nil), out...), b)
		}
		return out
	}
	var fields []critmin.FieldError
	done := map[[2]string]bool{}
	for _, k := range slices.Sorted(maps.Keys(locs)) {
		me := locs[k]
		if me.country == "" {
			continue
		}
		seen := map[string]bool{k: true}
		for queue := up(k); len(queue) > 0; queue = queue[1:] {
			a := queue[0]
			if seen[a] {
				continue
			}
			seen[a] = true
			queue = append(queue, up(a)...)
			p := locs[a]
			if p == nil || p.country == "" || p.country == me.country || !me.doc && !p.doc || done[[2]string{k, a}] {
				continue
			}
			done[[2]string{k, a}] = true
			el := me.id
			if !me.doc {
				el = p.id
			}
			fields = append(fields, critmin.FieldError{Pointer: fmt.Sprintf("/epcisHeader/epcisMasterData (element %s)", el), Conflict: true,
				Reason: fmt.Sprintf("location %s would be in %s (%s), but it lies inside location %s, in %s (%s): a sub-location is in the country of the location it lies inside — a GLN extension identifies a sub-location of the location its GLN identifies (GS1 General Specifications §3.4.2, Digital Link AI 254), master-data children lie inside their parent (EPCIS 2.0 §8) — and a site does not move (DFARS 252.225-7052 reads where material was mined and processed); give the sub-location its location's country or none",
					me.id, me.country, me.words, p.id, p.country, p.words)})
		}
	}
	return fields
}

func orNoCountry(c string) string {
	if c == "" {
		return "no country"
	}
	return c
}

// eventAt is the eventID of one event recorded at location id (its
// bizLocation, else its readPoint), "" when none is. Events of capture
// (at most own of them) are not counted.
func (s *Service) eventAt(ctx context.Context, id, capture string, own int) (string, error) {
	for _, f := range []critmin.EventFilter{{BizLocations: []string{id}, Limit: own + 1}, {ReadPoints: []string{id}, Limit: own + 1}} {
		page, err := s.Store.FindEvents(ctx, f)
		if err != nil {
			return "", err
		}
		for _, ev := range page.Events {
			if capture == "" || ev.CaptureID != capture {
				return ev.EventID, nil
			}
		}
	}
	return "", nil
}
