package custody

import (
	"github.com/critmin/critmin"
)

// rollingShort9u records, for a claim booked in full at a rolling-average
// site (accepted at capture, its window since changed by a later fact),
// what it claims of each origin above that origin's share of the window
// at the claim (Claim.windowShort) and what the share allows
// (windowAvail): claimed q × share, allowed q × window share, shortfall
// the difference (the figures claim words in its error). The balance may
// still cover such a claim — it then leaves no deficit — yet it is not
// covered, and the statement lists it so (settleShares, fix9u), as a
// claim left short of the balance is at a credit-method site.
func (mc *mbCalc) rollingShort9u(cl *Claim) {
	if cl == nil || !cl.booked || mc.cur.Method != critmin.MassBalanceRollingAverage {
		return
	}
	a := mc.acc[cl.Category]
	if a == nil {
		return
	}
	pct := a.percentages(mc.cur.CarryForward)
	for _, sh := range cl.ByCountry {
		if sh.Share <= pct[sh.Key]+1e-9 {
			continue
		}
		avail := cl.Tonnes * pct[sh.Key]
		if sh.Tonnes-avail <= claimTolerance {
			continue
		}
		if cl.windowShort == nil {
			cl.windowShort, cl.windowAvail = map[string]float64{}, map[string]float64{}
		}
		cl.windowShort[sh.Key] = sh.Tonnes - avail
		cl.windowAvail[sh.Key] = avail
	}
	if cl.windowShort != nil {
		a.windowClaims = append(a.windowClaims, cl)
	}
}

// windowRows9u are the statement's not-covered rows of the period's
// claims booked above their origin's share of the rolling window (fix9u):
// one per claim and short origin, ShortOf ShortOfWindowShare, claimed −
// available = shortfall.
func (mc *mbCalc) windowRows9u() []RefusedClaim {
	var out []RefusedClaim
	for _, id := range sortedKeys(mc.acc) {
		for _, cl := range mc.acc[id].windowClaims {
			for _, sh := range cl.ByCountry {
				w, ok := cl.windowShort[sh.Key]
				if !ok {
					continue
				}
				out = append(out, RefusedClaim{Lot: cl.bookedLot, Event: cl.Event, Category: id, Country: sh.Key, Claimed: sh.Tonnes, Available: cl.windowAvail[sh.Key], Shortfall: w,
					Error: cl.Error, RetractedBy: cl.RetractedBy, AssayedBy: cl.AssayedBy, WeighedBy: cl.WeighedBy, RunChangedBy: cl.RunChangedBy, Booked: true, ShortOf: ShortOfWindowShare})
			}
		}
	}
	return out
}
