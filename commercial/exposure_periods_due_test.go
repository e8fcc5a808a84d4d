package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// Issue 13, sixth new-user check (branch fix13f): one test per gap, each
// failing before its fix.

// splitQP is a quotational period of two explicit periods listed out of
// date order: 24–28 Nov 2025 (Mon–Fri, 5 days) pricing 0.75 of the metal,
// 3–5 Nov 2025 (Mon–Wed, 3 days) pricing 0.25.
const splitQP = `{"periods": [{"from": "2025-11-24", "to": "2025-11-28", "share": 0.75}, {"from": "2025-11-03", "to": "2025-11-05", "share": 0.25}]}`

// Gap 1: exposure fixes each explicit period's share over that period's
// own days. Lot BOOK-B, bought by the smelter under T-SALE (the demo
// copper terms without the exchange): 50 000 kg × (1 − 8 %) = 46 dmt;
// payable Cu min(96.5 % × 24, 24 − 1) = 23 % = 230 kg/dmt, × 46 = 10 580
// kg long. 0.25 × 10 580 = 2 645 kg over 3–5 Nov: 2 645 ÷ 3 = 881.666…
// → 881.667 on 3 and 4 Nov, the last day 2 645 − 2 × 881.667 = 881.666;
// 0.75 × 10 580 = 7 935 kg over 24–28 Nov: 7 935 ÷ 5 = 1 587 a day;
// nothing on 6–21 Nov. As of 25 Nov (every November day is published in
// the demo series) priced: 3–5 Nov 2 645 + 24–25 Nov 2 × 1 587 = 5 819;
// unpriced 26–28 Nov 3 × 1 587 = 4 761; 5 819 + 4 761 = 10 580 = long.
// The lot's QP is 3–28 Nov. Before: 24 Nov…5 Nov, no fixing day, priced
// + unpriced 0 ≠ 10 580 (in date order: 10 580 ÷ 19 weekdays = 556.842
// a day over 3–28 Nov, shares ignored).
func TestExposureFixesEachPeriodsShare(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-SALE", func(m map[string]any) {
		delete(m, "assay_exchange")
		m["seller"], m["buyer"] = "urn:critmin:demo:party:ussm", "urn:critmin:test:party:smelter"
		m["qp"] = jsonValue(t, splitQP)
	})
	bookLotOf(t, s, "urn:critmin:demo:party:ussm", "urn:critmin:test:lot:BOOK-B", 2, 50000)
	if _, err := s.IssueAt(ctx, "T-SALE", "urn:critmin:test:lot:BOOK-B", commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ex, err := s.Exposure(ctx, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC), "urn:critmin:test:party:smelter")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "long Cu", ex.Long["Cu"], "10580")
	eq(t, "priced Cu", ex.Priced["Cu"], "5819")
	eq(t, "unpriced Cu", ex.Unpriced["Cu"], "4761")
	if len(ex.Lots) != 1 || ex.Lots[0].QPFrom["Cu"] != "2025-11-03" || ex.Lots[0].QPTo["Cu"] != "2025-11-28" {
		t.Fatalf("lots %+v, want one with QP 2025-11-03…2025-11-28", ex.Lots)
	}
	want := map[string]string{"2025-11-03": "881.667", "2025-11-04": "881.667", "2025-11-05": "881.666",
		"2025-11-24": "1587", "2025-11-25": "1587", "2025-11-26": "1587", "2025-11-27": "1587", "2025-11-28": "1587"}
	got := map[string]decimal.Decimal{}
	for _, d := range ex.Days {
		if d.Element == "Cu" {
			got[d.Date] = d.PricedKg.Add(d.UnpricedKg)
		}
	}
	for day, kg := range want {
		eq(t, "Cu on "+day, got[day], kg)
	}
	if len(got) != len(want) {
		t.Errorf("Cu fixes on %d days, want 8 (none between the periods): %v", len(got), got)
	}
	// Explicit periods leave no month to declare: refused, naming element
	// (before: month 0 accepted, and ignored by the settlement).
	s.Now = func() time.Time { return time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC) }
	err = s.Declare(ctx, &critmin.QPDeclaration{Contract: "T-SALE", Lot: "urn:critmin:test:lot:BOOK-B", Element: "Cu", Month: 0, Party: "buyer"})
	if !hasField(err, "/element") || !strings.Contains(err.Error(), "2025-11-03…2025-11-28") {
		t.Errorf("a declaration on explicit periods: %v", err)
	}
}

// Gap 2: a final priced over explicit periods is due final_days after
// the latest period's end, whatever order they are listed in. The test
// copper lot (cuLot: B/L 2 Sep, arrival 30 Sep) under testdata/cu-conc
// with splitQP. CU at 9 000 USD/t on 3–5 Nov, 10 000 on 24–28 Nov, 9 500
// on other days: the final Cu price 0.25 × 9 000 + 0.75 × 10 000 = 2 250
// + 7 500 = 9 750 USD/t, its record 3…28 Nov over 3 + 5 = 8 days. Due:
// max(to) 28 Nov + 10 final days = 8 Dec 2025 (before: the last-listed
// period's to, 5 Nov + 10 = 15 Nov, before the QP ends). Both as parsed
// (stored in date order) and with the periods left out of order.
func TestFinalDueAfterTheLastPeriod(t *testing.T) {
	body := strings.Replace(mustFile(t, "testdata/cu-conc.json"),
		`"qp": {"event": "shipment", "month": 1, "options": [0, 1, 2], "declared_by": "buyer"}`, `"qp": `+splitQP, 1)
	cu := dailySeries("CU", "USD/t", "2025-08-01", "2025-11-28", func(t time.Time) string {
		switch d := t.Format(time.DateOnly); {
		case d >= "2025-11-03" && d <= "2025-11-05":
			return "9000"
		case d >= "2025-11-24":
			return "10000"
		}
		return "9500"
	})
	au := dailySeries("AU", "USD/ozt", "2025-08-01", "2025-11-28", func(time.Time) string { return "2000" })
	ag := dailySeries("AG", "USD/ozt", "2025-08-01", "2025-11-28", func(time.Time) string { return "25" })
	prices := map[string]*commercial.PriceSeries{"CU": cu, "AU": au, "AG": ag}
	for _, reversed := range []bool{false, true} {
		ts := MustTerms(t, body)
		if got := ts.QP.Periods[0].From; got != "2025-11-03" {
			t.Errorf("periods stored from %s, want date order (2025-11-03 first)", got)
		}
		if reversed {
			p := ts.QP.Periods
			p[0], p[1] = p[1], p[0]
		}
		lot := cuLot()
		prov, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: prices})
		if err != nil {
			t.Fatal(err)
		}
		pinv, err := commercial.NewProvisionalInvoice(ts, lot, prov, day("2025-09-05"))
		if err != nil {
			t.Fatal(err)
		}
		fin, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: prices})
		if err != nil {
			t.Fatal(err)
		}
		if fin.QPEnd != "2025-11-28" {
			t.Errorf("reversed %v: QP end %s, want 2025-11-28", reversed, fin.QPEnd)
		}
		for _, pf := range fin.Prices {
			if pf.Element == "Cu" {
				eq(t, "Cu price", pf.Exact, "9750")
				if pf.From != "2025-11-03" || pf.To != "2025-11-28" || pf.Days != 8 {
					t.Errorf("reversed %v: Cu price over %s…%s (%d days), want 2025-11-03…2025-11-28 (8)", reversed, pf.From, pf.To, pf.Days)
				}
			}
		}
		finv, err := commercial.NewFinalInvoice(ts, lot, fin, pinv, day("2025-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		if finv.DueDate != "2025-12-08" {
			t.Errorf("reversed %v: final due %s, want 2025-12-08 (28 Nov + 10 days)", reversed, finv.DueDate)
		}
	}
}

func jsonValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Gap 4: the NSR comparison's grades are those the value used. The demo
// REE lot REE-2025-001 (TestBasketOneSample): event 005 reports Nd2O3
// 5.3 % and Pr6O11 1.95 % without TREO, so the basket reads all three
// from the commissioning sample, event 001: TREO 45, Nd2O3 5.2, Pr6O11
// 1.9 (share 5.2 ÷ 45 = 0.115556). Before: grades listed Nd2O3 5.3 from
// event 005 beside a value computed on 5.2.
func TestNSRGradesAreThoseUsed(t *testing.T) {
	s := MustDemo(t)
	cmp, err := s.NSRFor(context.Background(), "FWO-USSM-REE-2025", "urn:critmin:demo:lot:REE-2025-001", "", time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []map[string]commercial.Grade{cmp.Grades, cmp.Cases[0].Grades} {
		for a, want := range map[string]string{"TREO": "45", "Nd2O3": "5.2", "Pr6O11": "1.9"} {
			eq(t, a, g[a].Value, want)
			if strings.Join(g[a].Events, " ") != "urn:critmin:demo:event:001" {
				t.Errorf("%s from %v, want event 001", a, g[a].Events)
			}
		}
	}
}

// Gap 6: one way to write a signed amount (commercial.Money): a true
// minus sign, never "−-". A final after a provisional of −189 087.13 USD
// takes off −189 087.13, i.e. adds 189 087.13: its less-provisional line
// reads "+189087.13 (less provisional invoice P of −189087.13)" (before:
// "−-189087.13"); a penalty's result reads −x like every other charge.
func TestSignedMoneyOneWay(t *testing.T) {
	if got := commercial.Money(d("-189087.13"), 2); got != "−189087.13" {
		t.Errorf("Money = %q", got)
	}
	if got := commercial.Money(d("-9.76785"), -1); got != "−9.76785" {
		t.Errorf("Money exact = %q", got)
	}
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	lot := cuLot()
	fin, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
	if err != nil {
		t.Fatal(err)
	}
	prov := &commercial.Invoice{ID: "P", Kind: commercial.Provisional, Currency: "USD", Total: d("-189087.13")}
	inv, err := commercial.NewFinalInvoice(ts, lot, fin, prov, day("2025-11-20"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range append(inv.Lines, fin.Lines...) {
		if strings.Contains(l.Formula, "−-") || strings.Contains(l.Formula, "= -") {
			t.Errorf("line %s: sign written two ways: %s", l.Code, l.Formula)
		}
		if l.Code == "less_provisional" && l.Formula != "+189087.13 (less provisional invoice P of −189087.13)" {
			t.Errorf("less provisional: %s", l.Formula)
		}
	}
}
