package commercial_test

import (
	"context"
	"encoding/json"
	"fmt"
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

// BenchmarkLotPairings builds the /trade page's lots under contract
// (Service.LotPairings) over the demo with 24 more contracts of the
// rare-earth concentrate (copies of the demo's under other ids): 25
// contracts × 3 REE lots, plus the other commodities' — the lot ×
// contract pairs whose InvoiceRefusal the page used to compute one by
// one.
func BenchmarkLotPairings(b *testing.B) {
	s := MustDemo(b)
	ctx := context.Background()
	ts, err := s.Contract(ctx, "FWO-USSM-REE-2025")
	if err != nil {
		b.Fatal(err)
	}
	for i := range 24 {
		c := *ts
		c.ID = fmt.Sprintf("BENCH-REE-%02d", i)
		body, err := json.Marshal(&c)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.SaveContract(ctx, body); err != nil {
			b.Fatal(err)
		}
	}
	contracts, err := s.Contracts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := s.LotPairings(ctx, contracts, 100, 0); err != nil {
			b.Fatal(err)
		}
	}
}
