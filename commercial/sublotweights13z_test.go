package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// TestSublotWeightDisagreementNamed (issue 13, fix13z): on the demo copper
// lot (54.6 dmt), sublot A is stated at 27.3 dmt by both parties, sublot B
// at 27.3 dmt by the seller and 28.3 dmt by the buyer. Before, the buyer's
// later 28.3 made up the total — 27.3 + 28.3 = 55.6 dmt, 1.0 dmt off the
// lot's 54.6 (tolerance 0.5 % × 54.6 = 0.273) — and the final settlement
// was refused on the total ("the 2 sublots weigh 55.6 dmt"), the
// disagreement unsaid. Now it is refused naming sublots/B with both
// weights and events. The buyer then resubmits sublot B (a corrected Cu,
// same weight, later): the refusal quotes the buyer's newest event.
func TestSublotWeightDisagreementNamed(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	v0, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for _, r := range v0.Facts.Results {
		if r.Sublot == "" && !done[r.EventID] {
			done[r.EventID] = true
			retract(t, s, r.EventID, "2025-11-19T09:00:00Z")
		}
	}
	submit := func(party, sublot, dmt, cu string, hour int) string {
		w := d(dmt)
		sub := &commercial.ExchangeSubmission{Lot: commercial.DemoCopperLot, Party: party, Lab: "urn:lab:" + party, Sublot: sublot, SublotDMT: &w,
			At: time.Date(2025, 11, 20, hour, 0, 0, 0, time.UTC), Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d(cu), Unit: "%"}}}
		id, err := s.SubmitAssays(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	submit(commercial.Seller, "A", "27.3", "22", 10)
	submit(commercial.Buyer, "A", "27.3", "22", 10)
	sellerB := submit(commercial.Seller, "B", "27.3", "22", 10)
	buyerB := submit(commercial.Buyer, "B", "28.3", "22", 10)
	missing := func() string {
		v, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
		if err != nil {
			t.Fatal(err)
		}
		if v.Final != nil {
			t.Fatalf("final settlement made on disagreeing sublot weights")
		}
		return v.Missing
	}
	m := missing()
	for _, want := range []string{"sublots/B", "27.3 dmt", "28.3 dmt", sellerB, buyerB} {
		if !strings.Contains(m, want) {
			t.Errorf("missing %q lacks %q", m, want)
		}
	}
	if strings.Contains(m, "sublots weigh") {
		t.Errorf("missing %q speaks of the total, not of the disagreement", m)
	}
	buyerB2 := submit(commercial.Buyer, "B", "28.3", "22.1", 11)
	if m := missing(); !strings.Contains(m, "sublots/B") || !strings.Contains(m, buyerB2) || strings.Contains(m, buyerB) {
		t.Errorf("after the buyer's resubmission %s, missing %q should quote it, not %s", buyerB2, m, buyerB)
	}
}
