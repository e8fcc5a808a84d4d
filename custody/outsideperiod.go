package custody

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
)

// OutsideCredit is qualifying input a run at a mass-balance site
// consumed in a span no declared claim period holds — before the site's
// first period, or between two — with the credits it would earn: ISO
// 22095 mass balance accounts every input to the site in a claim
// period, so such input is never silently dropped. It earns nothing in
// any period's balance (no declared period governs it, and an ended
// period is final: a declaration cannot open it afterwards,
// checkDeclaration); the statement of the next declared period lists it
// as "outside any declared claim period" with its tonnes, and a period
// declared over the span while it has not ended picks it up as that
// period's credits (docs/origin.md, "Credits outside any declared claim
// period"; fixKk).
type OutsideCredit struct {
	Category string `json:"category"`
	Country  string `json:"country"`
	Name     string `json:"name"`
	// Tonnes is the qualifying element the input contained × the
	// category's conversion factor in the month of the run (Factor): the
	// credit it would have earned in a declared period.
	Tonnes float64   `json:"tonnes"`
	Factor float64   `json:"conversionFactor"`
	Lot    string    `json:"lot"`
	Event  string    `json:"event"`
	Time   time.Time `json:"time"`
	// From and To are the undeclared span (From "" before the first
	// declared period; To exclusive, the start of the period whose
	// statement lists it).
	From string `json:"spanFrom,omitempty"`
	To   string `json:"spanTo"`
}

// outsideCredits are the OutsideCredits of the undeclared span just
// before periods[idx] (after the period before it ends, or before the
// first): each credit the site's runs there would earn, by category,
// origin, event and input lot. They are read on a calculation of their
// own, which no period's account shares: they change no balance.
func outsideCredits(ctx context.Context, s Store, vs []*critmin.MassBalanceDeclaration, conv ConversionSource, periods []critmin.ClaimPeriod, idx int) ([]OutsideCredit, error) {
	from, _ := periodSpan(periods[idx])
	var start time.Time
	span := critmin.ClaimPeriod{To: periods[idx].From}
	if idx > 0 {
		_, start = periodSpan(periods[idx-1])
		span.From = periods[idx-1].To
	}
	if idx > 0 && !start.Before(from) {
		return nil, nil
	}
	mc, err := newMB(ctx, s, vs, conv)
	if err != nil {
		return nil, err
	}
	mc.useVersion(versionFor(vs, periods[idx]))
	for _, a := range mc.acc {
		a.factor, a.source = a.cat.ConversionFactor, "declared"
	}
	runs, err := mc.runs(start, from)
	if err != nil {
		return nil, err
	}
	var out []OutsideCredit
	for _, r := range runs {
		rc, err := mc.credits(r, span)
		if err != nil {
			return nil, err
		}
		for _, id := range sortedKeys(rc) {
			c := rc[id]
			for k, t := range c.byC {
				if t <= 0 {
					continue
				}
				out = append(out, OutsideCredit{Category: id, Country: k[0], Name: country.Name(k[0]), Tonnes: t, Factor: c.factor,
					Event: k[1], Lot: k[2], Time: c.at[k[1]], From: span.From, To: span.To})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return fmt.Sprint(a.Category, a.Event, a.Lot, a.Country) < fmt.Sprint(b.Category, b.Event, b.Lot, b.Country)
	})
	return out, nil
}

// SpanText words the undeclared span an outside credit fell in.
func (o OutsideCredit) SpanText() string {
	if o.From == "" {
		return "before the first declared claim period (" + o.To + ")"
	}
	return "between declared claim periods, " + o.From + " to " + o.To
}
