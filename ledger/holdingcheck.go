package ledger

import (
	"errors"
	"fmt"
	"math"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// CheckHoldings re-derives the invariants of lot l's holdings from its
// body and parts alone, as plan.Check does of a plan's flows, and returns
// every violation found, joined (nil when it holds):
//
//   - no holding's mass is below zero: the body — the lot's wet tonnes
//     less what runs took of it and the parts sent away (WetTonnes −
//     TakenTonnes − PartsTonnes) — and each received part counted in the
//     lot (not rejoined, not shipped from nothing: FromRetracted) — its
//     mass less what was shipped on and what runs took of it there
//     (Mass − ShippedOnTonnes − TakenTonnes);
//   - what the views add up is the lot's mass: what stands (the body's
//     remainder, RemainingWetTonnes, and each counted received part's
//     LeftTonnes, as StandsAt reads them), plus what is in transit
//     (InTransitTonnes, and the body's remainder when the body itself is
//     in transit: AtSea), plus what runs took of the body and of the
//     parts, equals WetTonnes.
//
// Both within ConsumedTolerance of the lot's mass (0.5 %, what the
// capture check lets a movement take beyond what stood) plus 1e-9 t. A
// lot of no mass, in no mass unit, or consumed holds nothing to check.
// Lot NU-B1 (issue 15, fix15q), 30 t: the body 13 t at Loe Shilman, the
// NUB-1 part 12 t at sea again after its receipt was declared in error,
// the smelter's NUB-2 part 5 t at Karachi of which a 6 t shipment naming
// USSM took 6 t: the part stood at 5 − 6 = −1 t and the views read
// 13 + 0 + 12 + 6 = 31 t of a 30 t lot — both are violations.
//
// The store checks every lot it writes (sqldb saveLots, where a unit of
// capture settles) and refuses to write one that fails: a ledger defect
// then fails loudly, in tests and in use, instead of publishing a wrong
// figure.
func CheckHoldings(l *critmin.Lot) error {
	if l == nil || l.Status == critmin.LotConsumed || !units.IsMass(l.UOM) || l.WetTonnes <= 0 {
		return nil
	}
	tol := ConsumedTolerance*l.WetTonnes + 1e-9
	var errs []error
	if body := l.WetTonnes - l.TakenTonnes - l.PartsTonnes(); body < -tol {
		errs = append(errs, fmt.Errorf("lot %s: its body holds %s t (%s t less %s t taken by runs and %s t in parts)",
			l.ID, fig(body), fig(l.WetTonnes), fig(l.TakenTonnes), fig(l.PartsTonnes())))
	}
	sum := l.RemainingWetTonnes() + l.TakenTonnes + l.InTransitTonnes()
	for _, p := range l.Parts {
		if p.FromRetracted || p.Status == critmin.PartRejoined {
			continue
		}
		sum += p.TakenTonnes
		if p.Status != critmin.PartReceived {
			continue
		}
		sum += p.LeftTonnes()
		if left := p.Mass() - p.ShippedOnTonnes - p.TakenTonnes; left < -tol {
			errs = append(errs, fmt.Errorf("lot %s: the part shipped by %s holds %s t at %s (%s t less %s t shipped on and %s t taken by runs)",
				l.ID, p.ShipEventID, fig(left), p.To, fig(p.Mass()), fig(p.ShippedOnTonnes), fig(p.TakenTonnes)))
		}
	}
	if math.Abs(sum-l.WetTonnes) > tol {
		errs = append(errs, fmt.Errorf("lot %s: what stands, what is in transit and what runs took add up to %s t, not its %s t",
			l.ID, fig(sum), fig(l.WetTonnes)))
	}
	return errors.Join(errs...)
}

// fig is tonnes to the gram for CheckHoldings' messages.
func fig(t float64) string { return units.Fixed(t, 3) }
