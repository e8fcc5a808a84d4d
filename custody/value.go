package custody

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/units"
)

// ElementPrice is the price of one payable element, in USD per kg of
// contained element, derived from a published product price: a price per
// kg of oxide divided by the oxide's element fraction (facts.md §4), a
// price per lb converted at 0.45359237 kg/lb.
type ElementPrice struct {
	Element     string  `json:"element"`
	USDPerKg    float64 `json:"usdPerKg"`
	Product     string  `json:"product"`
	Formula     string  `json:"formula"`
	ProductUSD  float64 `json:"productPrice"`
	ProductUnit string  `json:"productUnit"`
	Date        string  `json:"date"`
	Source      string  `json:"source"`
}

//go:embed prices/elements.csv
var elementPricesCSV string

// ElementPrices are the prices used to weigh contained elements by value,
// from custody/prices/elements.csv (a copy of cited rows of
// shared/data/prices.csv). The elements priced are the payable ones.
var ElementPrices = mustPrices(elementPricesCSV)

const kgPerLb = 0.45359237

func mustPrices(text string) map[string]ElementPrice {
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		panic("custody: element prices: " + err.Error())
	}
	out := map[string]ElementPrice{}
	for _, r := range rows[1:] {
		p, err := strconv.ParseFloat(r[3], 64)
		if err != nil {
			panic("custody: element prices: " + err.Error())
		}
		perKg := p
		switch r[4] {
		case "USD/kg":
		case "USD/lb":
			perKg = p / kgPerLb
		case "USc/lb":
			perKg = p / 100 / kgPerLb
		default:
			panic("custody: element prices: unit " + r[4])
		}
		if o, ok := units.LookupOxide(r[2]); ok {
			perKg /= o.ToElement
		}
		out[r[0]] = ElementPrice{Element: r[0], USDPerKg: perKg, Product: r[1], Formula: r[2], ProductUSD: p, ProductUnit: r[4], Date: r[5], Source: r[6]}
	}
	return out
}

// Overall is a lot's physical origin by contained payable element.
// Basis "contained_value": each country's share of Σ over priced elements
// of tonnes × price × the country's share of that element; basis
// "contained_element" (no measured element is priced): the same with
// tonnes alone; basis "grade_not_measured": the lot has no assay of its
// own of the elements its feed carried (Composition.NotMeasured), so its
// contained value is not measured and no share is stated; basis "none":
// no element at all.
//
// A value-weighted origin covers only the priced elements. Covers lists
// them, and Unpriced the measured elements left out (La, Ce in a La/Ce
// carbonate with a little Nd), with UnpricedShare the fraction of the
// lot's measured contained element tonnes they hold: the headline then
// says which elements it covers and is not the lot's whole origin
// (Label, Headline; docs/origin.md, "Overall origin").
//
// An element the lot's own assay measures but whose origin shares rest
// on a feed grade never measured (Composition.SharesNotMeasured: Pr in
// oxide made from a feed assayed for Nd only) is measured metal of
// unknown origin: ByCountry leaves it out, and OriginNotMeasured states
// the part of the lot's contained value (or, with no element priced, of
// its contained element tonnes) it holds; ByCountry's shares are of the
// whole, that part included, so that they and the parts of unknown
// origin sum to 1 (issue 9, fixKk; fixqt).
type Overall struct {
	Basis         string         `json:"basis"`
	ValueUSD      float64        `json:"valueUSD,omitempty"`
	ByCountry     []OverallShare `json:"byCountry"`
	Prices        []ElementPrice `json:"prices,omitempty"`
	Covers        []string       `json:"covers,omitempty"`
	Unpriced      []string       `json:"unpriced,omitempty"`
	UnpricedShare float64        `json:"unpricedShare,omitempty"`
	// OriginNotMeasured is the measured contained metal whose origin
	// shares are unknown because a feed's assay of it is missing; nil
	// where there is none.
	OriginNotMeasured *NotMeasuredPart `json:"originNotMeasured,omitempty"`
	// OriginUnknown is the contained metal that came from no recorded
	// input (Breakdown.UnknownOrigin: a run's products held more of it
	// than its inputs put in, element_gain), as a part of the lot's
	// contained value or element tonnes like OriginNotMeasured. nil where
	// there is none (nu37a).
	OriginUnknown *NotMeasuredPart `json:"originUnknown,omitempty"`
	// SharesOfWhole says ByCountry's shares are of the lot's whole
	// contained value (or contained element tonnes): with
	// OriginUnknown.Share and OriginNotMeasured.Share they sum to 1
	// (fixqt, nuq7: "Pakistan 0.714" of a lot whose Nd is 12.5 % of
	// unknown origin read as 71 % Pakistani Nd; the truth is 0.625). Every
	// overall computed now sets it; a certificate issued before states
	// shares of the rest without it, and OfWhole scales those.
	SharesOfWhole bool `json:"sharesOfWhole,omitempty"`
}

// NotMeasuredPart is the part of a lot's contained metal whose origin is
// unknown because an assay is missing (Overall.OriginNotMeasured):
// Elements, their contained tonnes and value, and Share, their part of
// the lot's contained value (Basis contained_value: Σ tonnes × price of
// the priced elements, those of unknown origin included) or of its
// contained element tonnes (contained_element).
type NotMeasuredPart struct {
	Elements []string `json:"elements"`
	Tonnes   float64  `json:"tonnes"`
	ValueUSD float64  `json:"valueUSD,omitempty"`
	Share    float64  `json:"share"`
}

// withUnknownParts sets o.OriginNotMeasured from the breakdowns of the
// elements whose origin shares are not measured (unmeasured) and
// o.OriginUnknown from the tonnes of metal of no recorded input
// (unrecorded), each a share of the whole — the shares o states (stated)
// and both parts — priced as o weighs: by value where o is by contained
// value — an unpriced one is then left out, as o's unpriced elements are
// — else by tonnes.
func (o *Overall) withUnknownParts(stated, unmeasured, unrecorded map[string]Breakdown) {
	names := func(m map[string]Breakdown) []string {
		var out []string
		for e, b := range m {
			if b.Tonnes > 0 {
				out = append(out, e)
			}
		}
		sort.Strings(out)
		return out
	}
	nm, un := names(unmeasured), names(unrecorded)
	if len(nm)+len(un) == 0 {
		return
	}
	priced := o.Basis == "contained_value"
	if !priced && o.Basis != "contained_element" {
		// No element of known origin: is any of those of unknown origin
		// priced? Then they are weighed by value, as they would be.
		for _, e := range append(slices.Clone(nm), un...) {
			if _, ok := ElementPrices[e]; ok {
				priced = true
			}
		}
	}
	var known float64
	if priced {
		known = o.ValueUSD
	} else {
		for _, b := range stated {
			known += b.Tonnes
		}
	}
	partOf := func(names []string, m map[string]Breakdown) (*NotMeasuredPart, float64) {
		part := &NotMeasuredPart{}
		var w float64
		for _, e := range names {
			t := m[e].Tonnes
			if priced {
				p, ok := ElementPrices[e]
				if !ok {
					continue // unpriced: not in a value-weighted figure
				}
				part.ValueUSD += t * 1000 * p.USDPerKg
				w += t * 1000 * p.USDPerKg
			} else {
				w += t
			}
			part.Elements = append(part.Elements, e)
			part.Tonnes += t
		}
		if len(part.Elements) == 0 {
			return nil, 0
		}
		return part, w
	}
	pn, wn := partOf(nm, unmeasured)
	pu, wu := partOf(un, unrecorded)
	all := known + wn + wu
	if all <= 0 {
		return
	}
	if pn != nil {
		pn.Share = wn / all
		o.OriginNotMeasured = pn
	}
	if pu != nil {
		pu.Share = wu / all
		o.OriginUnknown = pu
	}
	// The countries' shares are of the whole, never of the known rest
	// alone (fixqt): a country's weight ÷ (known + both unknown parts).
	for i := range o.ByCountry {
		o.ByCountry[i].Share *= known / all
	}
}

// OverallShare is one country's part of the overall origin: its contained
// tonnes of the elements counted and their value.
type OverallShare struct {
	Key      string  `json:"key"`
	Name     string  `json:"name"`
	Tonnes   float64 `json:"tonnes"`
	ValueUSD float64 `json:"valueUSD,omitempty"`
	Share    float64 `json:"share"`
}

// overall weighs each measured element's country shares by contained
// value (tonnes × 1000 kg/t × USD/kg) where prices exist.
func overall(els map[string]Breakdown) Overall {
	o := Overall{Basis: "none", ByCountry: []OverallShare{}}
	var names []string
	for e := range els {
		names = append(names, e)
	}
	sort.Strings(names)
	priced := false
	for _, e := range names {
		if _, ok := ElementPrices[e]; ok && els[e].Tonnes > 0 {
			priced = true
		}
	}
	agg := map[string]*OverallShare{}
	var total, all, left float64
	for _, e := range names {
		b := els[e]
		all += b.Tonnes
		p, ok := ElementPrices[e]
		if priced && !ok {
			if b.Tonnes > 0 {
				o.Unpriced = append(o.Unpriced, e)
				left += b.Tonnes
			}
			continue
		}
		if b.Tonnes > 0 {
			o.Covers = append(o.Covers, e)
		}
		if priced {
			o.Prices = append(o.Prices, p)
		}
		for _, sh := range b.ByCountry {
			a := agg[sh.Key]
			if a == nil {
				a = &OverallShare{Key: sh.Key, Name: country.Name(sh.Key)}
				agg[sh.Key] = a
			}
			a.Tonnes += sh.Tonnes
			w := sh.Tonnes
			if priced {
				v := sh.Tonnes * 1000 * p.USDPerKg
				a.ValueUSD += v
				w = v
			}
			total += w
		}
	}
	if len(agg) == 0 {
		return o
	}
	o.Basis, o.SharesOfWhole = "contained_element", true
	if priced {
		o.Basis, o.ValueUSD = "contained_value", total
		if all > 0 {
			o.UnpricedShare = left / all
		}
	}
	for _, a := range agg {
		w := a.Tonnes
		if priced {
			w = a.ValueUSD
		}
		if total > 0 {
			a.Share = w / total
		}
		o.ByCountry = append(o.ByCountry, *a)
	}
	sort.Slice(o.ByCountry, func(i, j int) bool {
		if o.ByCountry[i].Share != o.ByCountry[j].Share {
			return o.ByCountry[i].Share > o.ByCountry[j].Share
		}
		return o.ByCountry[i].Key < o.ByCountry[j].Key
	})
	return o
}

// Keys OfWhole gives the parts of a lot's contained metal of unknown
// origin, before the countries.
const (
	KeyOriginUnknown     = "origin_unknown"
	KeyOriginNotMeasured = "origin_not_measured"
)

// OfWhole is the overall origin as shares of the lot's whole contained
// value (or contained element tonnes): the parts of unknown origin first
// — metal of no recorded input (OriginUnknown, "origin unknown") and
// metal whose feed's grade is not measured (OriginNotMeasured, "origin
// not measured") — then each country, its ByCountry share, already of
// the whole (SharesOfWhole; on a certificate issued before fixqt, a
// share of the rest, times what the rest is). The shares sum to 1. Every view that
// prints the overall origin in one line or table (the headline, the lot
// page, the certificate, the CLI) prints these, so a lot 9 % of whose
// metal is of unknown origin reads "origin unknown 9.0 %, Pakistan
// 91.0 %", never "Pakistan 100.0 %" first (issue 9 §5, nu38b-6).
func (o Overall) OfWhole() []OverallShare {
	var out []OverallShare
	rest := 1.0
	for _, p := range []struct {
		key, name string
		part      *NotMeasuredPart
	}{{KeyOriginUnknown, "origin unknown", o.OriginUnknown}, {KeyOriginNotMeasured, "origin not measured", o.OriginNotMeasured}} {
		if p.part == nil || p.part.Share <= 0 {
			continue
		}
		out = append(out, OverallShare{Key: p.key, Name: p.name, Tonnes: p.part.Tonnes, ValueUSD: p.part.ValueUSD, Share: p.part.Share})
		rest -= p.part.Share
	}
	rest = max(0, rest)
	for _, sh := range o.ByCountry {
		if !o.SharesOfWhole {
			// A certificate issued before fixqt: its shares are of
			// the rest.
			sh.Share *= rest
		}
		out = append(out, sh)
	}
	return out
}

// Label says in words what the overall origin weighs.
func (o Overall) Label() string {
	switch o.Basis {
	case "contained_value":
		if len(o.Unpriced) > 0 {
			return fmt.Sprintf("by contained value of priced elements only (%s, %s; %s unpriced, %s of the measured contained element tonnes, not counted: not the lot's whole origin)",
				strings.Join(o.Covers, ", "), USD(o.ValueUSD), strings.Join(o.Unpriced, ", "), Percent(o.UnpricedShare))
		}
		return fmt.Sprintf("by contained value of payable elements (%s)", USD(o.ValueUSD))
	case "contained_element":
		return "by contained element tonnes (no element priced)"
	case "grade_not_measured":
		return "contained value not measured (grade not measured)"
	}
	return "no element measured"
}
