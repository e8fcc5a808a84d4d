package ledger

import (
	"errors"
	"fmt"
	"math"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// LotBalance is a lot's wet tonnes by where they are, as the lot's views
// read them (StandsAt, AtSea), beside its mass (Lot.WetTonnes):
//
//		Mass = Standing + NoSite + InTransit + Consumed
//
//	  - Standing: Σ over the sites StandsAt lists of what stands there —
//	    the body where the lot stands (Lot.RemainingWetTonnes) and each
//	    received part what is left of it where it was received
//	    (LotPart.LeftTonnes);
//	  - NoSite: what stands at no known site (a body or a received part
//	    whose event named no place), which no view lists by site;
//	  - InTransit: AtSea — the parts no receipt has closed and the body
//	    when the body itself is in transit;
//	  - Consumed: what runs took — of the body (Lot.TakenTonnes, which
//	    holds what runs took of a part before it rejoined the body) and of
//	    each received part standing apart (LotPart.TakenTonnes).
//
// The model has no other sink: a loss or gain in transit changes the
// lot's mass itself (the receipt's outturn weight becomes the part's
// mass and the lot's total follows it, applyPart), and a part shipped
// from nothing (LotPart.FromRetracted) counts nowhere, in the mass
// neither. A part that rejoined the body counts in the body.
type LotBalance struct {
	Mass, Standing, NoSite, InTransit, Consumed float64
}

// Sum is Standing + NoSite + InTransit + Consumed.
func (b LotBalance) Sum() float64 { return b.Standing + b.NoSite + b.InTransit + b.Consumed }

// BalanceOf is lot l's LotBalance.
func BalanceOf(l *critmin.Lot) LotBalance {
	b := LotBalance{Mass: l.WetTonnes, InTransit: AtSea(l), Consumed: l.TakenTonnes}
	for _, s := range StandsAt(l) {
		b.Standing += s.WetTonnes
	}
	if l.Location == "" && l.Status != critmin.LotInTransit && !NoBody(l) {
		b.NoSite += l.RemainingWetTonnes()
	}
	for _, p := range l.Parts {
		if p.FromRetracted || p.Status == critmin.PartRejoined {
			continue
		}
		b.Consumed += p.TakenTonnes
		if p.Status == critmin.PartReceived && p.To == "" {
			b.NoSite += p.LeftTonnes()
		}
	}
	return b
}

// CheckLotBalance checks that lot l's tonnes are conserved, as plan.Check
// does a plan's flows, and returns every violation found, joined (nil
// when it holds). It is the one invariant every projection of a capture
// must keep, checked on every lot a capture touches (sqldb saveLots,
// which refuses the capture with ECONFLICT, 409, storing nothing) and on
// every stored lot by `critmin verify` (sqldb Verify, LotBalanceProblem):
//
//  1. the lot's tonnes add up: |Standing + NoSite + InTransit + Consumed
//     − Mass| ≤ tol (LotBalance);
//  2. no figure is below −tol: the mass; the body — WetTonnes −
//     TakenTonnes − PartsTonnes, before the views clamp it at zero; each
//     received part counted in the lot (not rejoined, not shipped from
//     nothing) — Mass − ShippedOnTonnes − TakenTonnes; each part in
//     transit; what runs took of the body and of each part;
//  3. what runs took never comes back: a part that rejoined the body
//     (PartRejoined) passes what runs took of it to the body, so the
//     body's TakenTonnes is at least the sum of the rejoined parts'
//     TakenTonnes (issue 8, n8b item 1: lot 10 t, C1's 6 t received and
//     fed whole to a run, C2's 4 t then received: the part rejoined with
//     its 6 t and the lot read 10 t standing beside 6 t consumed).
//
// tol is ConsumedTolerance of the lot's mass (0.5 %, what the capture
// check lets a movement take beyond what stood, and what NoBody lets a
// body's residue be) plus 1e-9 t. A lot of no mass, in no mass unit, or
// consumed holds nothing to check. Lot NU-B1 (issue 15, fix15q), 30 t:
// the body 13 t at Loe Shilman, the NUB-1 part 12 t at sea again after
// its receipt was declared in error, the smelter's NUB-2 part 5 t at
// Karachi of which a 6 t shipment naming USSM took 6 t: the part stood
// at 5 − 6 = −1 t and the views read 13 + 0 + 12 + 6 = 31 t of a 30 t
// lot — both are violations.
func CheckLotBalance(l *critmin.Lot) error {
	if l == nil {
		return nil
	}
	// Rule 0: every figure is a finite number. NaN fails every < and >
	// test below, so a lot whose stored mass was edited to NaN would
	// otherwise pass every rule (a consumed lot too: its figures are
	// still what the views print).
	if err := finiteFigures(l); err != nil {
		return err
	}
	if l.Status == critmin.LotConsumed || !units.IsMass(l.UOM) || l.WetTonnes <= 0 {
		return nil
	}
	tol := ConsumedTolerance*l.WetTonnes + 1e-9
	var errs []error
	// Shortfalls are worded as what is overdrawn, never as a negative
	// holding (n8c s17 b: "the part shipped by  holds -6.000 t").
	if body := l.WetTonnes - l.TakenTonnes - l.PartsTonnes(); body < -tol {
		errs = append(errs, fmt.Errorf("lot %s: its body is overdrawn by %s t (%s t less %s t taken by runs and %s t in parts)",
			l.ID, fig(-body), fig(l.WetTonnes), fig(l.TakenTonnes), fig(l.PartsTonnes())))
	}
	if l.TakenTonnes < -tol {
		errs = append(errs, fmt.Errorf("lot %s: runs took %s t of its body", l.ID, fig(l.TakenTonnes)))
	}
	rejoinedTaken := 0.0
	for _, p := range l.Parts {
		if p.FromRetracted {
			continue
		}
		if p.TakenTonnes < -tol {
			errs = append(errs, fmt.Errorf("lot %s: runs gave back %s t to %s", l.ID, fig(-p.TakenTonnes), PartWords(p)))
		}
		switch p.Status {
		case critmin.PartRejoined:
			rejoinedTaken += p.TakenTonnes
		case critmin.PartInTransit:
			if p.Tonnes < -tol {
				errs = append(errs, fmt.Errorf("lot %s: %s is in transit with less than nothing (%s t)", l.ID, PartWords(p), fig(p.Tonnes)))
			}
		case critmin.PartReceived:
			if left := p.Mass() - p.ShippedOnTonnes - p.TakenTonnes; left < -tol {
				errs = append(errs, fmt.Errorf("lot %s: %s is overdrawn by %s t at %s (%s t less %s t shipped on and %s t taken by runs)",
					l.ID, PartWords(p), fig(-left), p.To, fig(p.Mass()), fig(p.ShippedOnTonnes), fig(p.TakenTonnes)))
			}
		}
	}
	if rejoinedTaken > l.TakenTonnes+tol {
		errs = append(errs, fmt.Errorf("lot %s: runs took %s t of parts that rejoined its body, but its body counts %s t taken by runs: what runs consumed would stand again",
			l.ID, fig(rejoinedTaken), fig(l.TakenTonnes)))
	}
	if b := BalanceOf(l); math.Abs(b.Sum()-b.Mass) > tol {
		errs = append(errs, fmt.Errorf("lot %s: %s t standing at its sites + %s t at no known site + %s t in transit + %s t consumed by runs = %s t, not its mass of %s t",
			l.ID, fig(b.Standing), fig(b.NoSite), fig(b.InTransit), fig(b.Consumed), fig(b.Sum()), fig(b.Mass)))
	}
	return errors.Join(errs...)
}

// finiteFigures names the first of lot l's tonnes figures that is NaN or
// infinite (CheckLotBalance's rule 0), nil when all are finite.
func finiteFigures(l *critmin.Lot) error {
	type figure struct {
		name string
		v    float64
	}
	figs := []figure{{"quantity", l.Quantity}, {"wet mass", l.WetTonnes}, {"dry mass", l.DryTonnes}, {"tonnes taken by runs", l.TakenTonnes}}
	for _, p := range l.Parts {
		w := PartWords(p)
		figs = append(figs, figure{w + "'s tonnes", p.Tonnes}, figure{w + "'s received tonnes", p.ReceivedTonnes},
			figure{w + "'s tonnes taken by runs", p.TakenTonnes}, figure{w + "'s tonnes shipped on", p.ShippedOnTonnes})
	}
	for _, f := range figs {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("lot %s: its %s is %v, not a finite number", l.ID, f.name, f.v)
		}
	}
	return nil
}
