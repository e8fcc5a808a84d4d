package commercial

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// MoistureBound is the plausible moisture range of a commodity's lots, in
// per cent of the wet weight, with its basis.
type MoistureBound struct {
	Min, Max decimal.Decimal
	Basis    string
}

// MoistureBounds are the plausible moistures by kind of commodity
// (docs/trade.md, "Plausible moisture"): "concentrate" for a commodity
// code containing concentrate, "ore" for one ending in _ore. Refined
// products (oxides, carbonates, metal) are not bounded. The ranges are
// wide plausibility limits, not contract terms: they catch a moisture
// written as a fraction (8 % as 0.08 or 0.8) or ten times over (80), not
// a wet season.
var MoistureBounds = map[string]MoistureBound{
	"concentrate": {decimal.NewFromInt(3), decimal.NewFromInt(20), "flotation concentrates are shipped damp, typically at 6–12 % moisture, below their transportable moisture limit (IMSBC Code, Group A; ISO 12742:2020 measures TMLs of 3–28 %, a copper concentrate's TML is about 9 %); below 3 % or above 20 % the figure is a slip (0.8 for 8, 80 for 8), not a shipment"},
	"ore":         {decimal.Zero, decimal.NewFromInt(20), "run-of-mine and hand-sorted lump ore carries a few per cent of water (the demo antimony ore 3 %); above 20 % the figure is a slip (80 for 8), not ore"},
}

// moistureBound is the plausible moisture range of a commodity; false when
// its lots are not bounded.
func moistureBound(commodity string) (MoistureBound, bool) {
	c := strings.ToLower(commodity)
	switch {
	case strings.Contains(c, "concentrate"):
		b := MoistureBounds["concentrate"]
		return b, true
	case strings.HasSuffix(c, "_ore") || c == "ore":
		b := MoistureBounds["ore"]
		return b, true
	}
	return MoistureBound{}, false
}

// plausibleMoisture refuses (a DryGainError with Check AcceptMoisture, so
// that a person may accept it) a loading or discharge moisture outside the
// contract commodity's MoistureBounds, naming the figure, its event and
// the bound. Each port's figure is judged on its own, so a slip made at
// both ends (0.8 at loading and at discharge, which agree with each other
// and pass the dry-loss comparison) is refused too; loading and discharge
// are compared with each other by dryGain.
func (c *calc) plausibleMoisture() error {
	type reading struct {
		where string
		w     Weighing
	}
	var rs []reading
	if !c.lot.Loading.NoMoisture && c.lot.Loading.WMT.IsPositive() {
		rs = append(rs, reading{"loading", c.lot.Loading})
	}
	d := c.lot.Discharge
	if c.opt.Kind == Final && d != nil && !d.NoMoisture && !d.MoistureFromLoading {
		if len(d.Parts) > 0 {
			for _, p := range d.Parts {
				if !p.NoMoisture {
					rs = append(rs, reading{"discharge (part received " + p.Date.Format("2006-01-02") + ")", p})
				}
			}
		} else {
			rs = append(rs, reading{"discharge", *d})
		}
	}
	if b, ok := moistureBound(c.ts.Commodity); ok {
		for _, r := range rs {
			if moistureEvent(r.w) == "" {
				// Figures given, not read from the ledger (an NSR of
				// given grades, a forecast feed): no event to correct.
				continue
			}
			m := r.w.MoisturePct
			if m.LessThan(b.Min) || m.GreaterThan(b.Max) {
				msg := fmt.Sprintf("lot %s: the %s moisture H2O %s %% (event %s) is outside the plausible %s–%s %% for %s (%s): moisture is in per cent of the wet weight — an H2O MassConcentration with uom P1 is per cent (8 %% is 8, not 0.08), cm:moisture a fraction (0.08). Correct the moisture event (retract it and capture the right figure) before settling or invoicing",
					c.lot.Lot, r.where, m, moistureEvent(r.w), b.Min, b.Max, c.ts.Commodity, b.Basis)
				return &DryGainError{Lot: c.lot.Lot, Check: AcceptMoisture, Err: fieldErrorf("lot/"+strings.Fields(r.where)[0]+"/moisture", "%s", msg+acceptHint(AcceptMoisture))}
			}
		}
	}
	return nil
}
