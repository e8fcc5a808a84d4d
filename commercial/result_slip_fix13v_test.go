package commercial_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// fix13v item 1: each party's exchange result is judged against the
// other's. Seller Cu 0.246 % and buyer 24.3 % (24.3 ÷ 0.246 = 98.78, a
// factor of ~100: a percentage written as a fraction) were settled at
// their mean (0.246 + 24.3) ÷ 2 = 12.273 %, above the 5 % floor, and
// invoiced. Now the final settlement is refused naming both results and
// the factor 98.8; the best-known grade is not their mean but the
// loading assay's 24.0 %. An umpire's Cu 0.238 against the seller's 24.10
// (24.10 ÷ 0.238 = 101.26) is refused alike.
func TestExchangeResultSlipBlocksSettlement(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	with := func(edit map[string]string) *commercial.LotFacts {
		lot := cuLot()
		for i, r := range lot.Results {
			if v, ok := edit[r.Party+" "+r.Analyte]; ok {
				lot.Results[i].Value = d(v)
			}
		}
		return lot
	}
	lot := with(map[string]string{"seller Cu": "0.246", "buyer Cu": "24.3"})
	_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
	msg := critmin.ErrorMessage(err)
	if !hasField(err, "/assay_exchange/lot/Cu") || !strings.Contains(msg, "the seller's Cu result 0.246 %") || !strings.Contains(msg, "the buyer's 24.3 %") || !strings.Contains(msg, "factor of 98.8") {
		t.Errorf("seller 0.246 / buyer 24.3: err = %v; want refused naming both results and the factor 98.8", err)
	}
	g := commercial.BestKnownGrades(lot, ts.Exchange)
	eq(t, "best-known Cu (the loading assay, not the mean 12.273)", g["Cu"].Value, "24")
	_, err = commercial.Settle(ts, with(map[string]string{"umpire Cu": "0.238"}), commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
	if msg := critmin.ErrorMessage(err); !hasField(err, "/assay_exchange/lot/Cu") || !strings.Contains(msg, "the umpire's Cu result 0.238 %") || !strings.Contains(msg, "the seller's 24.1 %") || !strings.Contains(msg, "factor of 101.3") {
		t.Errorf("umpire 0.238: err = %v; want refused naming the umpire's and the seller's results", err)
	}
	// Not a slip: 24.10 against 23.70 settles as before (umpire 23.80,
	// closer buyer: (23.80 + 23.70) ÷ 2 = 23.75).
	st, err := commercial.Settle(ts, cuLot(), commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "settled Cu", st.Grades["Cu"].Value, "23.75")
}

// fix13v item 1: a party's result below the commodity's floor is refused
// even when the settled grade is above it. Seller Cu 3 % (below the 5 %
// floor of a copper concentrate), buyer 24.0 %, umpire 23.9 % (3 is 8×
// less than 24: no unit slip by the factor): the closer party is the
// buyer, settled (23.9 + 24.0) ÷ 2 = 23.95 % — above the floor, but resting
// on a seller's figure no copper concentrate has. Refused naming the
// seller's result; 3 × 100 = 300 % is no grade, so no "did you mean".
// Accepted (AcceptGrade), it settles at 23.95.
func TestPartyResultBelowFloorRefused(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	lot := cuLot()
	for i, r := range lot.Results {
		switch r.Party + " " + r.Analyte {
		case "seller Cu":
			lot.Results[i].Value = d("3")
		case "buyer Cu":
			lot.Results[i].Value = d("24.0")
		case "umpire Cu":
			lot.Results[i].Value = d("23.9")
		}
	}
	_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
	var de *commercial.DryGainError
	msg := critmin.ErrorMessage(err)
	if !errors.As(err, &de) || de.Check != commercial.AcceptGrade || !hasField(err, "/assay_exchange/lot/Cu/seller") ||
		!strings.Contains(msg, "the seller's Cu result 3 %") || !strings.Contains(msg, "below the plausible 5 %") || !strings.Contains(msg, "settled at 23.95") || strings.Contains(msg, "did you mean") {
		t.Errorf("seller 3 %%: err = %v; want an acceptable refusal naming the seller's result", err)
	}
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices(),
		Accept: []commercial.Acceptance{{Check: commercial.AcceptGrade, By: "lab manager", Reason: "seller's split re-assayed"}}})
	if err != nil {
		t.Fatalf("accepted: %v", err)
	}
	eq(t, "settled Cu", st.Grades["Cu"].Value, "23.95")
}

// fix13v item 1, at entry: the buyer's Cu 24.3 % against the seller's
// 0.246 % on record is refused 409 before it is stored, the pointer
// naming the result (results/0/value), the message naming both and which
// lies below the 5 % floor ("did you mean 24.6 %?": 0.246 × 100). The
// lot has no Cu assay of its own (fix13x: a first result is judged
// against the lot's assay, so on a lot assayed 24 % the seller's 0.246
// would itself be refused, TestFirstResultJudgedAgainstLotAssay).
func TestExchangeResultSlipRefusedAtEntry(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:SLIP-1"
	assayedLot(t, s, lot, nil)
	submit := func(party, cu string, day int) error {
		_, err := s.SubmitAssays(ctx, &commercial.ExchangeSubmission{Lot: lot, Party: party, Lab: "urn:lab:" + party, At: provAt.AddDate(0, 0, day),
			Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d(cu), Unit: "%"}}})
		return err
	}
	if err := submit(commercial.Seller, "0.246", 1); err != nil {
		t.Fatal(err)
	}
	err := submit(commercial.Buyer, "24.3", 2)
	msg := critmin.ErrorMessage(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !fieldNamed(err, "/results/0/value") || !strings.Contains(msg, "the seller's 0.246 %") ||
		!strings.Contains(msg, "the buyer's Cu result 24.3 %") || !strings.Contains(msg, "did you mean 24.6 %?") {
		t.Errorf("buyer 24.3 after seller 0.246: err = %v; want 409 at results/0/value naming both", err)
	}
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, lot)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Results) != 1 {
		t.Errorf("%d results stored, want the seller's only", len(lf.Results))
	}
	// A result within a factor of 30 is an assay difference: stored.
	if err := submit(commercial.Buyer, "2.5", 3); err != nil {
		t.Errorf("buyer 2.5 (ratio 10.2): %v", err)
	}
}
