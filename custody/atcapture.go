package custody

import (
	"time"

	"github.com/critmin/critmin"
)

// A stored claim was judged at its capture against the account as it
// stood then (CaptureClaimCheck), and capture refuses a claim the
// balance cannot cover: a stored claim the account refuses now was
// accepted, and a later fact left it short. explainRetractions and
// explainLateFacts find such facts one kind at a time; when it took both
// — an assay declared in error and a corrective assay recorded since,
// say (fix9an, nu9i item 1) — neither alone explains it, and the claim
// would read refused and leave the account, freeing its credit for a
// later claim. coveredAtCapture replays the account as it stood when the
// claim was recorded — the facts recorded since left out, the events
// declared in error since put back — and reports whether that account
// covered it (ISO 22095-2: a claim out is booked when it is made; only
// its own event declared in error releases it).

// coveredAtCapture reports whether the account replayed as at the
// recording of lot's stored claim (facts recorded after it left out,
// events declared in error after it put back) accepts the claim; false
// when nothing was recorded or declared since (the claim stands as the
// account judged it).
func (mc *mbCalc) coveredAtCapture(periods []critmin.ClaimPeriod, upto int, lot string, memo map[time.Time][]lateFact) (bool, error) {
	cl := mc.claims[lot]
	rec := mc.recordedAt(cl.Event)
	if rec.IsZero() {
		return false, nil
	}
	facts, err := mc.factsAfter(rec, memo)
	if err != nil {
		return false, err
	}
	facts = mc.runsCapturedAfter(facts, cl.Event)
	rs, err := retractedRuns(mc.ctx, mc.s, mc.d.Site)
	if err != nil {
		return false, err
	}
	all, err := retractedRuns(mc.ctx, mc.s, "")
	if err != nil {
		return false, err
	}
	declaredSince := func(d *critmin.ErrorDeclaration) bool {
		if d == nil {
			return false
		}
		at := d.RecordTime
		if at.IsZero() {
			at = d.DeclarationTime
		}
		return at.After(rec)
	}
	atSite := map[string]bool{}
	var set putBackSet
	for _, r := range rs {
		atSite[r.ev.EventID] = true
		if declaredSince(r.decl) {
			set.site = append(set.site, r)
		}
	}
	read := mc.readLots(rs)
	for _, r := range upstreamRuns(all, atSite, read) {
		if declaredSince(r.decl) {
			set.ups = append(set.ups, r)
		}
	}
	ms, err := mc.retractedMeasurements(read)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if declaredSince(m.decl) {
			set.ms = append(set.ms, m)
		}
	}
	ps, err := mc.retractedPackings(read)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if declaredSince(p.decl) {
			set.ps = append(set.ps, p)
		}
	}
	if len(facts) == 0 || len(set.site)+len(set.ups)+len(set.ms)+len(set.ps) == 0 {
		return false, nil // one kind alone: explainRetractions or explainLateFacts read it
	}
	// The lots the late facts named are rebuilt without them (asIfLive
	// leaves mc.skip out), with the declared events put back.
	mc.skip = map[string]bool{}
	defer func() { mc.skip = nil }()
	for _, f := range facts {
		mc.skip[f.ev.EventID] = true
		set.ms = append(set.ms, retractedMeasurement{lots: f.lots})
	}
	alt, err := mc.replayPutBack(periods, upto, set)
	if err != nil || alt == nil {
		return false, err
	}
	a, ok := alt.claims[lot]
	return ok && a.Status == ClaimAccepted, nil
}
