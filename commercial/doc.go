// Package commercial is the Trade job: offtake term sheets as data, price
// series and quotational periods, the assay exchange, the settlement of
// concentrate and oxide lots into provisional and final invoices, the
// framework agreement, the net smelter return under alternative terms and
// the exposure of unpriced metal.
//
// Every amount is computed with exact decimals (github.com/shopspring/decimal)
// and every invoice line carries its formula, its inputs and the ledger
// events (bill of lading, weights, assays) it rests on. The formulas follow
// the customary concentrate-contract practice described in docs/trade.md:
// payable metal = min(payable % × grade, grade − minimum deduction); TC per
// dry metric tonne (dmt) with escalators against a basis price; RC per
// payable unit; penalties per step above a threshold; quotational periods
// averaged over the days a price was published.
package commercial

import "github.com/shopspring/decimal"

func init() {
	// Amounts travel in JSON as numbers (22.82), not strings ("22.82"):
	// the decimal's text is written verbatim, so nothing is lost.
	decimal.MarshalJSONWithoutQuotes = true
}
