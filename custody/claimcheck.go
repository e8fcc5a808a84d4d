package custody

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// CaptureClaimCheck returns the check ledger.Service runs on a document's
// valid events before storing them. First, no input may take more of a
// lot than remains of it (checkConsumption). Then: a capture may change a mass-balance
// account in three ways, and each is checked over every claim period of
// the site, not only the period of the document's own events:
//
//   - a claim the document makes (cm:originClaim in any event's ILMD — the
//     TransformationEvent that makes the lot or any later event on it) must
//     be covered by its producing site's account, as stored plus the
//     document, in event order;
//   - a run the document adds, back-dated or not, takes credits that
//     later claims may already rest on: every claim that the stored
//     account accepts must still be accepted with the document;
//   - a change the document makes to a lot the account reads (its assay,
//     mass or moisture, as input or claimed output) is checked the same way.
//   - a claim booked in a claim period that ended before the document's
//     record time (the capture's clock, ledger.Service.Now) is refused
//     (endedPeriod): an ended period's statement is final.
//
// A claim refused, or an accepted claim that a claim of the document
// would break (taking its credits), refuses the whole document with an
// error naming the event, site, category, period, shortfall and the claim
// it would break; nothing is stored. ISO 22095:2020 §11 requires claims
// out ≤ credits in over each claim period. A document that makes no claim
// records facts (an assay, a weighing, a run, a declaration in error): a
// later fact that leaves an accepted claim short is taken, and the claim
// reads "not covered" naming it (explainLateFacts) — a measurement
// refused to keep a claim standing would hide the fact (fix9d). The
// weighing checks (masschange.go, backdatedmass.go) and the ended-period
// rule still apply to such a document. (A document that both claims on a
// site's account and breaks an accepted claim there is refused: its
// claim may be what takes the credits.)
func CaptureClaimCheck(s Store) func(ctx context.Context, events []*critmin.Event) error {
	s = consistent(s)
	check := captureCheck(s)
	return func(ctx context.Context, events []*critmin.Event) error {
		// An event moving a container by its own identifier is judged
		// with the lots the container held then (contentsJudge), and a
		// refusal of such a lot names the container the event lists,
		// never a quantity line it lacks (pointAtContainers).
		cj := newContentsJudge(ctx, s, events)
		return cj.pointAtContainers(check(ctx, events, cj))
	}
}

// captureCheck is CaptureClaimCheck's judgement of a document, its
// containers' contents given by cj.
func captureCheck(s Store) func(ctx context.Context, events []*critmin.Event, cj *contentsJudge) error {
	return func(ctx context.Context, events []*critmin.Event, cj *contentsJudge) error {
		var live []*critmin.Event
		// The stored events the document declares in error: every check
		// below sees the state after the declarations.
		declared := map[string]bool{}
		var declaring []*critmin.Event
		// Where each event stands in the document (at: a live event's
		// index in events) and where the document first declares each
		// stored event in error (declAt): a declaration frees a claim's
		// lot and balance only for the claims after it (claimsBefore).
		at := map[*critmin.Event]int{}
		declAt := map[string]int{}
		ef, _ := s.(EventFinder)
		for i, ev := range events {
			if ev.ErrorDeclaration == nil {
				// A claim event re-sent unchanged is a duplicate the
				// store skips (its eventID is stored; another content
				// under it is refused there): the claim it carries is
				// booked already and is not judged again as a new one
				// beside itself (issue 9 §1, nu32: a document re-sent
				// counted its 2.4 t claim twice).
				if ef != nil && ev.EventID != "" && ev.Mineral != nil && ev.Mineral.OriginClaim != nil {
					got, err := ef.FindEventsByID(ctx, ev.EventID)
					if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
						return err
					}
					if len(got) > 0 {
						continue
					}
				}
				x, err := cj.next(ev)
				if err != nil {
					return err
				}
				c := canonicalLots(x)
				if v, ok := cj.via[x]; ok {
					cj.via[c] = v
				}
				at[c] = i
				live = append(live, c)
			} else {
				declared[ev.EventID] = true
				if _, ok := declAt[ev.EventID]; !ok {
					declAt[ev.EventID] = i
				}
				declaring = append(declaring, canonicalLots(ev))
			}
		}
		// A declaration in error that would leave a container holding
		// material inside another is refused as the packing is
		// (declNestCheck, nestCheck).
		if cj.on {
			if err := cj.declNestCheck(); err != nil {
				return err
			}
		}
		// A declared event that moved containers by their own
		// identifiers is an event of each lot they held then (nu36a-5).
		var err error
		if declaring, err = withCarried(ctx, s, declaring); err != nil {
			return err
		}
		// The claims the document makes: lot → the event that makes it.
		// A lot claims once: a second claim event on it in the same
		// document is refused as a second claim across documents is
		// (reclaims), else only the last would be booked while the first
		// is stored beside it (issue 9 §1, nu31: a 100 % claim above the
		// balance followed by a 1 % claim on the same lot was taken).
		claimBy := map[string]*critmin.Event{}
		var twice []critmin.FieldError
		for _, ev := range live {
			if ev.Mineral == nil || ev.Mineral.OriginClaim == nil {
				continue
			}
			for _, q := range ev.Quantities {
				if q.Role == critmin.RoleInput {
					continue
				}
				first := claimBy[q.EPCClass]
				switch {
				case first == nil:
					claimBy[q.EPCClass] = ev
				case first != ev && (first.EventID != ev.EventID || ev.EventID == ""):
					twice = append(twice, critmin.FieldError{Conflict: true, Pointer: claimPtr(ev), Reason: secondClaimInDocument(q.EPCClass, first, ev)})
				}
			}
		}
		if len(twice) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("claim refused; nothing was stored: %s", twice[0].Reason), Fields: twice}
		}
		// A claim is booked when it is made: one dated after the capture
		// records it (beyond MaxClaimClockSkew) would be booked in a
		// period not yet begun and lock it.
		var future []critmin.FieldError
		for _, lot := range sortedKeys(claimBy) {
			if msg := futureClaim(lot, claimBy[lot]); msg != "" {
				future = append(future, critmin.FieldError{Pointer: "event " + claimBy[lot].EventID + "/eventTime", Reason: msg})
			}
		}
		if len(future) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("claim refused; nothing was stored: %s", future[0].Reason), Fields: future}
		}
		// No event is recorded before it happens: a receipt dated weeks
		// ahead or a commissioning in 2031 is a typing error.
		for _, ev := range live {
			if msg := futureEvent(ev); msg != "" {
				future = append(future, critmin.FieldError{Pointer: "event " + ev.EventID + "/eventTime", Reason: msg})
			}
			if msg := ancientEvent(ev); msg != "" {
				future = append(future, critmin.FieldError{Pointer: "event " + ev.EventID + "/eventTime", Reason: msg})
			}
		}
		if len(future) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", future[0].Pointer, future[0].Reason), Fields: future}
		}
		// No run puts out more than it is fed, beyond the reagent mass
		// its products can bind (MaxRunMassGain): the API and the import
		// judge it as the Refine form does.
		gains, err := runMassGains(ctx, s, live)
		if err != nil {
			return err
		}
		if len(gains) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("run refused; nothing was stored: %s: %s", gains[0].Pointer, gains[0].Reason), Fields: gains}
		}
		// A produced lot's physical origin is what its genealogy proves:
		// a stated origin that contradicts it is refused.
		if fe, err := checkStatedOrigin(ctx, s, live); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("origin refused; nothing was stored: %s", fe[0].Reason), Fields: fe}
		}
		// An event dated before the stored event that makes a lot it
		// names records a lot that did not yet exist (fixVv).
		if fe, err := checkBeforeMaker(ctx, s, live, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// A stated origin the mine of the lot's first record contradicts,
		// whichever of the two the document brings, is refused: the
		// record never holds a contradiction capture can see (fixUu).
		if fe, err := checkFirstRecordOrigin(ctx, s, live, declared, declaring, ledger.MasterDataOf(ctx)); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("origin refused; nothing was stored: %s", fe[0].Reason), Fields: fe}
		}
		details, err := s.SiteDetails(ctx)
		if err != nil {
			return err
		}
		// A site's custody model resent with another value in master data
		// would overturn what was judged under the old one.
		if fe, err := modelChanges(ctx, s, ledger.MasterDataOf(ctx), details, recordTime(live)); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("master data refused; nothing was stored: %s", fe[0].Reason), Fields: fe}
		}
		mbSites := map[string]bool{}
		models := map[string]string{} // site key → its stated custody model
		for _, st := range details {
			models[siteKey(st.ID)] = st.CustodyModel
			if st.CustodyModel == MassBalance {
				mbSites[siteKey(st.ID)] = true
			}
		}
		// The document's own master data states the model it gives a
		// site (a resent element replaces the attributes): a refusal
		// names that one.
		for _, m := range ledger.MasterDataOf(ctx) {
			if masterLocationTypes[m.Type] {
				models[siteKey(m.ID)], _ = masterAttr(m.Attributes, "custodyModel")
			}
		}
		// The lots as the document leaves them: stored lots with the
		// document's events projected on them, in order, and new ones.
		var ids []string
		for _, ev := range live {
			ids = append(ids, ev.LotIDs()...)
		}
		stored, err := s.FindLotsByID(ctx, ids)
		if err != nil {
			return err
		}
		// A lot an event of the document declares in error is taken as the
		// declaration leaves it: rebuilt from its other live stored events
		// (ledger.Replay), so no check counts the retracted event's facts
		// (an assay, a mass) beside the document's corrective ones.
		// The stored lots that carry a claim the new one would replace,
		// read before the declarations: whether one frees the lot depends
		// on where it stands in the document (reclaims).
		var claimed []string
		for _, l := range stored {
			if l.OriginClaim != nil && claimBy[l.ID] != nil {
				claimed = append(claimed, l.ID)
			}
		}
		// A stored lot whose every making event is declared in error is
		// not in the record (unmadelot.go): an event of the document
		// acting on it is refused, and a corrective commissioning in the
		// document makes it afresh, so it is not read as stored.
		// The lots asked: the stored lots the document names, and those
		// no lot row holds that an event acts on without making them (a
		// lot whose only event is declared in error has no row: it is
		// refused for that, not as never recorded).
		var named []string
		asked := map[string]bool{}
		for _, l := range stored {
			asked[l.ID] = true
			named = append(named, l.ID)
		}
		for _, ev := range live {
			for _, id := range ev.LotIDs() {
				if !asked[id] && !makesLot(ev, id, true) {
					asked[id] = true
					named = append(named, id)
				}
			}
		}
		gone, goneEvents, err := unmadeLots(ctx, s, named, declaring, declared)
		if err != nil {
			return err
		}
		// Refused event by event, as an event on a lot no event recorded
		// is (checkLotRecorded): each field a conflict (409) naming its
		// event, so under proceed the event is a job error and the
		// others are stored (ledger claimRounds; fixNn item 3); under
		// rollback the document is refused 409 (critmin.RefusalCode).
		if fe := checkUnmadeLots(live, gone, goneEvents); len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if stored, err = withoutDeclared(ctx, s, stored, events); err != nil {
			return err
		}
		// A lot the document makes again is made afresh: its stored row
		// (what the events that drew on it left) is not its state.
		if len(gone) > 0 {
			kept := stored[:0:0]
			for _, l := range stored {
				if _, ok := gone[l.ID]; !ok || !remade(live, l.ID) {
					kept = append(kept, l)
				}
			}
			stored = kept
		}
		lots := map[string]*critmin.Lot{}
		// Copies of the stored lots, before the document's events are
		// projected on them (checkStanding).
		storedAsIs := make(map[string]*critmin.Lot, len(stored))
		for _, l := range stored {
			lots[l.ID] = l
			storedAsIs[l.ID] = cloneLot(l)
		}
		// A claim once accepted is issued to a buyer: a later claim on the
		// same lot may not silently replace it and free its credits. The
		// earlier claim event must be declared in error first (in this
		// document or before), which also marks certificates resting on it
		// superseded.
		if fe, err := reclaims(ctx, s, claimed, claimBy, at, declAt); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("claim refused; nothing was stored: %s", fe[0].Reason), Fields: fe}
		}
		isStored := map[string]bool{}
		storedLots := map[string]*critmin.Lot{}
		for _, l := range stored {
			isStored[l.ID] = true
			storedLots[l.ID] = l
		}
		// No event before its lot exists, and no second, different
		// reading of a lot's quantity at one instant (reading.go).
		stagedBy, err := stagedMakers(ctx, s, live, storedLots)
		if err != nil {
			return err
		}
		if fe := checkLotExists(live, storedLots, stagedBy); len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if fe := checkLotRecorded(live, storedLots, models, nil); len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if fe, err := checkContainerRecorded(ctx, s, live, models); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if fe, err := checkSameInstant(ctx, s, live, events, storedLots); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("reading refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// Later weighings of stored lots (checkReweighing): the first
		// event that changes a lot's mass, its mass before the document
		// and after it.
		rw := map[string]reweighing{}
		// Events that act on lots runs consumed (checkConsumedLots): the
		// lot just before and after each, and what the document's earlier
		// runs took of it.
		var touches []lotTouch
		var transit []lotTouch // runs fed a lot in transit (checkFedInTransit)
		var unitErrs, siteErrs, partErrs, massErrs, tripErrs []critmin.FieldError
		massRefused := map[string]critmin.Lot{}     // checkMassChange
		unclosed := map[string]critmin.FieldError{} // lotClosure
		docTaken := map[string]*consumed{}
		for li, ev := range live {
			before := map[string]float64{}
			was := map[string]critmin.Lot{}
			for _, id := range ev.LotIDs() {
				if lots[id] == nil {
					lots[id] = &critmin.Lot{ID: id}
				}
				before[id] = lots[id].WetTonnes
				was[id] = *cloneLot(lots[id]) // not sharing Parts: a part weighing rewrites them
			}
			unitErrs = append(unitErrs, checkLineUnits(ev, was)...)
			if fe := checkFedAtSite(ev, was, nil, nil); len(fe) > 0 {
				// Refused: worded with each lot as it stood at the run's
				// date (lotsThen), not as the record stands now.
				then, err := lotsThen(ctx, s, ev, was)
				if err != nil {
					return err
				}
				// What of each lot is at sea as a whole, worded as
				// the lot API lists it (bodyAtSeaWords; n8e-6).
				atSea := map[string]string{}
				for id, w := range was {
					desc := &w
					if l := then[id]; l != nil {
						desc = l
					}
					if atSea[id], err = bodyAtSeaWords(ctx, s, desc, ev.EventTime); err != nil {
						return err
					}
				}
				siteErrs = append(siteErrs, checkFedAtSite(ev, was, then, atSea)...)
			}
			// A receipt is judged against the record as the
			// document's earlier events left it (docReceipt), and a
			// trip's end against the trips it ends (tripEndGain).
			if fe, err := docReceipt(ctx, s, declared, live, li, was); err != nil {
				return err
			} else {
				tripErrs = append(tripErrs, fe...)
			}
			ledger.Project(lots, ev)
			tripErrs = append(tripErrs, tripEndGain(ev, was, lots)...)
			firstUnclosed(ev, lots, unclosed)
			partErrs = append(partErrs, checkPartWeighing(ev, was, lots)...)
			massErrs = append(massErrs, checkMassChange(ev, was, lots, massRefused)...)
			if ev.Type == critmin.TransformationEvent {
				for _, q := range inputsOf(ev) {
					if w, ok := was[q.EPCClass]; ok && w.Status == critmin.LotInTransit {
						transit = append(transit, lotTouch{ev: ev, id: q.EPCClass, before: w})
					}
					c := docTaken[q.EPCClass]
					if c == nil {
						c = &consumed{}
						docTaken[q.EPCClass] = c
					}
					name := "event " + ev.EventID
					if ev.TransformationID != "" {
						name = ev.TransformationID + " (event " + ev.EventID + ")"
					}
					if len(c.runs) == 0 || ev.EventTime.Before(c.from) {
						c.from = ev.EventTime
					}
					c.runs = append(c.runs, name)
					c.at = append(c.at, ev.EventTime)
					t, err := 0.0, error(nil)
					if q.Quantity != nil {
						t, err = units.ToTonnes(*q.Quantity, q.UOM)
					}
					if q.Quantity == nil || err != nil {
						c.whole = true
					}
					c.tonnes += t
				}
				continue
			}
			for _, id := range sortedKeys(was) {
				if isStored[id] || docTaken[id] != nil {
					var dc consumed
					if c := docTaken[id]; c != nil {
						dc = consumed{whole: c.whole, tonnes: c.tonnes, runs: append([]string(nil), c.runs...), from: c.from}
					}
					touches = append(touches, lotTouch{ev: ev, id: id, before: was[id], after: *lots[id], doc: dc})
				}
			}
			for id, b := range before {
				site := ev.BizLocation
				if site == "" {
					site = ev.ReadPoint
				}
				weighed, _ := StandingMass(lots[id], site)
				if r, ok := rw[id]; ok {
					r.after = lots[id].WetTonnes
					rw[id] = r
				} else if isStored[id] && units.IsMass(lots[id].UOM) && lots[id].WetTonnes != b {
					rw[id] = reweighing{ev: ev, before: b, after: lots[id].WetTonnes, weighed: weighed}
				}
			}
		}
		if len(unitErrs) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("quantity refused; nothing was stored: %s: %s", unitErrs[0].Pointer, unitErrs[0].Reason), Fields: unitErrs}
		}
		if fe, err := checkFedInTransit(ctx, s, live, transit); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("input refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if len(siteErrs) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("input refused; nothing was stored: %s: %s", siteErrs[0].Pointer, siteErrs[0].Reason), Fields: siteErrs}
		}
		if len(tripErrs) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("receipt refused; nothing was stored: %s: %s", tripErrs[0].Pointer, tripErrs[0].Reason), Fields: tripErrs}
		}
		if len(partErrs) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("weighing refused; nothing was stored: %s: %s", partErrs[0].Pointer, partErrs[0].Reason), Fields: partErrs}
		}
		if fe, err := checkReweighing(ctx, s, rw, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("weighing refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		firstAt := map[string]int{}
		for i, ev := range live {
			for _, id := range ev.LotIDs() {
				if _, ok := firstAt[id]; !ok {
					firstAt[id] = i
				}
			}
		}
		known := func(id string, before int) bool {
			i, ok := firstAt[id]
			return isStored[id] || ok && i < before
		}
		// Judged without the stored events the document declares in
		// error, as judgeAgain judges a dependent receipt: a
		// receipt the document declares received nothing, so its
		// corrective receipt under the same bill of lading is not a second
		// one (fixNn item 2: a receipt declared with its corrective was
		// refused "already received … (event <the declared receipt>)").
		if fe, err := checkReceipts(ctx, s, live, known, declared, cj, nil); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("receipt refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// A bill of lading names one consignment on one voyage
		// (billreused.go).
		if fe, err := checkBillReused(ctx, s, live, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("shipment refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// A packing or a run dated before a recorded movement of a
		// container may not change what it carried (contentschanged.go).
		if fe, err := checkContentsChanged(ctx, s, live, declared, cj); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if fe := checkShipments(live); len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("shipment refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// A run happens at one site, and a lot is made once (lotmade.go).
		if fe, err := checkRunSite(ctx, s, live, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("run refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if fe, err := checkMadeOnce(ctx, s, live, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("output refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if fe, err := checkConsumedLots(ctx, s, touches, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// The lot's assays as the document leaves them — stored ones and
		// the document's — must close on the dry basis (ledger.Closure): a
		// later sensor report of Pr6O11 40 % on a lot assayed Nd2O3 80 %
		// is refused although each event alone closes.
		if fe := lotClosure(live, lots, unclosed); len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("assay refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// No lot is consumed beyond what remains of it (checkConsumption).
		if fe, err := checkConsumption(ctx, s, live, lots, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("input refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// An event happens where its lots are: none at a site while a lot
		// is at sea but its arrival or receipt, and no packing or shipping
		// of a lot from a site it is not at (whereabouts.go).
		// After the checks above, whose refusals say more of a receipt,
		// a shipment or a consumed lot.
		if fe, conflict, err := checkWhereabouts(ctx, s, live, declared, lots, cj, true); err != nil {
			return err
		} else if len(fe) > 0 {
			code := critmin.EINVALID
			if conflict {
				code = critmin.ECONFLICT // an ADD of a lot the record places elsewhere
			}
			return &critmin.Error{Code: code, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// No packing into a container that has sailed or departed and not
		// arrived since, at the packing's time (containerdeparted.go).
		if fe, err := checkPackedAtSea(ctx, s, live, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("packing refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// Every movement (packing, loading, shipping, a run's input) takes
		// at most what stands of its lot at its site at the event's time,
		// the lot's events replayed in event time (standing.go).
		if fe, err := checkStanding(ctx, s, live, declared, storedAsIs, cj.via); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// A declaration in error that would leave a later recorded event
		// standing on nothing: judged again by the capture rules without
		// the declared events (dependents.go). Judged before the draws
		// below: an event left on nothing (a receipt of a shipment
		// declared) is the first to fall, and a later draw that moves
		// to another holding only follows from it (n8c s5: declaring
		// [C1]'s shipment named C2's later shipment, not C1's receipt).
		if len(declaring) > 0 {
			if fe, msg, err := checkDependents(ctx, s, live, declaring, declared, models); err != nil {
				return err
			} else if len(fe) > 0 {
				return &critmin.Error{Code: critmin.ECONFLICT, Message: msg, Fields: fe}
			}
		}
		// A declaration in error that would leave a recorded run drawing
		// on another holding than it drew on (retractedruns.go).
		if fe, err := checkRetractedDraws(ctx, s, live, declaring, declared); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("declaration refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		// A weighing moves a lot's recorded mass only within the
		// weighing tolerance (masschange.go), whatever door it came by; after
		// the checks above, whose refusals say more of a receipt, a
		// shipment or a consumed lot.
		if len(massErrs) == 0 {
			// A back-dated weighing, judged at its own time
			// (backdatedmass.go).
			if massErrs, err = checkBackdatedMass(ctx, s, live, declared, storedAsIs); err != nil {
				return err
			}
		}
		if len(massErrs) == 0 && len(declaring) > 0 {
			// A declaration in error that makes a recorded weighing a
			// jump (backdatedmass.go).
			if massErrs, err = checkRetractedMass(ctx, s, live, declaring, declared); err != nil {
				return err
			}
		}
		if len(massErrs) > 0 {
			what := weighingNoun.noun // a dispatch's is a shipment's (massNounOf)
			if strings.HasPrefix(massErrs[0].Reason, shipmentNoun.noun+" of lot ") {
				what = shipmentNoun.noun
			}
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("%s refused; nothing was stored: %s: %s", what, massErrs[0].Pointer, massErrs[0].Reason), Fields: massErrs}
		}
		if len(claimBy) == 0 && len(mbSites) == 0 {
			return nil // no claim made and no account kept: nothing to check
		}
		// The sites whose accounts the document may change: where its runs
		// are, and where the lots it touches were made or consumed.
		var sites []string
		seen := map[string]bool{}
		addSite := func(site string) {
			site = siteKey(site) // one account per site, in any spelling of it
			if site != "" && !seen[site] {
				seen[site] = true
				sites = append(sites, site)
			}
		}
		producer := map[string]string{}
		producedAt := map[string]time.Time{}
		for _, dir := range []bool{true, false} {
			edges, err := s.LotEdges(ctx, ids, dir)
			if err != nil {
				return err
			}
			for _, e := range edges {
				if e.Kind != ledger.LinkTransformation {
					continue
				}
				if mbSites[siteKey(e.BizLocation)] || claimBy[e.Child] != nil {
					addSite(e.BizLocation)
				}
				if dir && (producer[e.Child] == "" || e.EventTime.After(producedAt[e.Child])) {
					producer[e.Child], producedAt[e.Child] = siteKey(e.BizLocation), e.EventTime
				}
			}
		}
		fed, err := runsFed(ctx, s, live)
		if err != nil {
			return err
		}
		runs := map[string][]*critmin.Event{}
		for _, ev := range live {
			if ev.Type != critmin.TransformationEvent {
				continue
			}
			runs[siteKey(ev.BizLocation)] = append(runs[siteKey(ev.BizLocation)], ev)
			hasClaim := false
			for _, q := range ev.Quantities {
				if q.Role == critmin.RoleOutput && fed(ev) {
					producer[q.EPCClass] = siteKey(ev.BizLocation)
					hasClaim = hasClaim || claimBy[q.EPCClass] != nil
				}
			}
			if mbSites[siteKey(ev.BizLocation)] || hasClaim {
				addSite(ev.BizLocation)
			}
		}
		var errs []critmin.FieldError
		var oc *originCalc
		for _, lot := range sortedKeys(claimBy) {
			if producer[lot] != "" {
				continue
			}
			// A live TransformationEvent of the document produces it, but
			// its run has no input yet (fix9n): say so, never "no
			// transformation produced it".
			if ev := unfedMaker(live, lot); ev != nil {
				errs = append(errs, critmin.FieldError{Pointer: claimPtr(claimBy[lot]), Reason: noRunInput(lot, ev)})
				continue
			}
			// The run that made it declared in error — by this document
			// or before — is named as the read path names it (noMaker).
			var maker *critmin.Event
			for _, ev := range events {
				if ev.ErrorDeclaration == nil || ev.Type != critmin.TransformationEvent {
					continue
				}
				for _, q := range canonicalLots(ev).LotLines() {
					if q.Role == critmin.RoleOutput && q.EPCClass == lot {
						maker = ev
					}
				}
			}
			if maker == nil {
				if oc == nil {
					oc = newCalc(ctx, s, nil)
				}
				if maker, err = oc.retractedMaker(lot); err != nil {
					return err
				}
			}
			errs = append(errs, critmin.FieldError{Pointer: claimPtr(claimBy[lot]), Reason: noMaker(lot, maker)})
		}
		docRuns, err := documentRuns(ctx, s, live)
		if err != nil {
			return err
		}
		for _, site := range sites {
			fe, err := checkSite(ctx, s, site, models[site], runs[site], docRuns, lots, claimBy, producer, live, events, at, declAt)
			if err != nil {
				return err
			}
			errs = append(errs, fe...)
		}
		if len(errs) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("claim refused; nothing was stored: %s", errs[0].Reason), Fields: errs}
		}
		return nil
	}
}

// consistentReader is a store whose read pool may lag its writes (a
// PostgreSQL replica): ConsistentReads reads the primary.
type consistentReader interface {
	ConsistentReads() critmin.Store
}

// consistent is the view of s that checks deciding a write read through:
// one that sees every committed capture (sqldb.DB.ConsistentReads), or s.
func consistent(s Store) Store {
	if c, ok := s.(consistentReader); ok {
		if cs, ok := c.ConsistentReads().(Store); ok {
			return cs
		}
	}
	return s
}

// liveEventsFinder is the part of a store that gives the live stored
// events of lots (sqldb.DB.LiveEventsOfLots).
type liveEventsFinder interface {
	LiveEventsOfLots(ctx context.Context, ids []string) ([]*critmin.Event, error)
}

// withoutDeclared replaces, among stored, each lot an event the document
// declares in error names by its replay from the lot's live stored
// events other than those the document declares; a lot left with no
// event is dropped. A store that cannot give its events is left as is.
func withoutDeclared(ctx context.Context, s Store, stored []*critmin.Lot, events []*critmin.Event) ([]*critmin.Lot, error) {
	declared := map[string]bool{}
	touched := map[string]bool{}
	for _, ev := range events {
		if ev.ErrorDeclaration != nil {
			declared[ev.EventID] = true
			for _, id := range canonicalLots(ev).LotIDs() {
				touched[id] = true
			}
		}
	}
	f, ok := s.(liveEventsFinder)
	if len(declared) == 0 || !ok {
		return stored, nil
	}
	if ef, ok := s.(EventFinder); ok {
		// The lots the stored event named, should the declaration not
		// repeat them.
		for id := range declared {
			evs, err := ef.FindEventsByID(ctx, id)
			if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
				return nil, err
			}
			for _, ev := range evs {
				for _, l := range canonicalLots(ev).LotIDs() {
					touched[l] = true
				}
			}
		}
	}
	var ids []string
	for _, l := range stored {
		if touched[l.ID] {
			ids = append(ids, l.ID)
		}
	}
	if len(ids) == 0 {
		return stored, nil
	}
	evs, err := f.LiveEventsOfLots(ctx, ids)
	if err != nil {
		return nil, err
	}
	kept := evs[:0]
	for _, ev := range evs {
		if !declared[ev.EventID] {
			kept = append(kept, ev)
		}
	}
	replayed, _ := ledger.Replay(ids, kept)
	out := stored[:0:0]
	for _, l := range stored {
		if r := replayed[l.ID]; touched[l.ID] {
			if r.EventCount > 0 {
				out = append(out, r)
			}
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// runInputsFinder is the part of a store that says which runs
// (transformationIDs) have an input stored (sqldb.DB.RunsWithInputs).
type runInputsFinder interface {
	RunsWithInputs(ctx context.Context, xids []string) (map[string]bool, error)
}

// unfedMaker is the live TransformationEvent of a document that lists lot
// among its outputs, or nil. Called for a lot no fed run produced
// (runsFed), it is an event whose run has no input yet.
func unfedMaker(live []*critmin.Event, lot string) *critmin.Event {
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent {
			continue
		}
		for _, q := range canonicalLots(ev).LotLines() {
			if q.Role == critmin.RoleOutput && q.EPCClass == lot {
				return ev
			}
		}
	}
	return nil
}

// noRunInput is the refusal of a claim on lot produced by ev, a
// TransformationEvent whose run names no input yet (runsFed): EPCIS 2.0
// §7.4.6 links a run's outputs to its inputs, so the lot has no genealogy
// and the run has earned no credit in (ISO 22095-2: claims out ≤ credits
// in) to back the claim. The remedy is to capture the run's input event
// first or in the same document.
func noRunInput(lot string, ev *critmin.Event) string {
	run := "it has no transformationID, so no other event can give its run an input"
	if ev.TransformationID != "" {
		run = fmt.Sprintf("no event of its run (transformationID %s) names an input yet", ev.TransformationID)
	}
	return fmt.Sprintf("claim on lot %s refused: TransformationEvent %s produces it at site %s, but %s, so the run has no input and earns no credit to back the claim: capture the run's input event first or in the same document",
		lot, ev.EventID, epcis.Canonical(ev.BizLocation), run)
}

// runsFed returns whether a document's TransformationEvent belongs to a
// run with inputs — its own, another event of the document or a stored
// event sharing its transformationID (EPCIS 2.0 §7.4.6). Only such a run's
// outputs get genealogy edges, so only it produces a lot that can carry a
// claim (claimOf reads the producing run from those edges): an
// output-only event with its own transformationID produces nothing a
// claim can rest on, and is refused at capture as it is when read.
func runsFed(ctx context.Context, s Store, live []*critmin.Event) (func(*critmin.Event) bool, error) {
	fedX := map[string]bool{}
	var ask []string
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent || ev.TransformationID == "" {
			continue
		}
		if hasRunInput(ev) {
			fedX[ev.TransformationID] = true
		} else {
			ask = append(ask, ev.TransformationID)
		}
	}
	if f, ok := s.(runInputsFinder); ok && len(ask) > 0 {
		stored, err := f.RunsWithInputs(ctx, ask)
		if err != nil {
			return nil, err
		}
		for x := range stored {
			fedX[x] = true
		}
	}
	return func(ev *critmin.Event) bool {
		return hasRunInput(ev) || ev.TransformationID != "" && fedX[ev.TransformationID]
	}, nil
}

// hasRunInput says a TransformationEvent names an input: a lot in
// inputQuantityList or an instance or container in inputEPCList (an SSCC
// fed whole), either of which gives its outputs genealogy edges
// (Event.LotLines, as capture links them).
func hasRunInput(ev *critmin.Event) bool {
	for _, q := range ev.LotLines() {
		if q.Role == critmin.RoleInput {
			return true
		}
	}
	return false
}

func claimPtr(ev *critmin.Event) string { return "event " + ev.EventID + "/ilmd/cm:originClaim" }

// checkSite replays a site's account over every claim period twice — as
// stored, and with the document — and reports the document's claims that
// are refused and the stored claims it would turn from accepted to
// refused.
func checkSite(ctx context.Context, s Store, site, model string, evs []*critmin.Event, docRuns map[*critmin.Event]ledgerRun, lots map[string]*critmin.Lot, claimBy map[string]*critmin.Event, producer map[string]string, live, events []*critmin.Event, at map[*critmin.Event]int, declAt map[string]int) ([]critmin.FieldError, error) {
	var mine []string // lots the document claims whose producing run is here
	for _, lot := range sortedKeys(claimBy) {
		if producer[lot] == site {
			mine = append(mine, lot)
		}
	}
	vs, err := s.MassBalanceVersions(ctx, site)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		var out []critmin.FieldError
		for _, lot := range mine {
			commodity := ""
			if l := lots[lot]; l != nil {
				commodity = l.Commodity
			}
			out = append(out, critmin.FieldError{Pointer: claimPtr(claimBy[lot]), Reason: noDeclaration(lot, commodity, site, model)})
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	base, err := replayAll(ctx, s, vs, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	var pending []ledgerRun
	for _, ev := range evs {
		if r, ok := docRuns[ev]; ok {
			pending = append(pending, r)
			continue
		}
		pending = append(pending, runOfEvent(ev, site))
	}
	claimAt := map[string]critmin.ClaimEvent{}
	order := map[*critmin.Event]int64{}
	for i, ev := range live {
		order[ev] = int64(i)
	}
	for lot, ev := range claimBy {
		// After every stored claim at the same time (ClaimEvent.Seq), in
		// the document's event order.
		claimAt[lot] = critmin.ClaimEvent{Event: ev.EventID, At: ev.EventTime, Seq: docClaimSeq + order[ev]}
	}
	next, err := replayDoc(ctx, s, vs, lots, pending, claimAt, live)
	if err != nil {
		return nil, err
	}
	// The document's own claims are judged on the account as the document
	// leaves it: without the runs it declares in error. (A retraction is
	// always taken — facts win — so the claims it breaks are not refused
	// here; they turn refused when read. But a claim made beside it cannot
	// rest on the credits it removes.)
	own := next
	if dropped := retractedIn(live, events); len(dropped) > 0 {
		mc, err := newMB(ctx, s, vs, nil)
		if err != nil {
			return nil, err
		}
		mc.drop = dropped
		mc.doc = live
		if own, err = replayWith(mc, lots, pending, claimAt); err != nil {
			return nil, err
		}
	}
	// A declaration frees what it retracts only from its place in the
	// document on: a claim placed before the declaration in error of an
	// earlier claim is judged with that claim still holding its share
	// (nu32: CB 2.4 t before the declaration of CA, balance 2.1 t, was
	// taken). It must be covered both there (before) and on the account
	// as the document leaves it (own: a run's credits the document
	// retracts back no claim of it, wherever the declaration stands).
	before := map[int]*mbCalc{}
	ownBefore := func(ev *critmin.Event) (*mbCalc, error) {
		dropped := map[string]bool{}
		for id, d := range declAt {
			if d < at[ev] {
				dropped[id] = true
			}
		}
		if len(dropped) == len(declAt) {
			return own, nil
		}
		if mc := before[len(dropped)]; mc != nil {
			return mc, nil
		}
		mc, err := newMB(ctx, s, vs, nil)
		if err != nil {
			return nil, err
		}
		mc.drop = dropped
		mc.doc = live
		if mc, err = replayWith(mc, lots, pending, claimAt); err != nil {
			return nil, err
		}
		before[len(dropped)] = mc
		return mc, nil
	}
	ends := map[string]critmin.ClaimPeriod{}
	for _, p := range vs[len(vs)-1].Periods {
		ends[p.ID] = p
	}
	var out []critmin.FieldError
	for _, lot := range mine {
		ev := claimBy[lot]
		cl, ok := own.claims[lot]
		if ok && cl.Status != ClaimRefused {
			b, err := ownBefore(ev)
			if err != nil {
				return nil, err
			}
			if bc, bok := b.claims[lot]; bok && bc.Status == ClaimRefused {
				cl = bc
			}
		}
		if ok {
			if msg := endedPeriod(lot, cl, ends[cl.Period], ev); msg != "" {
				// A claim dated before its lot existed is refused for
				// that first, whatever period it falls in: the more
				// basic reason, then the ended period.
				if cl.early {
					msg = cl.Error + "; besides, " + msg
				}
				out = append(out, critmin.FieldError{Pointer: claimPtr(ev), Reason: msg})
				continue
			}
		}
		switch {
		case !ok:
			out = append(out, critmin.FieldError{Pointer: claimPtr(ev), Reason: noPeriodWords(lot, site, ev.EventID, ev.EventTime, "", time.Time{}, vs[len(vs)-1].Periods)})
		case cl.Status == ClaimRefused:
			out = append(out, critmin.FieldError{Pointer: claimPtr(ev), Reason: cl.Error})
		}
	}
	// The claims already accepted that the document would break.
	ptr := ""
	for _, ev := range live {
		if ptr == "" && (len(evs) > 0 && ev == evs[0] || claimBy[firstOutput(ev)] != nil && producer[firstOutput(ev)] == site) {
			ptr = "event " + ev.EventID
		}
	}
	if ptr == "" && len(live) > 0 {
		ptr = "event " + live[0].EventID
	}
	for _, lot := range sortedKeys(base.claims) {
		b := base.claims[lot]
		if b.Status != ClaimAccepted || claimBy[lot] != nil {
			continue
		}
		n, ok := next.claims[lot]
		if ok && n.Status == ClaimAccepted {
			continue
		}
		if len(mine) == 0 || ok && len(n.AssayedBy) > 0 {
			// A document that makes no claim on this site's account
			// records facts — an assay or a weighing of the claimed lot
			// or of a lot a credit run consumed, a run, a declaration
			// in error — and a correct assay of the claimed lot
			// recorded after its claim is one whatever else the
			// document claims (fix9y). A fact is taken:
			// the accepted claim it leaves short reads "not covered"
			// when read, naming the events recorded after the claim
			// that left it so (explainLateFacts, fix9y/fix9d), never a
			// refused measurement. A claim the document makes that
			// would take an accepted claim's credits is still refused.
			continue
		}
		why := "its run would fall outside the account"
		if ok {
			why = n.Error
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("refused: the document would break the accepted claim on lot %s (event %s, site %s, category %s, period %s), which rests on credits it would take or change: %s",
			lot, b.Event, site, b.Category, b.Period, why)})
	}
	// An ended period's statement is final (ISO 22095-2): a document that
	// would change it — a back-dated run's credits, a consumption, an
	// assay or mass of an input the period read — is refused.
	if len(out) == 0 {
		out = append(out, endedStatements(site, base.stmts, next.stmts, recordTime(live), ptr)...)
	}
	return out, nil
}

// endedPeriod refuses a claim booked in a claim period that ended before
// the capture records it (the event's recordTime, set by the capture's
// own clock, ledger.Service.Now). ISO 22095-2 books a claim in the period
// it is made, and a period's statement is final once it has ended (its
// period is locked, DeclareMassBalance): a claim back-dated into it would
// rewrite a statement already final. "" if the period is still open.
func endedPeriod(lot string, cl *Claim, p critmin.ClaimPeriod, ev *critmin.Event) string {
	if p.To == "" {
		return ""
	}
	rt := ev.RecordTime
	if rt.IsZero() {
		rt = time.Now() // not decoded by a capture: the wall clock
	}
	_, to := periodSpan(p)
	if to.After(rt) {
		return ""
	}
	cat := cl.Category
	if cat == "" {
		cat = "(none for the lot's product)"
	}
	return fmt.Sprintf("claim on lot %s refused: site %s, category %s, period %s (%s to %s) ended on %s, before this capture (recorded %s); the claim event %s is dated %s. ISO 22095-2 books a claim in the period it is made and an ended period's statement is final: make the claim with an event dated in an open period",
		lot, cl.Site, cat, p.ID, p.From, p.To, p.To, rt.UTC().Format(time.RFC3339), ev.EventID, ev.EventTime.UTC().Format(time.RFC3339))
}

func firstOutput(ev *critmin.Event) string {
	for _, q := range ev.Quantities {
		if q.Role != critmin.RoleInput {
			return q.EPCClass
		}
	}
	return ""
}

// replayAll replays a site's account over every declared claim period,
// with lots overridden by those given (the document's projection) and the
// document's runs added.
func replayAll(ctx context.Context, s Store, vs []*critmin.MassBalanceDeclaration, lots map[string]*critmin.Lot, pending []ledgerRun, claimAt map[string]critmin.ClaimEvent) (*mbCalc, error) {
	mc, err := newMB(ctx, s, vs, nil)
	if err != nil {
		return nil, err
	}
	return replayWith(mc, lots, pending, claimAt)
}

// replayDoc is replayAll with the live events of the document being
// captured, which asClaimed reads with the stored ones.
func replayDoc(ctx context.Context, s Store, vs []*critmin.MassBalanceDeclaration, lots map[string]*critmin.Lot, pending []ledgerRun, claimAt map[string]critmin.ClaimEvent, doc []*critmin.Event) (*mbCalc, error) {
	mc, err := newMB(ctx, s, vs, nil)
	if err != nil {
		return nil, err
	}
	mc.doc = doc
	return replayWith(mc, lots, pending, claimAt)
}

// retractedIn returns the events a document declares in error.
func retractedIn(_ []*critmin.Event, events []*critmin.Event) map[string]bool {
	out := map[string]bool{}
	for _, ev := range events {
		if ev.ErrorDeclaration != nil {
			out[ev.EventID] = true
		}
	}
	return out
}

// replayWith is replayAll on an account already opened.
func replayWith(mc *mbCalc, lots map[string]*critmin.Lot, pending []ledgerRun, claimAt map[string]critmin.ClaimEvent) (*mbCalc, error) {
	mc.claimAt = claimAt
	mc.given = lots
	for id, l := range lots {
		mc.oc.lots[id] = l
	}
	mc.pending = pending
	periods := sortedPeriods(mc.d)
	return settleBooked(mc, periods, len(periods)-1)
}

// runOfEvent is a TransformationEvent of a document as the edges the store
// will keep of it.
func runOfEvent(ev *critmin.Event, site string) ledgerRun {
	r := ledgerRun{key: ev.EventID, event: ev.EventID, at: ev.EventTime}
	if ev.TransformationID != "" {
		r.key = "xid:" + ev.TransformationID
	}
	var ins, outs []critmin.QuantityElement
	for _, q := range ev.LotLines() { // inputEPCList/outputEPCList too, as capture links them
		switch q.Role {
		case critmin.RoleInput:
			ins = append(ins, q)
		case critmin.RoleOutput:
			outs = append(outs, q)
			r.outputs = append(r.outputs, q.EPCClass)
		}
	}
	for _, in := range ins {
		for _, o := range outs {
			if in.EPCClass == o.EPCClass {
				continue
			}
			l := ledger.TransformationLink(in, o, ev.EventID)
			r.edges = append(r.edges, critmin.LotEdge{Parent: l.Parent, Child: l.Child, EventID: ev.EventID, Kind: l.Kind, ParentQty: l.ParentQty, ParentUOM: l.ParentUOM,
				ChildQty: l.ChildQty, ChildUOM: l.ChildUOM, EventTime: ev.EventTime, BizLocation: site, Run: ev.TransformationID})
		}
	}
	return r
}

// runMembersFinder is the part of a store that returns the stored inputs
// and outputs of runs (sqldb.DB.RunMembers).
type runMembersFinder interface {
	RunMembers(ctx context.Context, xids []string) (map[string][]critmin.QuantityElement, error)
}

// runLinesFinder is the part of a store that says when each lot entered
// or left its runs (sqldb.DB.RunLines).
type runLinesFinder interface {
	RunLines(ctx context.Context, xids []string) (map[string][]critmin.RunLine, error)
}

// documentRuns returns each TransformationEvent of a document as the
// edges the store will keep of it (sqldb writer.transformationLinks): its
// own inputs × outputs, and under a transformationID the run's earlier
// inputs — stored, or of an earlier event of the document — × its outputs,
// and its inputs × the run's earlier outputs. An event that joins a run
// with only inputs (or only outputs) so links to the run's outputs (or
// inputs) at capture exactly as in the stored projection; the runs are
// marked joined, their cross-links already made. Nil when the store
// cannot say what its runs hold (runOfEvent and joinEdges then stand in).
func documentRuns(ctx context.Context, s Store, live []*critmin.Event) (map[*critmin.Event]ledgerRun, error) {
	f, ok := s.(runMembersFinder)
	if !ok {
		return nil, nil
	}
	var xids []string
	seen := map[string]bool{}
	for _, ev := range live {
		if ev.Type == critmin.TransformationEvent && ev.TransformationID != "" && !seen[ev.TransformationID] {
			seen[ev.TransformationID] = true
			xids = append(xids, ev.TransformationID)
		}
	}
	members := map[string][]critmin.QuantityElement{}
	if len(xids) > 0 {
		var err error
		if members, err = f.RunMembers(ctx, xids); err != nil {
			return nil, err
		}
	}
	// When each lot entered or left each run (critmin.LinkTime): the
	// stored events', then the document's in its order.
	lines := map[string][]critmin.RunLine{}
	if lf, ok := s.(runLinesFinder); ok && len(xids) > 0 {
		var err error
		if lines, err = lf.RunLines(ctx, xids); err != nil {
			return nil, err
		}
	}
	out := map[*critmin.Event]ledgerRun{}
	for k, ev := range live {
		if ev.Type != critmin.TransformationEvent {
			continue
		}
		r := runOfEvent(ev, ev.BizLocation)
		r.joined = true
		if ev.TransformationID != "" {
			prior := members[ev.TransformationID]
			var own, priorIn, priorOut, in, outs []critmin.QuantityElement
			for _, q := range prior {
				switch q.Role {
				case critmin.RoleInput:
					priorIn = append(priorIn, q)
				case critmin.RoleOutput:
					priorOut = append(priorOut, q)
				}
			}
			for _, q := range ev.LotLines() {
				switch q.Role {
				case critmin.RoleInput:
					in = append(in, q)
				case critmin.RoleOutput:
					outs = append(outs, q)
				default:
					continue
				}
				own = append(own, q)
			}
			// The edges the store will keep (ledger.RunLinks), replacing
			// runOfEvent's own inputs × outputs.
			r.edges = nil
			pk := int64(math.MaxInt64/2 + k) // after every stored event, in the document's order
			for _, q := range own {
				lines[ev.TransformationID] = append(lines[ev.TransformationID], critmin.RunLine{PK: pk, EventID: ev.EventID, At: ev.EventTime, Role: q.Role, Lot: q.EPCClass})
			}
			for _, l := range ledger.RunLinks(priorIn, priorOut, in, outs, ev.EventID) {
				e := critmin.LotEdge{Parent: l.Parent, Child: l.Child, EventID: ev.EventID, Kind: l.Kind, ParentQty: l.ParentQty, ParentUOM: l.ParentUOM,
					ChildQty: l.ChildQty, ChildUOM: l.ChildUOM, EventTime: ev.EventTime, BizLocation: ev.BizLocation, Run: ev.TransformationID, Replay: l.Replay, Carried: l.Carried}
				e.EventTime = critmin.LinkTime(e, lines[ev.TransformationID], pk)
				r.edges = append(r.edges, e)
			}
			// The event counts from its first edge, as the store dates
			// it (ledgerRun.at, sqldb EdgesAt; firstEdge).
			r.settleFirst()
			members[ev.TransformationID] = append(prior, own...)
		}
		out[ev] = r
	}
	return out, nil
}

// reclaims refuses a document's claims on lots that carry a claim made by
// another live event, unless the document declares that event in error.
func reclaims(ctx context.Context, s Store, claimed []string, claimBy map[string]*critmin.Event, at map[*critmin.Event]int, declAt map[string]int) ([]critmin.FieldError, error) {
	f, ok := s.(claimEventFinder)
	if !ok || len(claimed) == 0 {
		return nil, nil
	}
	ces, err := f.ClaimEvents(ctx, claimed)
	if err != nil {
		return nil, err
	}
	var out []critmin.FieldError
	for _, lot := range claimed {
		ev := claimBy[lot]
		ce, ok := ces[lot]
		if !ok || ce.Event == ev.EventID {
			continue
		}
		// The earlier claim declared in error before the new one in the
		// document: the lot is free from the declaration on (nu32: a
		// claim placed before the declaration was taken).
		if d, ok := declAt[ce.Event]; ok && d < at[ev] {
			continue
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: claimPtr(ev), Reason: fmt.Sprintf("claim on lot %s refused: the lot already carries the claim made by event %s (%s); a claim once made is issued and is not replaced by a later one. To change it, declare event %s in error (errorDeclaration) and make the new claim with or after the declaration",
			lot, ce.Event, ce.At.UTC().Format(time.RFC3339), ce.Event)})
	}
	return out, nil
}

// secondClaimInDocument is the refusal of ev's claim on lot, which an
// earlier event of the same document (first) already claims. ISO 22095-2
// books each claim against the balance: a lot carries one claim, and a
// second one — in the same document or a later one (reclaims) — would
// replace the first and free its credits while the first stays recorded.
func secondClaimInDocument(lot string, first, ev *critmin.Event) string {
	return fmt.Sprintf("claim on lot %s refused: event %s earlier in this document already claims the lot; a lot carries one claim, and a claim once made is not replaced by a later one. Make one claim on the lot, or to change a stored claim declare its event in error (errorDeclaration) and make the new claim with the declaration",
		epcis.Canonical(lot), first.EventID)
}

// lotClosure checks ledger.Closure over the current assays of every lot an
// event of the document assays or re-measures (moisture converts its
// as-received assays): stored plus the document's, latest per analyte
// (ledger.EffectiveAssays). The error names the lot and the last event
// that changed it.
//
// The refusal names the document's first event after which the lot's
// assays no longer close (firstUnclosed), with the figures as they stood
// then: a file whose second row reports Nd2O3 99 % refuses that row, and
// its third and fourth rows (Pr6O11 1 %, CeO2 1 %) are judged without it
// (claimRounds) — naming the last event, with the 99 % in its figures,
// refused every row in turn (issue 15, fix15w3 item 4).
func lotClosure(live []*critmin.Event, lots map[string]*critmin.Lot, unclosed map[string]critmin.FieldError) []critmin.FieldError {
	changedBy := map[string]*critmin.Event{}
	var order []string
	for _, ev := range live {
		if ev.Mineral == nil || (len(ev.Mineral.Assays) == 0 && ev.Mineral.Moisture == nil) {
			continue
		}
		for _, q := range ev.Quantities {
			if q.Role == critmin.RoleInput {
				continue
			}
			if changedBy[q.EPCClass] == nil {
				order = append(order, q.EPCClass)
			}
			changedBy[q.EPCClass] = ev
		}
	}
	var out []critmin.FieldError
	for _, id := range order {
		l := lots[id]
		if l == nil {
			continue
		}
		as := ledger.EffectiveAssays(l)
		reason, _ := ledger.Closure(as, l.Moisture)
		if reason == "" {
			continue
		}
		if fe, ok := unclosed[id]; ok {
			out = append(out, fe)
			continue
		}
		out = append(out, closureError(changedBy[id], id, reason))
	}
	return out
}

// closureError is the refusal of ev, after which lot id's assays do not
// close (reason, ledger.Closure).
func closureError(ev *critmin.Event, id, reason string) critmin.FieldError {
	ptr := "event " + ev.EventID + "/ilmd/cm:assay"
	for _, r := range ev.Sensors {
		if r.Type == "MassConcentration" && r.Pointer != "" {
			ptr = "event " + ev.EventID + r.Pointer // a sensor report's assay
			break
		}
	}
	return critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf("lot %s with the assays it already has and this event's: %s", id, reason)}
}

// firstUnclosed records in unclosed, for each lot ev states assays or a
// moisture of, the refusal of ev when the lot's assays no longer close
// after it and no earlier event of the document was found so (lots holds
// the lots after ev).
func firstUnclosed(ev *critmin.Event, lots map[string]*critmin.Lot, unclosed map[string]critmin.FieldError) {
	if ev.Mineral == nil || (len(ev.Mineral.Assays) == 0 && ev.Mineral.Moisture == nil) {
		return
	}
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleInput {
			continue
		}
		l := lots[q.EPCClass]
		if _, seen := unclosed[q.EPCClass]; seen || l == nil {
			continue
		}
		if reason, _ := ledger.Closure(ledger.EffectiveAssays(l), l.Moisture); reason != "" {
			unclosed[q.EPCClass] = closureError(ev, q.EPCClass, reason)
		}
	}
}

// MaxClaimClockSkew is how far a claim's eventTime — and any event's
// (futureEvent) — may lie after the capture's record time:
// critmin.MaxClockSkew, the one allowance for clocks that differ (a
// declaration's declarationTime has it too, epcis).
const MaxClaimClockSkew = critmin.MaxClockSkew

// ClockSkewWords is MaxClaimClockSkew in words for messages ("5
// minutes"), never Go's "5m0s".
var ClockSkewWords = critmin.ClockSkewWords

// futureClaim refuses a claim dated after the capture records it (the
// event's recordTime, the capture clock ledger.Service.Now) by more than
// MaxClaimClockSkew: ISO 22095-2 books a claim in the period it is made,
// and a claim is made when it is stated, so a claim dated in the future
// would be booked in a period that has not begun. "" if it is not.
func futureClaim(lot string, ev *critmin.Event) string {
	rt := ev.RecordTime
	if rt.IsZero() {
		return "" // not decoded by a capture: no record time to compare
	}
	if !ev.EventTime.After(rt.Add(MaxClaimClockSkew)) {
		return ""
	}
	return fmt.Sprintf("claim on lot %s refused: the claim event %s is dated %s, after this capture records it (%s) by more than the allowed clock skew of %s: a claim is booked when it is made (ISO 22095-2); date it now or earlier",
		lot, ev.EventID, ev.EventTime.UTC().Format(time.RFC3339), rt.UTC().Format(time.RFC3339), ClockSkewWords)
}

// futureEvent refuses any event dated after the capture records it (its
// recordTime, the capture clock ledger.Service.Now) by more than
// MaxClaimClockSkew, the one allowance for clocks that differ: EPCIS 2.0
// §7.3.6 defines eventTime as when the event took place, so an event
// dated later has not yet happened. "" if it is not.
func futureEvent(ev *critmin.Event) string {
	rt := ev.RecordTime
	if rt.IsZero() || !ev.EventTime.After(rt.Add(MaxClaimClockSkew)) {
		return ""
	}
	return fmt.Sprintf("the event time %s is after this capture records it (%s) by more than the allowed clock skew of %s: an event is recorded after it happens; check the date, year and time zone",
		ev.EventTime.UTC().Format(time.RFC3339), rt.UTC().Format(time.RFC3339), ClockSkewWords)
}

// EarliestEventTime is the floor of an event's time: 2000-01-01T00:00Z.
// No record this platform keeps can predate the Electronic Product Code
// it is written in (the Auto-ID Center defined the EPC in 1999; EPCglobal
// published EPCIS 1.0 in 2007; GS1's oldest official examples are dated
// 2005), and the corridor's lots were mined decades later: an event dated
// earlier is a typing error — 1800-01-01, a two-digit year read as 0025.
var EarliestEventTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ancientEvent refuses an event dated before EarliestEventTime. "" if it
// is not.
func ancientEvent(ev *critmin.Event) string {
	if !ev.EventTime.Before(EarliestEventTime) {
		return ""
	}
	return fmt.Sprintf("the event time %s is before %s, the earliest this record accepts (no EPC-based record predates the EPC, 1999): check the date and year",
		ev.EventTime.UTC().Format(time.RFC3339), EarliestEventTime.Format("2006-01-02"))
}

// MaxRunMassGain is how many times its inputs' total mass a run's
// outputs may weigh: 2.2. A refinery run's products cannot weigh more
// than its feed except by the reagent mass they bind; the heaviest such
// product of rare-earth chemistry is an oxalate decahydrate precipitated
// from the oxide's rare earths — Nd₂(C₂O₄)₃·10H₂O, 732.6 g/mol, against
// Nd₂O₃, 336.5 g/mol: 732.6 / 336.5 = 2.18 — so 2.2 bounds every
// honest run and refuses a mistyped unit or an extra zero (50×, 10×).
const MaxRunMassGain = 2.2

// RunMassGain refuses a TransformationEvent whose outputs' total mass
// exceeds MaxRunMassGain × its inputs' total mass, naming both totals in
// tonnes. It judges only a run whose every input states a mass (an input
// without one is taken whole, its mass read from the record) and whose
// outputs state at least one. "" if the run is within it. The capture
// check applies it to every run (API, import, forms), and the Refine form
// shows it under Product lots before capture.
func RunMassGain(ev *critmin.Event) string {
	if ev.Type != critmin.TransformationEvent {
		return ""
	}
	var in, out float64
	outs := 0
	for _, q := range ev.Quantities {
		t, err := 0.0, error(nil)
		if q.Quantity != nil {
			t, err = units.ToTonnes(*q.Quantity, q.UOM)
		}
		switch {
		case q.Role == critmin.RoleInput && (q.Quantity == nil || err != nil):
			return ""
		case q.Role == critmin.RoleInput:
			in += t
		case q.Role == critmin.RoleOutput && q.Quantity != nil && err == nil:
			out += t
			outs++
		}
	}
	if outs == 0 || in <= 0 || out <= in*MaxRunMassGain*(1+1e-9) {
		return ""
	}
	return fmt.Sprintf("the run's outputs weigh %s t in total, %s× its inputs' %s t: a run's products cannot weigh more than its feed except by the reagent mass they bind, at most %s× (an oxalate decahydrate from its oxide); check the masses and units (KGM, TNE)",
		Tonnes(out), units.Sig(out/in, 3), Tonnes(in), units.Fixed(MaxRunMassGain, 1))
}

// runMassGains applies RunMassGain to every run of the document as a
// whole: an event with a transformationID is judged with the run's stored
// inputs and outputs (RunMembers) and the document's other events of the
// run, so outputs added by later outputs-only events count against what
// the run was fed. A run with no input recorded yet is not judged (its
// inputs may be recorded later). Each run is named once, at its last
// event in the document.
func runMassGains(ctx context.Context, s Store, live []*critmin.Event) ([]critmin.FieldError, error) {
	runs := map[string]*critmin.Event{}
	last := map[string]*critmin.Event{}
	var order []string
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent || ev.TransformationID == "" {
			continue
		}
		r := runs[ev.TransformationID]
		if r == nil {
			r = &critmin.Event{Type: critmin.TransformationEvent}
			runs[ev.TransformationID] = r
			order = append(order, ev.TransformationID)
		}
		r.Quantities = append(r.Quantities, ev.Quantities...)
		last[ev.TransformationID] = ev
	}
	if f, ok := s.(runMembersFinder); ok && len(order) > 0 {
		members, err := f.RunMembers(ctx, order)
		if err != nil {
			return nil, err
		}
		for xid, qs := range members {
			if r := runs[xid]; r != nil {
				r.Quantities = append(append([]critmin.QuantityElement(nil), qs...), r.Quantities...)
			}
		}
	}
	var gains []critmin.FieldError
	for _, ev := range live {
		if ev.Type == critmin.TransformationEvent && ev.TransformationID != "" {
			continue
		}
		if msg := RunMassGain(ev); msg != "" {
			gains = append(gains, critmin.FieldError{Pointer: "event " + ev.EventID + "/outputQuantityList", Reason: msg})
		}
	}
	for _, xid := range order {
		if msg := RunMassGain(runs[xid]); msg != "" {
			gains = append(gains, critmin.FieldError{Pointer: "event " + last[xid].EventID + "/outputQuantityList", Reason: msg})
		}
	}
	return gains, nil
}

// RunMassGains is the capture check's whole-run judgement of output mass
// (runMassGains) for events not yet stored: the Refine form's preview
// calls it with the event it would capture, so that a run's earlier
// outputs and inputs (RunMembers) count as they do at capture. Pointers
// read "event <eventID>/outputQuantityList".
func RunMassGains(ctx context.Context, s Store, events []*critmin.Event) ([]critmin.FieldError, error) {
	return runMassGains(ctx, s, events)
}

// canonicalLots is ev with every lot named in its canonical form
// (epcis.Canonical, docs/identity.md): the store keys lots and genealogy
// edges by it, so a claim naming a lot by its LGTIN URN finds the run that
// made it under its Digital Link, and the reverse. The event itself is
// not changed: it is stored as captured.
func canonicalLots(ev *critmin.Event) *critmin.Event {
	same := true
	for _, q := range ev.Quantities {
		if epcis.Canonical(q.EPCClass) != q.EPCClass {
			same = false
			break
		}
	}
	for _, e := range ev.EPCs {
		if epcis.Canonical(e.EPC) != e.EPC {
			same = false
			break
		}
	}
	if same {
		return ev
	}
	cp := *ev
	cp.Quantities = make([]critmin.QuantityElement, len(ev.Quantities))
	for i, q := range ev.Quantities {
		q.EPCClass = epcis.Canonical(q.EPCClass)
		cp.Quantities[i] = q
	}
	cp.EPCs = make([]critmin.EPCRef, len(ev.EPCs))
	for i, e := range ev.EPCs {
		e.EPC = epcis.Canonical(e.EPC)
		cp.EPCs[i] = e
	}
	return &cp
}

// recordTime is the capture's record time of a document's events (the
// capture clock, ledger.Service.Now); zero when they were not decoded by
// a capture.
func recordTime(live []*critmin.Event) time.Time {
	for _, ev := range live {
		if !ev.RecordTime.IsZero() {
			return ev.RecordTime
		}
	}
	return time.Time{}
}

// endedStatements refuses a document that would change the statement of a
// claim period that ended before its record time: base are the statements
// as stored, next with the document, period by period. ISO 22095-2 makes
// a period's statement final once the period has ended (claims made on it
// were issued to buyers); this extends the rule that refuses a claim
// back-dated into an ended period (endedPeriod) to whatever else would
// change it. The error names the period, its end, and the first line the
// document changes (a back-dated run: October's PAK credits 4.5 t → 9 t).
func endedStatements(site string, base, next []*Statement, rt time.Time, ptr string) []critmin.FieldError {
	if rt.IsZero() || len(base) != len(next) {
		return nil
	}
	for i := range base {
		p := base[i].Period
		if p.To == "" {
			continue
		}
		if _, to := periodSpan(p); to.After(rt) {
			continue
		}
		if what := statementChange(base[i], next[i]); what != "" {
			return []critmin.FieldError{{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("refused: the document would change the statement of site %s's claim period %s (%s to %s), which ended on %s, before this capture (recorded %s): %s An ended period's statement is final (ISO 22095-2); record the correction in an open period",
				site, p.ID, p.From, p.To, p.To, rt.UTC().Format(time.RFC3339), critmin.Sentence(what))}}
		}
	}
	return nil
}

// statementChange describes the first difference between two statements
// of one period, or "" when they agree (to 1e-9 t).
func statementChange(a, b *Statement) string {
	type key struct{ cat, country string }
	lines := func(st *Statement) (map[key]BalanceLine, []key) {
		m := map[key]BalanceLine{}
		var ks []key
		for _, c := range st.Categories {
			for _, l := range c.Lines {
				k := key{c.Category.ID, l.Country}
				m[k] = l
				ks = append(ks, k)
			}
		}
		return m, ks
	}
	am, aks := lines(a)
	bm, bks := lines(b)
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x)) }
	for _, k := range append(aks, bks...) {
		x, y := am[k], bm[k]
		for _, f := range []struct {
			name string
			x, y float64
		}{{"opening", x.Opening, y.Opening}, {"credits", x.Credits, y.Credits}, {"claims", x.Claims, y.Claims}, {"expired", x.Expired, y.Expired}, {"closing", x.Closing, y.Closing}, {"percent", x.Percent, y.Percent}} {
			if !near(f.x, f.y) {
				return fmt.Sprintf("category %s, %s %s would go from %s to %s", k.cat, k.country, f.name, fmtT(f.x), fmtT(f.y))
			}
		}
	}
	ents := func(st *Statement) []string {
		var out []string
		for _, c := range st.Categories {
			for _, e := range c.Entries {
				out = append(out, fmt.Sprintf("%s %s %s %.9g t (lot %s, event %s)", c.Category.ID, e.Kind, e.Country, e.Tonnes, e.Lot, e.Event))
			}
		}
		for _, r := range st.Refused {
			out = append(out, fmt.Sprintf("refused claim on lot %s (event %s)", r.Lot, r.Event))
		}
		sort.Strings(out)
		return out
	}
	ae, be := ents(a), ents(b)
	for i := 0; i < max(len(ae), len(be)); i++ {
		switch {
		case i >= len(ae):
			return "it would add " + be[i]
		case i >= len(be):
			return "it would remove " + ae[i]
		case ae[i] != be[i]:
			return fmt.Sprintf("%s would become %s", ae[i], be[i])
		}
	}
	return ""
}

// masterLocationTypes are the EPCIS vocabulary types that describe sites.
var masterLocationTypes = map[string]bool{"urn:epcglobal:epcis:vtype:BusinessLocation": true, "urn:epcglobal:epcis:vtype:ReadPoint": true}

// masterAttr is an attribute of master data by local name, whatever the
// prefix or namespace it is spelt with ("cm:custodyModel", the full IRI).
func masterAttr(attrs map[string]string, local string) (string, string) {
	for k, v := range attrs {
		i := strings.LastIndexAny(k, "#:/")
		if k[i+1:] == local {
			return v, k
		}
	}
	return "", ""
}

// modelChanges refuses master data that changes the custody model of a
// site (cm:custodyModel resent with another value, or without one: a
// resent element replaces its attributes) whose mass-balance account has
// an accepted claim or an ended claim period with entries. The account is
// judged under the site's model (a claim needs mass_balance, and physical
// origin follows the model): changing it would overturn a claim already
// issued to a buyer or rewrite a final statement (ISO 22095-2), like an
// event that would. The error names the claim or the period. A site
// without such an account may change its model; the change applies to
// every lot from then on, as master data does (docs/origin.md).
func modelChanges(ctx context.Context, s Store, master []critmin.MasterDataElement, details []*critmin.Site, rt time.Time) ([]critmin.FieldError, error) {
	if len(master) == 0 {
		return nil, nil
	}
	stored := map[string]*critmin.Site{}
	for _, st := range details {
		stored[siteKey(st.ID)] = st
	}
	var out []critmin.FieldError
	for _, m := range master {
		if !masterLocationTypes[m.Type] {
			continue
		}
		old := stored[siteKey(m.ID)]
		model, key := masterAttr(m.Attributes, "custodyModel")
		if old == nil || old.CustodyModel == model {
			continue
		}
		if key == "" {
			key = "cm:custodyModel"
		}
		vs, err := s.MassBalanceVersions(ctx, old.ID)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		mc, err := replayAll(ctx, s, vs, nil, nil, nil)
		if err != nil {
			return nil, err
		}
		shown := model
		if shown == "" {
			shown = "none (the attribute left out)"
		}
		ptr := fmt.Sprintf("/epcisHeader/epcisMasterData (element %s, attribute %s)", m.ID, key)
		why := ""
		for _, lot := range sortedKeys(mc.claims) {
			if cl := mc.claims[lot]; cl.Status == ClaimAccepted {
				why = fmt.Sprintf("the accepted claim on lot %s (event %s, category %s, period %s) was judged under %s", lot, cl.Event, cl.Category, cl.Period, old.CustodyModel)
				break
			}
		}
		if why == "" && !rt.IsZero() {
			for _, st := range mc.stmts {
				if _, to := periodSpan(st.Period); st.Period.To != "" && !to.After(rt) && statementHasEntries(st) {
					why = fmt.Sprintf("claim period %s (%s to %s) ended on %s and its statement is final", st.Period.ID, st.Period.From, st.Period.To, st.Period.To)
					break
				}
			}
		}
		if why == "" {
			continue
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("site %s: cm:custodyModel may not change from %s to %s: %s (ISO 22095-2: a claim issued and an ended period's statement are final). Declare the claim in error first, or keep the model",
			m.ID, old.CustodyModel, shown, why)})
	}
	return out, nil
}

// statementHasEntries says a statement records anything: a credit, claim
// or expiry, or a refused claim.
func statementHasEntries(st *Statement) bool {
	if len(st.Refused) > 0 {
		return true
	}
	for _, c := range st.Categories {
		if len(c.Entries) > 0 {
			return true
		}
	}
	return false
}

// checkLineUnits refuses a quantity line of ev in a unit the ledger cannot
// convert to tonnes (units.ToTonnes) when its lot, as it stood before ev
// (was), is held in mass: "1000 MT" on a lot of 30 TNE would replace its
// mass with a figure in no known unit. A common misspelling of a mass
// unit (MT, KG, LBS) is refused on any lot, with the Rec 20 code to
// write (UN/ECE Recommendation 20: the metric tonne is TNE).
func checkLineUnits(ev *critmin.Event, was map[string]critmin.Lot) []critmin.FieldError {
	var out []critmin.FieldError
	for i, q := range ev.Quantities {
		if q.Quantity == nil || q.UOM == "" || units.IsMass(q.UOM) {
			continue
		}
		w := was[q.EPCClass]
		if !units.IsMass(w.UOM) && !units.IsLookalike(q.UOM) {
			continue // a lot counted in another unit (pieces, bags)
		}
		held := ""
		if units.IsMass(w.UOM) {
			held = fmt.Sprintf(" (lot %s is held in %s)", q.EPCClass, w.UOM)
		}
		out = append(out, critmin.FieldError{Pointer: "event " + ev.EventID + "/" + quantityPtr(ev, i) + "/uom",
			Reason: units.MassUnitError(q.UOM) + held})
	}
	return out
}

// quantityPtr is the JSON pointer of ev's i-th quantity element: its list
// by role and its index in that list.
func quantityPtr(ev *critmin.Event, i int) string {
	role, n := ev.Quantities[i].Role, 0
	for _, q := range ev.Quantities[:i] {
		if q.Role == role {
			n++
		}
	}
	list := "quantityList"
	switch role {
	case critmin.RoleChild:
		list = "childQuantityList"
	case critmin.RoleInput:
		list = "inputQuantityList"
	case critmin.RoleOutput:
		list = "outputQuantityList"
	}
	return fmt.Sprintf("%s/%d", list, n)
}

// checkFedAtSite refuses an input of a run (a TransformationEvent) that
// takes more of a lot than is at the run's site, for a lot that parts
// have left (critmin.Lot.Parts, docs/identity.md "Parts moved"): at a
// site there is only what was received there (each received part's
// weight, else its shipped tonnes, less what runs there took of it) and,
// where the lot stands, what remains of it (Lot.RemainingWetTonnes). A
// lot of 30 t at Karachi that sent 10 t to Houston (received) and 10 t
// more (in transit) has 10 t at Houston: a run there consuming 30 t would
// take tonnes that are at sea or in Karachi. was holds the lots as they
// stood before ev; the tolerance is ConsumptionTolerance of the lot. An
// input named without a quantity (the whole lot) is refused unless all
// that is left of the lot — the rest, the parts at sea, what runs left of
// received parts — is at the run's site.
//
// A run refused as the lot stands now is judged again, and worded,
// with the lot as it stood at the run's date: then gives, by lot, the
// lot as it stood then when the run is dated before the lot's last
// recorded event (lotsThen; nil or missing: was). A run at khi dated
// Oct 5 read "the lot stands as 4 t at hou, 6 t in transit" — the 4 t
// received at hou on Oct 8 — where on Oct 5 all 10 t were in transit
// (new-user check n8d s11b).
func checkFedAtSite(ev *critmin.Event, was map[string]critmin.Lot, then map[string]*critmin.Lot, atSea map[string]string) []critmin.FieldError {
	if ev.Type != critmin.TransformationEvent || ev.BizLocation == "" {
		return nil
	}
	site := epcis.Canonical(ev.BizLocation)
	var out []critmin.FieldError
	for i, q := range inputsOf(ev) {
		w, ok := was[q.EPCClass]
		if l := then[q.EPCClass]; ok && l != nil {
			// A run dated before the lot's later events is judged
			// against the lot as it stood at its own eventTime
			// (lotsThen), as the standing check judges every
			// movement (standing.go), not as the record stands now:
			// what left the site or reached it since is not there
			// (fixQa).
			w = *l
		}
		if !ok || len(w.Parts) == 0 || !units.IsMass(w.UOM) {
			continue
		}
		var want float64
		if q.Quantity != nil {
			var err error
			if want, err = units.ToTonnes(*q.Quantity, q.UOM); err != nil {
				continue // refused by checkLineUnits
			}
		}
		// all is what is left of the lot anywhere: the rest where it
		// stands, the parts at sea, and what runs left of received parts.
		all := max(0, w.RemainingWetTonnes())
		var have float64
		var what []string
		if ledger.BodyStands(&w, site) {
			if r := w.RemainingWetTonnes(); r > 0 {
				have += r
				what = append(what, fmt.Sprintf("%s t remaining where the lot stands", Tonnes(r)))
			}
		}
		for _, p := range w.Parts {
			switch {
			case p.Status != critmin.PartReceived:
				all += p.Tonnes
			default:
				all += max(0, p.ReceivedMass()-p.TakenTonnes)
			}
		}
		for _, p := range w.Parts {
			if p.Status != critmin.PartReceived || epcis.Canonical(p.To) != site {
				continue
			}
			left := max(0, p.ReceivedMass()-p.TakenTonnes)
			have += left
			bol := p.BillOfLading
			if bol == "" {
				bol = "shipping event " + p.ShipEventID
			}
			what = append(what, fmt.Sprintf("%s t received under %s", Tonnes(left), bol))
		}
		tol := w.WetTonnes*ConsumptionTolerance + 1e-9
		if q.Quantity != nil && want <= have+tol || q.Quantity == nil && have+tol >= all {
			continue
		}
		there := "nothing of it is there"
		if len(what) > 0 {
			there = "only " + Tonnes(have) + " t of it is there (" + strings.Join(what, ", ") + ")"
		}
		desc := &w
		if l := then[q.EPCClass]; l != nil {
			desc = l
		}
		// A lot whose body is in transit has its rest at sea, not where
		// it left (its Location): counted in transit, as the lot API
		// lists it, with its bill and containers (atSea,
		// bodyAtSeaWords; new-user check n8e-6: "0 t in transit, 4 t
		// remaining at" the mine, for 4 t at sea in D2 under B1).
		moving := desc.InTransitTonnes()
		bodyAtSea := desc.Status == critmin.LotInTransit && desc.RemainingWetTonnes() > 1e-9
		if bodyAtSea {
			moving += desc.RemainingWetTonnes()
		}
		elsewhere := fmt.Sprintf("%s t in transit", Tonnes(moving))
		if words := atSea[q.EPCClass]; bodyAtSea && words != "" {
			if parts := desc.InTransitTonnes(); parts > 1e-9 {
				elsewhere += fmt.Sprintf(" (%s t %s; %s t as parts)", Tonnes(desc.RemainingWetTonnes()), words, Tonnes(parts))
			} else {
				elsewhere += " " + words
			}
		}
		if !bodyAtSea && epcis.Canonical(desc.Location) != site && desc.Location != "" {
			elsewhere += fmt.Sprintf(", %s t remaining at %s", Tonnes(desc.RemainingWetTonnes()), desc.Location)
		}
		if q.Quantity == nil {
			// Named without a quantity (all of it), a lot split across
			// sites would credit the run with tonnes that are elsewhere
			// (origin, element balance and mass-balance credits read the
			// whole lot): the run must state what it takes.
			out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/inputQuantityList/%d", ev.EventID, i),
				Reason: fmt.Sprintf("input lot %s is named without a quantity (all of it) but %s; %s: state the quantity this run consumes at %s", epcis.Canonical(q.EPCClass), there, elsewhere, ev.BizLocation)})
			continue
		}
		if len(what) == 0 && !(w.Status == critmin.LotInTransit && len(w.Parts) == 0) {
			// Nothing of it stands at the run's site: say where it
			// stands (ledger.StandsAt), not "0 t in transit, 0 t
			// remaining" (issue 15, fix15v: a lot that left whole as
			// parts, both received, read as in transit).
			out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/inputQuantityList/%d/quantity", ev.EventID, i),
				Reason: fmt.Sprintf("input lot %s: %s t consumed at %s but nothing of lot %s stands at %s; the lot stands as %s: a run consumes only what is at its site",
					epcis.Canonical(q.EPCClass), Tonnes(want), ev.BizLocation, epcis.Canonical(q.EPCClass), ev.BizLocation, standsText(desc))})
			continue
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/inputQuantityList/%d/quantity", ev.EventID, i),
			Reason: fmt.Sprintf("input lot %s: %s t consumed at %s but %s; %s: a run consumes only what is at its site", epcis.Canonical(q.EPCClass), Tonnes(want), ev.BizLocation, there, elsewhere)})
	}
	return out
}

// checkPartWeighing refuses a weighing of a part where it was received
// (critmin.LotPart.WeighedTonnes, set by ev) below what runs there
// already took of it, as checkReweighing refuses a lot weighed below
// what its runs consumed: the part cannot weigh less than was taken from
// it (ConsumptionTolerance).
func checkPartWeighing(ev *critmin.Event, was map[string]critmin.Lot, lots map[string]*critmin.Lot) []critmin.FieldError {
	var out []critmin.FieldError
	for id, w := range was {
		l := lots[id]
		if l == nil || len(w.Parts) == 0 {
			continue
		}
		for _, p := range l.Parts {
			if p.WeighEventID != ev.EventID || p.WeighedTonnes == nil {
				continue
			}
			if *p.WeighedTonnes < p.TakenTonnes*(1-ConsumptionTolerance)-1e-9 {
				out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID, Reason: fmt.Sprintf("weighing of lot %s refused: the part received at %s (shipped by %s) weighs %s t but runs there already took %s t of it (tolerance %s %%): a part cannot weigh less than what was taken from it",
					id, p.To, p.ShipEventID, Tonnes(*p.WeighedTonnes), Tonnes(p.TakenTonnes), units.Fixed(ConsumptionTolerance*100, 1))})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Reason < out[j].Reason })
	return out
}

// NewService returns the capture service every entry point of critmin
// uses (serve, the CLI, the benchmarks and the test servers): a
// ledger.Service over s whose ClaimCheck is CaptureClaimCheck(s), so that
// consumption, whereabouts and mass-balance claims are checked the same
// way whichever door a document comes through.
func NewService(s critmin.Store) *ledger.Service {
	svc := ledger.NewService(s)
	svc.ClaimCheck = CaptureClaimCheck(s)
	return svc
}

// lotsThen is, for each lot of was (the lots as the document's replay
// holds them just before ev) whose last recorded event is dated after
// ev, the lot as it stood at ev's date (LotAt: its live stored events
// dated at or before ev), for a refusal of ev to describe the lot at
// its date, not as the record stands after it (new-user check n8d
// s11b). nil when the store cannot replay a lot.
func lotsThen(ctx context.Context, s Store, ev *critmin.Event, was map[string]critmin.Lot) (map[string]*critmin.Lot, error) {
	f, ok := s.(LiveEventsFinder)
	if !ok {
		return nil, nil
	}
	out := map[string]*critmin.Lot{}
	for id, w := range was {
		if !ev.EventTime.Before(w.LastEventAt) {
			continue
		}
		l, err := LotAt(ctx, f, id, ev.EventTime)
		if err != nil {
			return nil, err
		}
		if l != nil {
			out[id] = l
		}
	}
	return out, nil
}
