package commercial_test

import (
	"testing"

	"github.com/critmin/critmin/commercial"
)

// BenchmarkSettleFinal settles the worked copper example finally: four
// analytes through the exchange, three QP averages over daily series,
// TC, three RCs and a penalty.
func BenchmarkSettleFinal(b *testing.B) {
	ts := MustTerms(b, mustFile(b, "testdata/cu-conc.json"))
	lot, prices := cuLot(), cuPrices()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: prices}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIssueDemo loads the corridor and the Trade demo into a fresh
// SQLite database and issues its six invoices (each read from the ledger,
// settled, captured as an event and stored).
func BenchmarkIssueDemo(b *testing.B) {
	for b.Loop() {
		MustDemo(b)
	}
}
