package commercial

import (
	"fmt"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// VerifyInvoice is the Trade job's invariant check, as plan.Check is the
// planner's: it re-derives every figure of an invoice from the term sheet
// and the inputs the invoice records, and returns an error listing every
// figure that disagrees. No invoice is issued or served that fails it.
//
// From the recorded weights it re-derives the dry tonnes (dmt = wmt × (1 −
// moisture %), to the kilogram). From the recorded grades and prices
// (each price after its percentage, floor and cap, exactly as the lines
// used it) it replays the settlement through the same code that made it
// (Settle): payable metal per element with its minimum deduction, the
// basket, TC with escalators, RC per payable unit, penalties, moisture and
// participation lines — each line's code, per-dmt figure and amount (per
// dmt × dmt, rounded by the contract) must be equal, as must the payable
// grams per dmt, the value and the NSR per dmt. Then the invoice: its
// lines are the settlement's plus, on a provisional invoice, the share not
// invoiced (total = round(value × provisional %)), or on a final one the
// provisional invoice's total deducted (balance due = final value −
// provisional total), and the total is the sum of the lines. prov is the
// provisional invoice a final one names (nil for a provisional invoice).
func VerifyInvoice(ts *TermSheet, inv, prov *Invoice) error {
	var bad []critmin.FieldError
	fail := func(ptr, format string, args ...any) {
		bad = append(bad, critmin.FieldError{Pointer: pointer(ptr), Reason: fmt.Sprintf(format, args...)})
	}
	if err := inv.Check(); err != nil {
		fail("total", "%s", critmin.ErrorMessage(err))
	}
	st := inv.Settlement
	if st == nil {
		return invoiceDisagrees(inv, bad)
	}
	if inv.Contract != ts.ID || st.Contract != ts.ID {
		fail("contract", "invoice under %s, settlement under %s, checked against %s", inv.Contract, st.Contract, ts.ID)
	}
	if inv.Currency != ts.Currency || st.Currency != ts.Currency {
		fail("currency", "invoice in %s, settlement in %s, contract in %s", inv.Currency, st.Currency, ts.Currency)
	}
	if st.Kind != inv.Kind {
		fail("settlement/kind", "a %s invoice on a %s settlement", inv.Kind, st.Kind)
	}
	// Weights: dmt from wmt and moisture.
	if len(st.Parts) > 0 {
		wet := zero
		for _, p := range st.Parts {
			wet = wet.Add(p.WMT)
		}
		if !wet.Equal(st.WMT) {
			fail("settlement/wmt", "the parts weigh %s wmt, the invoice says %s", wet, st.WMT)
		}
		if dmt := (Weighing{Parts: st.Parts}).DMT(); !dmt.Equal(st.DMT) {
			fail("settlement/dmt", "Σ wmt × (1 − moisture) of the parts = %s dmt, the invoice says %s", dmt, st.DMT)
		}
	} else if dmt := st.WMT.Mul(one.Sub(pct(st.Moisture))).Round(3); !dmt.Equal(st.DMT) {
		fail("settlement/dmt", "%s wmt × (1 − %s %%) = %s dmt, the invoice says %s", st.WMT, st.Moisture, dmt, st.DMT)
	}
	// Replay the settlement from its recorded grades and prices.
	facts := map[string]Fact{}
	for _, f := range st.Facts {
		facts[f.Name] = f
	}
	lot := &LotFacts{Lot: st.Lot, BLDate: time.Unix(0, 0).UTC(), Loading: Weighing{WMT: st.WMT, MoisturePct: st.Moisture, Parts: st.Parts}, Assays: map[string]Grade{}}
	for _, a := range (&calc{ts: ts}).analytes() {
		if f, ok := facts[a]; ok {
			lot.Assays[a] = Grade{Value: f.Value, Unit: f.Unit}
		}
	}
	replay := st.Prices
	if replay == nil {
		replay = []PriceFact{}
	}
	re, err := Settle(ts, lot, SettleOptions{Kind: Provisional, replay: replay})
	if err != nil {
		fail("settlement", "cannot be re-derived: %s", critmin.ErrorMessage(err))
		return invoiceDisagrees(inv, bad)
	}
	if len(re.Prices) != len(st.Prices) {
		fail("settlement/prices", "records %d prices; the contract reads %d", len(st.Prices), len(re.Prices))
	}
	if !re.DMT.Equal(st.DMT) {
		fail("settlement/dmt", "re-derived %s dmt, the invoice says %s", re.DMT, st.DMT)
	}
	n := max(len(re.Lines), len(st.Lines))
	for i := 0; i < n; i++ {
		ptr := fmt.Sprintf("settlement/lines/%d", i)
		switch {
		case i >= len(st.Lines):
			fail(ptr, "the contract gives a line %s (%s per dmt) the invoice lacks", re.Lines[i].Code, re.Lines[i].PerDMT)
		case i >= len(re.Lines):
			fail(ptr, "line %s is not one the contract gives", st.Lines[i].Code)
		default:
			want, got := re.Lines[i], st.Lines[i]
			// Invoices issued before penalty bands were numbered
			// (penalty:Zn for penalty:Zn:1) keep their code.
			legacy := strings.HasPrefix(got.Code, "penalty:") && strings.HasPrefix(want.Code, got.Code+":")
			if want.Code != got.Code && !legacy {
				fail(ptr+"/code", "the contract gives %s here, the invoice %s", want.Code, got.Code)
				continue
			}
			if !want.PerDMT.Equal(got.PerDMT) {
				fail(ptr+"/per_dmt", "%s: re-derived %s %s/dmt, the invoice says %s", got.Code, want.PerDMT, ts.Currency, got.PerDMT)
			}
			if !want.Amount.Equal(got.Amount) {
				fail(ptr+"/amount", "%s: %s %s/dmt × %s dmt = %s, the invoice says %s", got.Code, want.PerDMT, ts.Currency, st.DMT, want.Amount, got.Amount)
			}
		}
	}
	for el, g := range re.Payable {
		if !g.Equal(st.Payable[el]) {
			fail("settlement/payable_g_per_dmt/"+el, "re-derived %s g/dmt payable, the invoice says %s", g, st.Payable[el])
		}
	}
	for el := range st.Payable {
		if _, ok := re.Payable[el]; !ok {
			fail("settlement/payable_g_per_dmt/"+el, "%s is not payable under the contract", el)
		}
	}
	if !re.Value.Equal(st.Value) {
		fail("settlement/value", "lines re-derived add up to %s, the invoice says %s", re.Value, st.Value)
	}
	// The rounding rule, on the invoice's own figures: the per-dmt column
	// adds up to nsr_per_dmt, the amount column to value.
	if want := NSRPerDMT(st.Lines); !want.Equal(st.NSRPerDMT) {
		fail("settlement/nsr_per_dmt", "the lines' per-dmt figures add up to %s (to 4 places), the invoice says %s", want, st.NSRPerDMT)
	}
	sum := zero
	for _, l := range st.Lines {
		sum = sum.Add(l.Amount)
	}
	if !sum.Equal(st.Value) {
		fail("settlement/value", "the lines' amounts add up to %s, the invoice says %s", sum, st.Value)
	}
	if !re.NSRPerDMT.Equal(st.NSRPerDMT) {
		fail("settlement/nsr_per_dmt", "re-derived Σ per dmt = %s, the invoice says %s", re.NSRPerDMT, st.NSRPerDMT)
	}
	// The invoice's own lines and total.
	extra := inv.Lines[min(len(st.Lines), len(inv.Lines)):]
	switch inv.Kind {
	case Provisional:
		want := ts.round(st.Value.Mul(pct(ts.Payment.ProvisionalPct)))
		if !inv.Total.Equal(want) {
			fail("total", "provisional: round(%s × %s %%) = %s, the invoice says %s", st.Value, ts.Payment.ProvisionalPct, want, inv.Total)
		}
		if len(extra) != 1 || extra[0].Code != "provisional_share" || !extra[0].Amount.Equal(want.Sub(st.Value)) {
			fail("lines", "a provisional invoice ends with one provisional_share line of %s", want.Sub(st.Value))
		}
	case Final:
		if prov == nil {
			fail("provisional", "the final invoice's provisional invoice %q is not known", inv.Provisional)
			break
		}
		if prov.ID != inv.Provisional || prov.Kind != Provisional || !sameLot(prov.Lot, epcis.Canonical(inv.Lot)) || prov.Contract != inv.Contract {
			fail("provisional", "names %s; checked against %s (%s of %s under %s)", inv.Provisional, prov.ID, prov.Kind, prov.Lot, prov.Contract)
		}
		if want := st.Value.Sub(prov.Total); !inv.Total.Equal(want) {
			fail("total", "balance due: final value %s − provisional %s = %s, the invoice says %s", st.Value, prov.Total, want, inv.Total)
		}
		if len(extra) != 1 || extra[0].Code != "less_provisional" || !extra[0].Amount.Equal(prov.Total.Neg()) {
			fail("lines", "a final invoice ends with one less_provisional line of %s", prov.Total.Neg())
		}
	default:
		fail("kind", "%q is not provisional or final", inv.Kind)
	}
	return invoiceDisagrees(inv, bad)
}

// invoiceDisagrees is nil when nothing disagrees, else an ECONFLICT
// error (the invoice's figures conflict with its own contract and
// inputs) listing every figure that disagrees.
func invoiceDisagrees(inv *Invoice, bad []critmin.FieldError) error {
	if len(bad) == 0 {
		return nil
	}
	reasons := make([]string, 0, len(bad))
	for _, b := range bad {
		reasons = append(reasons, b.Pointer+": "+b.Reason)
	}
	return &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("invoice %s: its figures disagree with its contract and inputs, so it is not published: %s", inv.ID, strings.Join(reasons, "; ")), Fields: bad}
}
