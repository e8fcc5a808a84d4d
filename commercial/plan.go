package commercial

import (
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
)

// ApplyTerms values the network's contracts that name a term sheet
// (plan.Contract.Terms) at contract terms: PricePerT becomes the net value
// of one dry tonne of the contract's TermsGrade (element → mass fraction)
// under the term sheet at spot prices — payables less TC, RC and
// penalties (NetValuePerTonne) — on a product basis. The planner then
// weighs sales net of charges instead of at a flat price. It returns the
// contracts it priced; an unknown term sheet, a currency other than the
// network's, a grade the terms need but the contract lacks, or a negative
// net value is an EINVALID error naming the contract.
func ApplyTerms(n *plan.Network, sheets map[string]*TermSheet, spot map[string]decimal.Decimal) ([]string, error) {
	var priced []string
	for i := range n.Contracts {
		c := &n.Contracts[i]
		if c.Terms == "" {
			continue
		}
		at := fmt.Sprintf("contracts[%d]", i)
		ts := sheets[c.Terms]
		if ts == nil {
			return nil, critmin.FieldErrorf(at+".terms", "no term sheet %q", c.Terms)
		}
		grades := map[string]Grade{}
		for el, f := range c.TermsGrade {
			grades[el] = Grade{Value: decimal.NewFromFloat(f).Mul(hundred), Unit: "%", Formula: "contract reference grade"}
		}
		v, _, err := NetValuePerTonne(ts, grades, spot)
		if err != nil {
			return nil, critmin.FieldErrorf(at+".terms", "%s: %s", c.Terms, critmin.ErrorMessage(err))
		}
		if v.IsNegative() {
			return nil, critmin.FieldErrorf(at+".terms", "%s values the reference grade at %s %s per dmt, below zero", c.Terms, v.Round(2), ts.Currency)
		}
		c.PricePerT, _ = v.Round(4).Float64()
		c.PriceBasis = "product"
		priced = append(priced, c.ID)
	}
	return priced, nil
}
