package commercial

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Assay-exchange parties.
const (
	Seller = "seller"
	Buyer  = "buyer"
	Umpire = "umpire"
)

// AssayResult is one party's result for one analyte of one sublot, as
// captured in the ledger (EventID names the event that carries it).
type AssayResult struct {
	Sublot  string          `json:"sublot,omitempty"`
	Party   string          `json:"party"`
	Analyte string          `json:"analyte"`
	Value   decimal.Decimal `json:"value"`
	Unit    string          `json:"unit"`
	Lab     string          `json:"lab,omitempty"`
	EventID string          `json:"eventID,omitempty"`
	// at is the stating event's time (one party states one fact — its
	// results for a lot or sublot at a time — once: SubmitAssays).
	at time.Time
}

// Sublot is a part of a lot with its own sample, weighed separately.
type Sublot struct {
	ID  string          `json:"id"`
	DMT decimal.Decimal `json:"dmt"`
	// Reports are the dry weights each submission stated for the sublot
	// (cm:sublotDMT), by party; SettleAssays refuses a sublot whose
	// reports disagree.
	Reports []SublotWeight `json:"reports,omitempty"`
}

// SublotWeight is one party's statement of a sublot's dry weight, from the
// event that carried it.
type SublotWeight struct {
	Party   string          `json:"party"`
	DMT     decimal.Decimal `json:"dmt"`
	EventID string          `json:"event"`
}

// Grade is an analyte's grade used by a settlement, with where it came
// from.
type Grade struct {
	Value   decimal.Decimal `json:"value"`
	Unit    string          `json:"unit"`
	Formula string          `json:"formula"`
	Events  []string        `json:"events,omitempty"`
	// Exchanged marks a grade the contract's assay exchange settled
	// (BestKnownGrades): the contractual assay of the analyte, which a
	// basket's shares read as they are, as the final invoice does —
	// never replaced by an earlier sample (oneSample).
	Exchanged bool `json:"-"`
	// exchange marks a grade BestKnownGrades took from the assay
	// exchange, settled or not yet (partialExchange): the grade the
	// planner's supply takes in place of the ledger's newest assay
	// (regradeSupplies).
	exchange bool
	// at is when the grade was measured (its event's time): the newest
	// of a ledger assay and an exchange result stands when the contract
	// has no exchange terms (newestGrades).
	at time.Time
}

// SettledAssay is the outcome of the exchange for one analyte of one
// sublot.
type SettledAssay struct {
	Sublot  string           `json:"sublot,omitempty"`
	Analyte string           `json:"analyte"`
	Seller  decimal.Decimal  `json:"seller"`
	Buyer   decimal.Decimal  `json:"buyer"`
	Umpire  *decimal.Decimal `json:"umpire,omitempty"`
	Limit   decimal.Decimal  `json:"limit"`
	Settled decimal.Decimal  `json:"settled"`
	Unit    string           `json:"unit"`
	Formula string           `json:"formula"`
	Events  []string         `json:"events"`
}

// SettleAssays applies the exchange terms to the results of each analyte
// in analytes, sublot by sublot, and averages the settled grades across
// sublots weighted by their dry tonnes. With no sublots the lot is one
// sample. Errors name the sublot, analyte and the party whose result is
// missing: no final settlement is made on an incomplete exchange.
//
// Rules. The exchange itself follows published concentrate sales
// agreements ("Method for Determining Final Analysis" clauses of copper
// concentrate agreements filed with the US SEC, collected at
// https://www.lawinsider.com/clause/method-for-determining-final-analysis)
// and Datamine MineMarket's description of assay rules
// (https://docs.dataminesoftware.com/MineMarket/Latest/F-Sales-and-Marketing/03-Sales-Purchase-Contract-Terms/Assay-Rules.htm):
// seller and buyer exchange results; if they differ by no more than the
// splitting limit the settled grade is their mean, final and binding;
// otherwise a sample goes to the umpire. What the umpire's result decides
// is the contract's choice: umpire_final — the umpire's result;
// umpire_closer_mean — the mean of the umpire's result and the party
// result closer to it (the umpire's result when it lies exactly between
// them, said so in the formula). When the umpire's result lies outside both parties' results,
// umpire_closer_mean takes the closer party's result, so that the settled
// grade never exceeds what either party claimed. That last rule is
// critmin's reading, not a quotation: no source critmin could consult
// states it (docs/trade.md, "Assay exchange: sources"); a contract whose
// text differs is settled with umpire_final and the settled grade agreed
// outside critmin. Rule split always takes the mean.
func SettleAssays(x *AssayExchangeTerms, results []AssayResult, sublots []Sublot, analytes []string) (map[string]Grade, []SettledAssay, error) {
	if x == nil {
		return nil, nil, fieldErrorf("/assay_exchange", "the contract has no assay-exchange terms")
	}
	places := int32(4)
	if x.Decimals != nil {
		places = *x.Decimals
	}
	if len(sublots) == 0 {
		ids := map[string]bool{}
		for _, r := range results {
			ids[r.Sublot] = true
		}
		if len(ids) > 1 {
			return nil, nil, fieldErrorf("sublots", "results name %s but no sublot weights were given", Count(len(ids), "sublot"))
		}
		sublots = []Sublot{{ID: firstKey(ids), DMT: one}}
	}
	type key struct{ sublot, analyte, party string }
	got := map[key]AssayResult{}
	for _, r := range results {
		if r.Party != Seller && r.Party != Buyer && r.Party != Umpire {
			return nil, nil, fieldErrorf("party", "%q is not seller, buyer or umpire", r.Party)
		}
		k := key{r.Sublot, r.Analyte, r.Party}
		if prev, ok := got[k]; ok && !prev.Value.Equal(r.Value) {
			return nil, nil, fieldErrorf("assay_exchange/"+r.Analyte, "the %s gave two results for %s: %s (event %s) and %s (event %s); a later submission supersedes an earlier one only once the earlier is declared in error: retract event %s (errorDeclaration, EPCIS 2.0 §7.4.1.2) to correct it", r.Party, sublotLabel(r.Sublot), prev.Value, prev.EventID, r.Value, r.EventID, prev.EventID)
		}
		got[k] = r
	}
	// A lot is exchanged either as a whole or by sublots, not both: with
	// sublots, a whole-lot result would be dropped silently (an agreed
	// whole-lot exchange replaced by a later sublot one). critmin refuses
	// the mix naming one event of each; the one in error is retracted.
	var whole, part *AssayResult
	for i := range results {
		if results[i].Sublot == "" && whole == nil {
			whole = &results[i]
		} else if results[i].Sublot != "" && part == nil {
			part = &results[i]
		}
	}
	if whole != nil && part != nil {
		other := fmt.Sprintf("the %s's result for sublot %q (event %s)", part.Party, part.Sublot, part.EventID)
		return nil, nil, fieldErrorf("assay_exchange", "the lot has a whole-lot exchange — the %s's %s result (event %s) — and a sublot exchange — %s: a lot is exchanged as a whole or by sublots, not both; declare the events of the wrong one in error (errorDeclaration) to correct it", whole.Party, whole.Analyte, whole.EventID, other)
	}
	limits := map[string]SplitLimit{}
	for _, l := range x.Limits {
		limits[l.Analyte] = l
	}
	out := map[string]Grade{}
	var settled []SettledAssay
	totalDMT := zero
	for _, s := range sublots {
		totalDMT = totalDMT.Add(s.DMT)
	}
	if !totalDMT.IsPositive() {
		return nil, nil, fieldErrorf("sublots", "sublots weigh nothing")
	}
	if err := CheckSublotWeights(sublots); err != nil {
		return nil, nil, err
	}
	for _, a := range analytes {
		sum := zero
		var unit string
		var events []string
		var terms []string
		for _, s := range sublots {
			at := fmt.Sprintf("assay_exchange/%s/%s", sublotName(s.ID), a)
			sr, okS := got[key{s.ID, a, Seller}]
			br, okB := got[key{s.ID, a, Buyer}]
			if !okS || !okB {
				missing := Seller
				if okS {
					missing = Buyer
				}
				return nil, nil, fieldErrorf(at, "the %s's result is missing; both parties' results are needed", missing)
			}
			if gradeScale(sr.Unit) != gradeScale(br.Unit) {
				return nil, nil, fieldErrorf(at, "seller reports %s, buyer %s: results must share a unit", sr.Unit, br.Unit)
			}
			// Each party's result is judged against the other's before
			// any settled grade is made of them (fix13v): a factor of
			// about 100 between them is a unit slip, and their mean (Cu
			// 0.246 % and 24.3 % settled at 12.273 %) a figure neither
			// party meant.
			if slip := resultSlip(&sr, &br); slip != "" {
				return nil, nil, fieldErrorf(at, "%s", slip)
			}
			lim, ok := limits[a]
			if !ok && x.Rule != "split" {
				return nil, nil, fieldErrorf("/assay_exchange/limits", "no splitting limit for %s", a)
			}
			if ok && gradeScale(lim.Unit) != gradeScale(sr.Unit) {
				return nil, nil, fieldErrorf(at, "results are in %s, the splitting limit in %s", sr.Unit, lim.Unit)
			}
			sa := SettledAssay{Sublot: s.ID, Analyte: a, Seller: sr.Value, Buyer: br.Value, Limit: lim.Limit, Unit: sr.Unit, Events: nonEmpty(sr.EventID, br.EventID)}
			diff := sr.Value.Sub(br.Value).Abs()
			mean := sr.Value.Add(br.Value).Div(decimal.NewFromInt(2))
			switch {
			case x.Rule == "split" || diff.LessThanOrEqual(lim.Limit):
				sa.Settled = mean.Round(places)
				sa.Formula = fmt.Sprintf("|%s − %s| = %s ≤ limit %s: split, (%s + %s) ÷ 2 = %s %s", sr.Value, br.Value, diff, lim.Limit, sr.Value, br.Value, sa.Settled, sr.Unit)
				if x.Rule == "split" {
					sa.Formula = fmt.Sprintf("split the difference: (%s + %s) ÷ 2 = %s %s", sr.Value, br.Value, sa.Settled, sr.Unit)
				}
			default:
				ur, okU := got[key{s.ID, a, Umpire}]
				if !okU {
					return nil, nil, fieldErrorf(at, "|%s − %s| = %s exceeds the splitting limit %s: the umpire's result is needed", sr.Value, br.Value, diff, lim.Limit)
				}
				if gradeScale(ur.Unit) != gradeScale(sr.Unit) {
					return nil, nil, fieldErrorf(at, "the umpire reports %s, the parties %s", ur.Unit, sr.Unit)
				}
				if slip := resultSlip(&ur, &sr, &br); slip != "" {
					return nil, nil, fieldErrorf(at, "%s", slip)
				}
				u := ur.Value
				sa.Umpire = &u
				sa.Events = append(sa.Events, nonEmpty(ur.EventID)...)
				if x.Rule == "umpire_final" {
					sa.Settled = u.Round(places)
					sa.Formula = fmt.Sprintf("|%s − %s| = %s > limit %s: umpire final, %s %s", sr.Value, br.Value, diff, lim.Limit, sa.Settled, sr.Unit)
					break
				}
				ds, db := sr.Value.Sub(u).Abs(), br.Value.Sub(u).Abs()
				closer, who := sr.Value, Seller
				switch {
				case db.LessThan(ds):
					closer, who = br.Value, Buyer
				case db.Equal(ds):
					closer, who = u, "neither (umpire midway)"
				}
				lo, hi := decimal.Min(sr.Value, br.Value), decimal.Max(sr.Value, br.Value)
				if u.LessThan(lo) || u.GreaterThan(hi) {
					// The umpire lies outside both results: the result of
					// the party closer to the umpire is final (it cannot
					// be exceeded by averaging it with the umpire).
					sa.Settled = closer.Round(places)
					sa.Formula = fmt.Sprintf("|%s − %s| = %s > limit %s: umpire %s outside both results, the closer party's (%s) result is final: %s %s", sr.Value, br.Value, diff, lim.Limit, u, who, sa.Settled, sr.Unit)
					break
				}
				if db.Equal(ds) {
					// Exactly midway: neither party is closer, and the
					// mean of the umpire with itself is the umpire's
					// result — said so, not written "(u + u) ÷ 2".
					sa.Settled = u.Round(places)
					sa.Formula = fmt.Sprintf("|%s − %s| = %s > limit %s: umpire %s exactly midway between the parties (%s from each): neither is closer, the umpire's result is final: %s %s", sr.Value, br.Value, diff, lim.Limit, u, ds, sa.Settled, sr.Unit)
					break
				}
				sa.Settled = u.Add(closer).Div(decimal.NewFromInt(2)).Round(places)
				sa.Formula = fmt.Sprintf("|%s − %s| = %s > limit %s: umpire %s, closer party %s (%s): (%s + %s) ÷ 2 = %s %s", sr.Value, br.Value, diff, lim.Limit, u, who, closer, u, closer, sa.Settled, sr.Unit)
			}
			if unit != "" && unit != sa.Unit {
				return nil, nil, fieldErrorf(at, "sublots report %s in %s and %s", a, unit, sa.Unit)
			}
			unit = sa.Unit
			sum = sum.Add(sa.Settled.Mul(s.DMT))
			terms = append(terms, fmt.Sprintf("%s dmt × %s", s.DMT, sa.Settled))
			events = append(events, sa.Events...)
			settled = append(settled, sa)
		}
		g := Grade{Value: sum.Div(totalDMT).Round(places), Unit: unit, Events: events}
		if len(sublots) == 1 {
			g.Formula = "assay exchange: " + settled[len(settled)-1].Formula
		} else {
			g.Formula = fmt.Sprintf("Σ dmt × settled grade ÷ Σ dmt over %s: (%s) ÷ %s dmt = %s %s", Count(len(sublots), "sublot"), strings.Join(terms, " + "), totalDMT, g.Value, unit)
		}
		out[a] = g
	}
	return out, settled, nil
}

func sublotName(id string) string {
	if id == "" {
		return "lot"
	}
	return id
}

func firstKey(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func sublotLabel(id string) string {
	if id == "" {
		return "the whole lot"
	}
	return fmt.Sprintf("sublot %q", id)
}

// ResultSlipFactor is the ratio between two parties' results of one
// analyte of one lot or sublot at or above which they are refused as a
// unit slip, not an assay difference (fix13v). A percentage written as a
// fraction (Cu 0.246 for 24.6 %) is a factor of 100 off, a per cent read
// as g/t or ppm a factor of 10 000; laboratories assaying one sample
// differ by a few per cent of the grade — the splitting limits of
// published copper-concentrate agreements are 0.15–0.30 % Cu absolute on
// 20–30 % Cu (docs/trade.md, "Assay exchange: sources") — and even trace
// elements near their detection limit by a factor of a few. 30 lies
// between the two: well above any honest difference and well below the
// smallest slip (100).
var ResultSlipFactor = decimal.NewFromInt(30)

// slipRatio is the larger of two results over the smaller, both on the
// % scale, and whether it reaches ResultSlipFactor. Results that are not
// both positive grades give false: a zero (below detection) has no ratio.
func slipRatio(a, b AssayResult) (decimal.Decimal, bool) {
	av, err1 := convertGrade(a.Value, a.Unit, "%")
	bv, err2 := convertGrade(b.Value, b.Unit, "%")
	if err1 != nil || err2 != nil || !av.IsPositive() || !bv.IsPositive() {
		return zero, false
	}
	hi, lo := decimal.Max(av, bv), decimal.Min(av, bv)
	r := hi.Div(lo)
	return r, !r.LessThan(ResultSlipFactor)
}

// slipText says why two parties' results of one analyte are a unit slip:
// both results with their events, the factor, and how to correct it.
func slipText(a, b AssayResult, ratio decimal.Decimal) string {
	ev := func(r AssayResult) string {
		if r.EventID == "" {
			return ""
		}
		return " (event " + r.EventID + ")"
	}
	return fmt.Sprintf("the %s's %s result %s %s%s and the %s's %s %s%s differ by a factor of %s (%s or more is a unit slip, not an assay difference: a percentage written as a fraction is 100 times off, a per cent read as g/t or ppm 10 000 times): one of them is in the wrong unit, and no settled grade is made from the two — declare the wrong result's event in error (errorDeclaration, EPCIS 2.0 §7.4.1.2) and submit it again in its unit",
		a.Party, a.Analyte, a.Value, a.Unit, ev(a), b.Party, b.Value, b.Unit, ev(b), ratio.Round(1), ResultSlipFactor)
}

// resultSlip is the first pair of the parties' results in rs (seller,
// buyer, umpire, nil for a missing one) that is a unit slip (slipRatio),
// as text naming both (slipText), or "".
func resultSlip(rs ...*AssayResult) string {
	for i, a := range rs {
		for _, b := range rs[i+1:] {
			if a == nil || b == nil {
				continue
			}
			if r, slip := slipRatio(*a, *b); slip {
				return slipText(*a, *b, r)
			}
		}
	}
	return ""
}

// CheckSublotWeights refuses sublots whose parties' statements of their
// dry weight (cm:sublotDMT) disagree. The parties weigh a sublot once:
// their statements must agree, or the weighted average would rest on one
// party's weight without saying so. critmin has no rule for a weight
// difference, so it refuses rather than choosing. It runs before the
// sublots' total is compared with the lot's dry weight (fix13z: before,
// the last statement's weight made up the total, and the refusal spoke of
// the total, not of the disagreement). Each party is quoted by its newest
// statement (the last of Reports, which are in event order).
func CheckSublotWeights(sublots []Sublot) error {
	for _, s := range sublots {
		newest := map[string]SublotWeight{}
		var parties []string
		for i, r := range s.Reports {
			// One party's two statements: the later does not supersede
			// the earlier until the earlier is declared in error.
			for _, p := range s.Reports[:i] {
				if p.Party == r.Party && !p.DMT.Equal(r.DMT) {
					return fieldErrorf("sublots/"+sublotName(s.ID), "the %s stated %s dmt (event %s) and later %s dmt (event %s): a later submission supersedes an earlier one only once the earlier is declared in error; retract event %s (errorDeclaration, EPCIS 2.0 §7.4.1.2) to correct the weight", r.Party, p.DMT, p.EventID, r.DMT, r.EventID, p.EventID)
				}
			}
			if _, ok := newest[r.Party]; !ok {
				parties = append(parties, r.Party)
			}
			newest[r.Party] = r
		}
		for _, p := range parties[min(1, len(parties)):] {
			a, b := newest[parties[0]], newest[p]
			if !a.DMT.Equal(b.DMT) {
				return fieldErrorf("sublots/"+sublotName(s.ID), "the %s states %s dmt (event %s), the %s %s dmt (event %s): the parties' weights of a sublot must agree before the exchange settles; capture the agreed weight", a.Party, a.DMT, a.EventID, b.Party, b.DMT, b.EventID)
			}
		}
	}
	return nil
}
