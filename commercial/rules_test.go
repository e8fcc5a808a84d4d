package commercial_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// Sublots: two sublots of 600 and 400 dmt; Cu 24.0/24.1 (split: 24.05)
// and 23.0/23.5 (over the 0.2 limit, umpire 23.3; umpire_final: 23.3).
// Lot grade = (600 × 24.05 + 400 × 23.3) ÷ 1000 = (14 430 + 9 320) ÷ 1000 = 23.75.
func TestSublotWeightedAverage(t *testing.T) {
	x := &commercial.AssayExchangeTerms{Rule: "umpire_final", Limits: []commercial.SplitLimit{{Analyte: "Cu", Limit: d("0.2"), Unit: "%"}}}
	r := func(sub, party, v string) commercial.AssayResult {
		return commercial.AssayResult{Sublot: sub, Party: party, Analyte: "Cu", Value: d(v), Unit: "%"}
	}
	res := []commercial.AssayResult{r("A", "seller", "24.0"), r("A", "buyer", "24.1"), r("B", "seller", "23.0"), r("B", "buyer", "23.5"), r("B", "umpire", "23.3")}
	g, settled, err := commercial.SettleAssays(x, res, []commercial.Sublot{{ID: "A", DMT: d("600")}, {ID: "B", DMT: d("400")}}, []string{"Cu"})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "lot Cu", g["Cu"].Value, "23.75")
	eq(t, "sublot A", settled[0].Settled, "24.05")
	eq(t, "sublot B", settled[1].Settled, "23.3")
	// The line shows the weights it used.
	if want := "(600 dmt × 24.05 + 400 dmt × 23.3) ÷ 1000 dmt = 23.75 %"; !strings.Contains(g["Cu"].Formula, want) {
		t.Errorf("weighted-average formula %q lacks %q", g["Cu"].Formula, want)
	}
	// The seller states sublot A at 20 dmt, the buyer at 21: refused,
	// naming sublots/A, rather than averaging on one party's weight.
	disagree := []commercial.Sublot{{ID: "A", DMT: d("21"), Reports: []commercial.SublotWeight{{Party: "seller", DMT: d("20"), EventID: "urn:uuid:s"}, {Party: "buyer", DMT: d("21"), EventID: "urn:uuid:b"}}}, {ID: "B", DMT: d("400")}}
	if _, _, err := commercial.SettleAssays(x, res, disagree, []string{"Cu"}); !hasField(err, "/sublots/A") {
		t.Errorf("sublot weights 20 and 21 dmt: err = %v, want one naming sublots/A", err)
	}
	// Rule split ignores the umpire: B = (23.0 + 23.5) ÷ 2 = 23.25;
	// (600 × 24.05 + 400 × 23.25) ÷ 1000 = 23.73.
	x.Rule = "split"
	g, _, err = commercial.SettleAssays(x, res, []commercial.Sublot{{ID: "A", DMT: d("600")}, {ID: "B", DMT: d("400")}}, []string{"Cu"})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "split lot Cu", g["Cu"].Value, "23.73")
	// A sublot without the seller's result is refused naming it.
	if _, _, err := commercial.SettleAssays(x, res[1:], []commercial.Sublot{{ID: "A", DMT: d("600")}, {ID: "B", DMT: d("400")}}, []string{"Cu"}); !hasField(err, "/assay_exchange/A/Cu") {
		t.Errorf("missing seller: err = %v", err)
	}
}

// Charges on one dmt at a fixed Cu price, each worked by hand.
func TestChargeRules(t *testing.T) {
	base := `{"id": "R", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "x"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 100, "price": {"fixed": PRICE, "unit": "USD/t"}PART}]EXTRA}`
	cases := []struct {
		name, price, part, extra, code, want string
		moisture                             string
	}{
		// De-escalator: price 8650 is 350 below 9000; whole steps of 100 → 3 × 2 = 6; TC = 80 − 6 = 74.
		{"de-escalator whole steps", "8650", "", `, "tc": {"base": 80, "element": "Cu", "basis_price": 9000, "basis_unit": "USD/t", "deescalators": [{"from": 9000, "step": 100, "amount": 2}]}`, "tc", "-74", "0"},
		// Tiered escalator: 9000–9500 at 1 per 100 (5), above 9500 at 2 per 100: 9800 → 3 steps × 2 = 6; TC = 20 + 5 + 6 = 31.
		{"tiered escalator", "9800", "", `, "tc": {"base": 20, "element": "Cu", "basis_price": 9000, "basis_unit": "USD/t", "escalators": [{"from": 9000, "to": 9500, "step": 100, "amount": 1, "pro_rata": true}, {"from": 9500, "step": 100, "amount": 2, "pro_rata": true}]}`, "tc", "-31", "0"},
		// Negative TC (a smelter paying for concentrate): −40 per dmt is a credit of 40.
		{"negative TC", "9000", "", `, "tc": {"base": -40}`, "tc", "40", "0"},
		// TC floor: base 10 de-escalated by 20 → −10, floored at 0.
		{"TC floor", "8000", "", `, "tc": {"base": 10, "element": "Cu", "basis_price": 9000, "basis_unit": "USD/t", "deescalators": [{"from": 9000, "step": 100, "amount": 2, "pro_rata": true}], "floor": 0}`, "tc", "0", "0"},
		// Penalty in whole steps with a cap: As 0.55 %, threshold 0.2, step 0.1 → 3 whole steps × 4 = 12, capped at 10.
		{"penalty whole steps, capped", "9000", "", `, "penalties": [{"analyte": "As", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 4, "cap": 10}]`, "penalty:As", "-10", "0"},
		// Banded penalty: only the band 0.2–0.4 counts: (0.4 − 0.2) ÷ 0.1 = 2 steps × 4 = 8.
		{"penalty band", "9000", "", `, "penalties": [{"analyte": "As", "unit": "%", "threshold": 0.2, "up_to": 0.4, "step": 0.1, "rate": 4, "pro_rata": true}]`, "penalty:As", "-8", "0"},
		// Moisture franchise 8 %, moisture 9.5 %: 1.5 × 2 = 3 per dmt; 1 wmt at 9.5 % = 0.905 dmt → −2.715 → −2.72.
		{"moisture franchise", "9000", "", `, "moisture": {"franchise_pct": 8, "rate": 2}`, "moisture", "-2.72", "9.5"},
		// Price participation: 20 % of (9500 − 9000) = 100 USD/t × 0.24 t payable = −24.
		{"price participation", "9500", `, "participation": {"basis": 9000, "up_share": 0.2, "down_share": 0.1}`, "", "participation:Cu", "-24", "0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := base
			for k, v := range map[string]string{"PRICE": tc.price, "PART": tc.part, "EXTRA": tc.extra} {
				body = strings.ReplaceAll(body, k, v)
			}
			ts := MustTerms(t, body)
			lot := &commercial.LotFacts{Lot: "l", BLDate: day("2025-09-02"), Loading: commercial.Weighing{WMT: d("1"), MoisturePct: d(tc.moisture)},
				Assays: map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}, "As": {Value: d("0.55"), Unit: "%"}}}
			st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, tc.code, lineAmount(t, st.Lines, tc.code), tc.want)
		})
	}
}

// Weight franchise exceeded: loading 1000 wmt, outturn 990 (1 % loss over
// the 0.5 % franchise): the outturn stands, 990 × (1 − 8.2 %) = 908.820 dmt.
func TestWeightFranchiseExceeded(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	lot := cuLot()
	lot.Discharge.WMT = d("990")
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "dmt", st.DMT, "908.82")
}

// A final invoice on incomplete data (the umpire has not reported) is
// refused naming what is missing, and stores nothing: no invoice, no event.
func TestNoFinalInvoiceOnIncompleteExchange(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := ledger.NewService(db)
	if _, err := demo.Load(ctx, l); err != nil {
		t.Fatal(err)
	}
	s := commercial.NewService(l)
	if _, err := s.ImportPrices(ctx, mustOpen(t, "demo/prices.csv"), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveContract(ctx, []byte(mustFile(t, "demo/cu-2025.json"))); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct{ party, cu string }{{"seller", "22.05"}, {"buyer", "21.80"}} {
		sub := &commercial.ExchangeSubmission{Lot: commercial.DemoCopperLot, Party: x.party, Lab: "urn:lab:" + x.party, At: time.Date(2025, 10, 8, 0, 0, 0, 0, time.UTC),
			Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d(x.cu), Unit: "%"}, {Analyte: "Au", Value: d("4.0"), Unit: "g/t"}}}
		if _, err := s.SubmitAssays(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Issue(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Provisional); err != nil {
		t.Fatal(err)
	}
	before, _ := db.CountEvents(ctx)
	_, err = s.Issue(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	if !hasField(err, "/assay_exchange/lot/Cu") {
		t.Fatalf("err = %v, want the umpire's Cu result asked for", err)
	}
	after, _ := db.CountEvents(ctx)
	invs, _ := s.Invoices(ctx, critmin.InvoiceFilter{Lot: commercial.DemoCopperLot})
	if after != before || len(invs) != 1 {
		t.Errorf("a refused final invoice left %d events (had %d) and %d invoices", after, before, len(invs))
	}
	// The same submission twice is one event.
	sub := &commercial.ExchangeSubmission{Lot: commercial.DemoCopperLot, Party: "umpire", Lab: "urn:lab:u", At: time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC),
		Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d("21.9"), Unit: "%"}, {Analyte: "Au", Value: d("4.0"), Unit: "g/t"}}}
	id1, err1 := s.SubmitAssays(ctx, sub)
	id2, err2 := s.SubmitAssays(ctx, sub)
	n, _ := db.CountEvents(ctx)
	if err1 != nil || err2 != nil || id1 != id2 || n != after+1 {
		t.Errorf("resubmission: %v %v %s %s, events %d → %d", err1, err2, id1, id2, after, n)
	}
	if _, err := s.Issue(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final); err != nil {
		t.Errorf("final after the umpire: %v", err)
	}
}

// The sublots must make up the lot. cuLot settles (final) on 920.000 dmt
// (1000 wmt × (1 − 8 %): the loading weight stands, with its moisture);
// the tolerance is 0.5 % × 920 = 4.6 dmt. Sublots 10 + 20 = 30 dmt are
// refused; 500 + 424 = 924 (4 dmt over) settle; 500 + 425 = 925 (5 dmt
// over) are refused.
func TestSublotWeightsMakeUpTheLot(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	for _, c := range []struct {
		a, b string
		ok   bool
	}{{"10", "20", false}, {"500", "424", true}, {"500", "425", false}} {
		lot := cuLot()
		inSublots(lot, "A", "B")
		lot.Sublots = []commercial.Sublot{{ID: "A", DMT: d(c.a)}, {ID: "B", DMT: d(c.b)}}
		_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
		if c.ok && err != nil {
			t.Errorf("sublots %s + %s: %v", c.a, c.b, err)
		}
		if !c.ok && !hasField(err, "/sublots") {
			t.Errorf("sublots %s + %s: err = %v, want one naming sublots", c.a, c.b, err)
		}
	}
}

// inSublots gives each of lot's results to every sublot named: the same
// grades in each.
func inSublots(lot *commercial.LotFacts, ids ...string) {
	var res []commercial.AssayResult
	for _, sub := range ids {
		for _, r := range lot.Results {
			r.Sublot = sub
			res = append(res, r)
		}
	}
	lot.Results = res
}

// Umpire outside both results (issue 13, second check): seller 22.5 %,
// buyer 22.0 %, limit 0.2, umpire 25.0 %. The closer party is the seller
// (|22.5 − 25| = 2.5 < |22.0 − 25| = 3.0) and, the umpire lying outside
// [22.0, 22.5], the seller's 22.5 % is final — not (25 + 22.5) ÷ 2 = 23.75,
// which exceeds the seller's own claim. Below both: umpire 21.0, buyer
// closer (1.0 < 1.5): 22.0 %. Inside: umpire 22.4, seller closer:
// (22.4 + 22.5) ÷ 2 = 22.45 %.
func TestUmpireOutsideBothResults(t *testing.T) {
	x := &commercial.AssayExchangeTerms{Rule: "umpire_closer_mean", Limits: []commercial.SplitLimit{{Analyte: "Cu", Limit: d("0.2"), Unit: "%"}}}
	for _, c := range []struct{ umpire, want string }{{"25.0", "22.5"}, {"21.0", "22"}, {"22.4", "22.45"}} {
		res := []commercial.AssayResult{
			{Party: "seller", Analyte: "Cu", Value: d("22.5"), Unit: "%"},
			{Party: "buyer", Analyte: "Cu", Value: d("22.0"), Unit: "%"},
			{Party: "umpire", Analyte: "Cu", Value: d(c.umpire), Unit: "%"},
		}
		g, _, err := commercial.SettleAssays(x, res, nil, []string{"Cu"})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "umpire "+c.umpire, g["Cu"].Value, c.want)
	}
}

// TestParticipationGramsPerTonne (fix1213 item 9): price participation on
// a payable graded in g/t or ppm (grams per dry tonne: 1 g/t = 10⁻⁶ of the
// mass) is paid per gram of payable metal, never per % unit. Au 10 g/t
// (or 10 ppm), 90 % payable = 9 g/dmt; price 2100 USD/ozt, participation
// basis 2000, up share 0.1: 0.1 × (2100 − 2000) = 10 USD/ozt to the buyer;
// 9 g ÷ 31.1034768 g/ozt = 0.289357 ozt × 10 = 2.89357 USD/dmt, so the
// line is −2.89 on 1 dmt. (Read as % it would be 9 × 10⁴ g: −28 935.70;
// the payable line itself is 0.289357 × 2100 = 607.65.)
func TestParticipationGramsPerTonne(t *testing.T) {
	for _, unit := range []string{"g/t", "ppm"} {
		t.Run(unit, func(t *testing.T) {
			ts := MustTerms(t, `{"id": "P", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "x"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Au", "grade_unit": "`+unit+`", "payable_pct": 90, "price": {"fixed": 2100, "unit": "USD/ozt"},
	    "participation": {"basis": 2000, "up_share": 0.1, "down_share": 0.1}}]}`)
			lot := &commercial.LotFacts{Lot: "l", BLDate: day("2025-09-02"), Loading: commercial.Weighing{WMT: d("1"), MoisturePct: d("0")},
				Assays: map[string]commercial.Grade{"Au": {Value: d("10"), Unit: unit}}}
			st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "participation", lineAmount(t, st.Lines, "participation:Au"), "-2.89")
			eq(t, "payable", lineAmount(t, st.Lines, "payable:Au"), "607.65")
		})
	}
}
