package ledger

import (
	"fmt"
	"math"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// Lot totals (issue 8 §5, nu34-8). Every mass an event states is within
// MaxTonnes (units.MaxMassKg), but some of a lot's figures sum several of
// them: the outputs of a run's events (addsToOutput), a weighing of what
// stands plus what runs took and what was shipped away (setQuantity), a
// receipt's outturn and a part's weighing (parts.go), and what runs took
// of it (takeInput). Each of those sums is a lot figure, held to the
// same limit: capture refuses an event that takes one of them past it
// (sqldb's saveLots, naming the line and the total). The lot's dry mass,
// contained metal and the mass-balance credits its runs earn are at most
// its total, so they are bounded with it.

// LotTotal is one of a lot's summed figures over MaxTonnes.
type LotTotal struct {
	// Taken is true for what runs took of the lot (Lot.TakenTonnes),
	// false for the lot's total mass (Lot.WetTonnes).
	Taken  bool
	Tonnes float64
}

// LotTotalsOver lists the summed figures of lot l over MaxTonnes: its
// total wet mass and what runs took of it. A lot in a unit that is not
// a mass sums nothing (its quantity is set, never added to). A figure is
// judged to the gram (units.MinMovedKg, the resolution of a movement):
// lines in several units that sum to the limit exactly (500,000,000 TNE
// and 500,000,000,000 KGM) are not refused for a conversion's rounding.
func LotTotalsOver(l *critmin.Lot) []LotTotal {
	var out []LotTotal
	if l == nil {
		return nil
	}
	if overTonnes(l.WetTonnes) {
		out = append(out, LotTotal{Tonnes: l.WetTonnes})
	}
	if overTonnes(l.TakenTonnes) {
		out = append(out, LotTotal{Taken: true, Tonnes: l.TakenTonnes})
	}
	return out
}

// overTonnes says whether t, rounded to the gram, is over MaxTonnes
// (10^15 g, an integer a float64 holds exactly).
func overTonnes(t float64) bool {
	return math.Round(t*1e6) > MaxTonnes*1e6
}

// Of is the figure of lot l the total reads (Lot.WetTonnes or
// Lot.TakenTonnes).
func (lt LotTotal) Of(l *critmin.Lot) float64 {
	if l == nil {
		return 0
	}
	if lt.Taken {
		return l.TakenTonnes
	}
	return l.WetTonnes
}

// Reason words the refusal of the events that took lot's figure past the
// limit: the figure in kilograms to the gram (gramsAsKg), grouped, as units.MassOverLimit names a
// single quantity; events are the eventIDs of the capture that added to
// it (the first few named); recorded says whether the record's events
// make part of the sum.
func (lt LotTotal) Reason(lot string, events []string, recorded bool) string {
	kg := gramsAsKg(lt.Tonnes)
	limit := units.Int(int64(units.MaxMassKg)) + " kg (" + units.Int(int64(MaxTonnes)) + " t)"
	what := fmt.Sprintf("lot %s would total %s kg", lot, kg)
	if lt.Taken {
		what = fmt.Sprintf("runs would have taken %s kg of lot %s in all", kg, lot)
	}
	by := nameEvents(events)
	if recorded {
		by += " and the lot's recorded events"
	}
	return fmt.Sprintf("%s (%s summed), over the mass limit of %s for a lot: each quantity is within the limit, but not their sum (docs/identity.md, \"Limits\"); split the material into several lots",
		what, by, limit)
}

// gramsAsKg is t tonnes in kilograms to the gram, the resolution a total
// is judged to (overTonnes), grouped, its decimals without trailing
// zeros: 10^9 t + 2 g → "1,000,000,000,000.002", 1.2e9 t →
// "1,200,000,000,000". Rounded to the kilogram, a total 2 g over the
// limit read as the limit itself (fixSs). The grams are an integer
// (at most about 10^15 here), so the digits are exact.
func gramsAsKg(t float64) string {
	g := int64(math.Round(t * 1e6))
	kg := units.Int(g / 1000)
	if frac := g % 1000; frac != 0 {
		if frac < 0 {
			frac = -frac
		}
		kg += "." + strings.TrimRight(fmt.Sprintf("%03d", frac), "0")
	}
	return kg
}

// nameEvents is "event A" or "events A, B and C" (the first three, then
// "and n more").
func nameEvents(ids []string) string {
	const shown = 3
	if len(ids) == 1 {
		return "event " + ids[0]
	}
	list := ids
	more := 0
	if len(list) > shown {
		list, more = ids[:shown], len(ids)-shown
	}
	s := "events " + strings.Join(list[:len(list)-1], ", ")
	if more > 0 {
		return s + ", " + list[len(list)-1] + " and " + units.Int(more) + " more"
	}
	return s + " and " + list[len(list)-1]
}

// TotalPointer is the part of ev (relative to it, "/outputQuantityList/0/quantity")
// that adds to lot's total (taken false) or to what runs took of it: the
// lot's line of the event, with its quantity; a Mass sensor report when
// the line states none; else the line.
func TotalPointer(ev *critmin.Event, lot string, taken bool, canon func(string) string) string {
	n := map[string]int{}
	var first string
	for _, q := range ev.Quantities {
		list := quantityListName(q.Role)
		i := n[list]
		n[list]++
		if canon(q.EPCClass) != lot || (q.Role == critmin.RoleInput) != taken || q.Role == critmin.RoleChild {
			continue
		}
		p := fmt.Sprintf("/%s/%d", list, i)
		if q.Quantity != nil {
			return p + "/quantity"
		}
		if first == "" {
			first = p
		}
	}
	if !taken {
		for _, r := range ev.Sensors {
			if r.Type == "Mass" && r.Pointer != "" {
				return r.Pointer + "/value"
			}
		}
	}
	return first
}
