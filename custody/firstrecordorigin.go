package custody

import (
	"context"
	"fmt"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/ledger"
)

// checkFirstRecordOrigin refuses a document that would leave a lot's
// stated origin contradicted by the mine its first record stands at, in
// either order (issue 9 §2, fixUu). The origin function reads where a
// stated lot was mined from the site of its first record
// (firstRecordEvent: its commissioning, else its first ADD with a
// quantity) when master data types that site a mine (statedAgainstSite):
// a lot first recorded at a mine in China and stated PAK — by
// cm:originCountry, or by a cm:originMine master data places in
// Pakistan — cannot be both (DFARS 252.225-7052 reads where material was
// mined), and was stored and flagged origin_conflict. Capture knows both
// events and the site whenever one of them is in the document, so such a
// contradiction is refused, nothing stored:
//
//   - an event of the document states the origin, and the lot's first
//     record (stored, or in the document) is at a mine of another
//     country: refused at the stating event's …/ilmd/cm:originCountry
//     (or …/ilmd/cm:originMine);
//   - an event of the document becomes the lot's first record (a
//     back-dated commissioning) at such a mine, against an origin a
//     stored event states: refused at its …/readPoint/id (or
//     …/bizLocation/id).
//
// A pair of which one event is stored is a conflict with the record
// (409, Conflict); a pair both in the document — or one in an earlier
// batch of the same streamed capture (ledger.StagedOf) — is a malformed
// document (400), refused at the stating field whichever batch holds it
// (issue 9, nu36b-4). Under proceed an event staged earlier can no
// longer be set aside: the event of the batch being checked is refused,
// at its own field, and the staged one stands; so that the answer does
// not depend on where the batch boundary falls, a pair both in the batch
// is answered the same way — the later event in the document refused at
// its own field, the earlier stored (nu38b-3). Only
// what the origin function reads counts: a lot made by a run (its origin
// is its inputs'), a first record at a site of another kind (a
// warehouse: commissioning_country_differs), an observation. A
// contradiction both of whose events are stored is left as it is,
// flagged on read: it was stored before this check, or master data
// arrived since (the document's master data is read for both, so master
// data alone never refuses a document).
//
// master is the document's master data; captureID the capture's (an
// event stored with it is the document's own).
func checkFirstRecordOrigin(ctx context.Context, s Store, live []*critmin.Event, declaredIDs map[string]bool, declaring []*critmin.Event, master []critmin.MasterDataElement) ([]critmin.FieldError, error) {
	f, ok := s.(LiveEventsFinder)
	if !ok {
		return nil, nil
	}
	var ids []string
	seen := map[string]bool{}
	captureIDs := map[string]bool{}
	for _, ev := range append(append([]*critmin.Event(nil), live...), declaring...) {
		if ev.CaptureID != "" {
			captureIDs[ev.CaptureID] = true
		}
		// Only an event stating an origin, an ObjectEvent ADD (a first
		// record) or a declaration in error can make a contradiction:
		// an observation, a shipment or a run leaves none to judge.
		states := ev.Mineral != nil && (ev.Mineral.OriginCountry != "" || ev.Mineral.OriginMine != "")
		if !states && ev.ErrorDeclaration == nil && (ev.Type != critmin.ObjectEvent || ev.Action != "ADD") {
			continue
		}
		for _, q := range ev.LotLines() {
			if q.Role != critmin.RoleInput && !seen[q.EPCClass] {
				seen[q.EPCClass] = true
				ids = append(ids, q.EPCClass)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	stored, err := f.LiveEventsOfLots(ctx, ids)
	if err != nil {
		return nil, err
	}
	details, err := s.SiteDetails(ctx)
	if err != nil {
		return nil, err
	}
	sites := siteMap(details)
	for _, m := range master {
		if !masterLocationTypes[m.Type] {
			continue
		}
		// The document's description of a site replaces the stored one.
		st := &critmin.Site{ID: m.ID}
		st.Kind, _ = masterAttr(m.Attributes, "siteKind")
		if old := sites[siteKey(m.ID)]; old != nil && len(old.KindVersions) > 0 {
			// A kind changed in a store from before capture refused
			// that is kept: re-describing the site does not forget it.
			st.KindVersions = append(append([]string(nil), old.KindVersions...), st.Kind)
		}
		if a3, _ := critmin.SiteCountry(m.Attributes, m.AttributeValues); country.Valid(a3) {
			st.Country = a3
		}
		sites[siteKey(m.ID)] = st
	}
	var maxPK int64
	for _, ev := range stored {
		maxPK = max(maxPK, ev.PK)
	}
	// The document's events, after every stored one in capture order
	// (firstRecordEvent breaks a tie of eventTime by PK).
	doc := map[*critmin.Event]bool{}
	var docEvs []*critmin.Event
	for i, ev := range live {
		c := *ev
		c.PK = maxPK + int64(i) + 1
		doc[&c] = true
		docEvs = append(docEvs, &c)
	}
	// An event staged by an earlier batch of the same streamed capture
	// is the document's own (ledger.StagedOf).
	staged := ledger.StagedOf(ctx)
	ours := func(ev *critmin.Event) bool {
		return doc[ev] || staged.Has(ev.EventID) || ev.CaptureID != "" && captureIDs[ev.CaptureID]
	}
	var out []critmin.FieldError
	for _, lot := range ids {
		var before, after []*critmin.Event
		made := false
		for _, ev := range stored {
			if !recordsLot(ev, lot) {
				continue
			}
			made = made || producesLot(ev, lot)
			before = append(before, ev)
			if !declaredIDs[ev.EventID] {
				after = append(after, ev)
			}
		}
		for _, ev := range docEvs {
			if recordsLot(ev, lot) {
				made = made || producesLot(ev, lot)
				after = append(after, ev)
			}
		}
		if made {
			continue // a produced lot's origin is its inputs' (checkStatedOrigin)
		}
		old := map[[2]string]bool{}
		for _, c := range minedContradictions(before, lot, sites) {
			old[[2]string{c.stating.EventID, c.first.EventID}] = true
		}
		for _, c := range minedContradictions(after, lot, sites) {
			if old[[2]string{c.stating.EventID, c.first.EventID}] {
				continue // on the record already: flagged on read
			}
			reason := c.reason(lot)
			// Under proceed the later of a pair both of the document is
			// refused, in document order (docEvs' PKs follow it), the
			// earlier stored: as when the earlier was staged by an
			// earlier batch, so the result never depends on where the
			// batch boundary falls (nu38b-3).
			laterFirst := staged.Proceed && doc[c.stating] && doc[c.first] && c.first.PK > c.stating.PK
			switch {
			case doc[c.stating] && !laterFirst:
				out = append(out, critmin.FieldError{Conflict: !ours(c.first), Pointer: "event " + c.stating.EventID + "/ilmd/" + c.field, Reason: reason})
			case staged.Has(c.stating.EventID) && doc[c.first] && !staged.Proceed:
				// The statement staged by an earlier batch: refused at
				// its field, as when both are in one batch (nu36b-4).
				out = append(out, critmin.FieldError{Pointer: "event " + c.stating.EventID + "/ilmd/" + c.field, Reason: reason})
			case doc[c.first]:
				out = append(out, critmin.FieldError{Conflict: !ours(c.stating), Pointer: "event " + c.first.EventID + "/" + c.role + "/id", Reason: reason})
			default:
				// Both stored: a declaration in error of the document
				// made a stored event the lot's first record.
				for _, d := range declaring {
					if recordsLot(d, lot) {
						out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + d.EventID, Reason: reason})
						break
					}
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out, nil
}

// minedContradiction is a live event stating lot's origin (stating,
// country statedCountry, worded words, at ILMD field) that the mine of
// the lot's first record (first, its role readPoint or bizLocation,
// site, in siteCountry) contradicts.
type minedContradiction struct {
	stating, first              *critmin.Event
	field, words, statedCountry string
	role, site, siteCountry     string
}

func (c minedContradiction) reason(lot string) string {
	return fmt.Sprintf("lot %s: %s (event %s) places its origin in %s (%s), but its first record, event %s, stands at %s (its %s), a mine master data places in %s (%s) (cm:siteKind mine): where the lot was mined is read from that mine (DFARS 252.225-7052 reads where material was mined), so it is not shown to be dug in %s — state the origin that mine proves, record the lot where it was first held, or correct the site's master data first",
		lot, c.words, c.stating.EventID, country.Name(c.statedCountry), c.statedCountry, c.first.EventID, c.site, c.role, country.Name(c.siteCountry), c.siteCountry, country.Name(c.statedCountry))
}

// minedContradictions are the events of evs (all naming lot) whose
// stated origin the mine of lot's first record contradicts, as the
// origin function reads them (statedAgainstSite).
func minedContradictions(evs []*critmin.Event, lot string, sites map[string]*critmin.Site) []minedContradiction {
	first := firstRecordEvent(evs, lot)
	if first == nil {
		return nil
	}
	var out []minedContradiction
	for _, ev := range evs {
		m := ev.Mineral
		if m == nil || ev.ErrorDeclaration != nil || m.OriginCountry == "" && m.OriginMine == "" || !recordsLot(ev, lot) {
			continue
		}
		stated, field, words := m.OriginCountry, "cm:originCountry", "cm:originCountry "+m.OriginCountry
		if stated == "" {
			mine := siteOf(sites, m.OriginMine)
			if mine == nil || mine.Country == "" {
				continue // no country to compare (no_origin)
			}
			stated, field, words = mine.Country, "cm:originMine", fmt.Sprintf("cm:originMine %s (in %s by master data)", m.OriginMine, mine.Country)
		}
		for _, at := range []struct{ role, site string }{{"readPoint", first.ReadPoint}, {"bizLocation", first.BizLocation}} {
			st := siteOf(sites, at.site)
			if at.site == "" || st == nil || st.Country == "" || st.Country == stated ||
				!st.WasKind(critmin.SiteMine) { // a mine relabelled after events is read as the mine it was
				continue
			}
			out = append(out, minedContradiction{stating: ev, first: first, field: field, words: words, statedCountry: stated,
				role: at.role, site: at.site, siteCountry: st.Country})
			break
		}
	}
	return out
}

// recordsLot reports whether ev names lot other than as a run's input.
func recordsLot(ev *critmin.Event, lot string) bool {
	for _, q := range ev.LotLines() {
		if q.EPCClass == lot && q.Role != critmin.RoleInput {
			return true
		}
	}
	return false
}

// producesLot reports whether ev is a TransformationEvent listing lot
// among its outputs.
func producesLot(ev *critmin.Event, lot string) bool {
	if ev.Type != critmin.TransformationEvent {
		return false
	}
	for _, q := range ev.LotLines() {
		if q.EPCClass == lot && q.Role == critmin.RoleOutput {
			return true
		}
	}
	return false
}
