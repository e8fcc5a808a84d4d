package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// The bad inputs: each is refused with an EINVALID error naming
// the field, and no settlement (so no invoice) is made.
func TestBadTermSheets(t *testing.T) {
	base := mustFile(t, "testdata/cu-conc.json")
	cases := []struct {
		name, from, to, field string
	}{
		{"payable over 100 %", `"payable_pct": 96.5`, `"payable_pct": 101`, "/payables/0/payable_pct"},
		{"overlapping QPs", `"qp": {"event": "shipment", "month": 1, "options": [0, 1, 2], "declared_by": "buyer"}`,
			`"qp": {"periods": [{"from": "2025-10-01", "to": "2025-10-20", "share": 0.5}, {"from": "2025-10-15", "to": "2025-10-31", "share": 0.5}]}`, "/qp/periods/1"},
		{"QP shares short of 1", `"qp": {"event": "shipment", "month": 1, "options": [0, 1, 2], "declared_by": "buyer"}`,
			`"qp": {"periods": [{"from": "2025-10-01", "to": "2025-10-15", "share": 0.5}]}`, "/qp/periods"},
		{"currency mismatch in a price unit", `"unit": "USD/ozt"}}`, `"unit": "EUR/ozt"}}`, "/payables/1/price/unit"},
		{"unknown currency", `"currency": "USD"`, `"currency": "XYZ"`, "/currency"},
		{"unknown Incoterm", `"incoterm": "CIF"`, `"incoterm": "C&F"`, "/delivery/incoterm"},
		{"escalator below basis", `"escalators": [{"from": 9000`, `"escalators": [{"from": 8000`, "/tc/escalators/0/from"},
		{"RC on no payable", `{"element": "Ag", "rate": 0.40`, `{"element": "Zn", "rate": 0.40`, "/rc/2/element"},
		{"unknown field", `"name": "Copper`, `"nme": "Copper`, "/"},
		{"provisional share over 100", `"provisional_pct": 90`, `"provisional_pct": 120`, "/payment/provisional_pct"},
		// Issue 13, second check: option months obey the month's range
		// (−3…+6); magnitudes are bounded (1e12) as JSON numbers and as
		// decimal strings; a take-or-pay minimum of 1200 dmt exceeds the
		// 1000 dmt + 10 % = 1100 dmt the contract can deliver.
		{"QP option month 9", `"options": [0, 1, 2]`, `"options": [0, 9]`, "/qp/options/1"},
		{"TC base 1e300", `"base": 80`, `"base": 1e300`, "/tc/base"},
		{"TC base \"1e300\"", `"base": 80`, `"base": "1e300"`, "/tc/base"},
		// A splitting limit in a unit of another scale than the one the
		// contract reads the element in: results are exchanged in the
		// limit's unit, so the Cu payable (grade_unit %) could never be
		// settled against a limit in g/t, and the As penalty (%) not
		// against one in ppm. Au in ppm for a g/t payable is the same
		// scale (1 g/t = 1 ppm) and stays accepted (TestSplitLimitPPM).
		{"Cu splitting limit in g/t", `{"analyte": "Cu", "limit": 0.20, "unit": "%"}`, `{"analyte": "Cu", "limit": 0.20, "unit": "g/t"}`, "/assay_exchange/limits/0/unit"},
		{"As splitting limit in ppm", `{"analyte": "As", "limit": 0.03, "unit": "%"}`, `{"analyte": "As", "limit": 300, "unit": "ppm"}`, "/assay_exchange/limits/3/unit"},
		{"take-or-pay above quantity", `"rounding": {"mode": "half_up"},`, `"rounding": {"mode": "half_up"}, "quantity": {"dmt": 1000, "tolerance_pct": 10}, "take_or_pay": {"min_dmt": 1200, "period": "2025", "shortfall_rate": 5},`, "/take_or_pay/min_dmt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(base, tc.from, tc.to, 1)
			if body == base {
				t.Fatalf("case does not change the term sheet")
			}
			_, err := commercial.ParseTermSheet([]byte(body))
			if !hasField(err, tc.field) {
				t.Errorf("err = %v, want EINVALID naming %s", err, tc.field)
			}
		})
	}
}

func TestIncompleteDataMakesNoSettlement(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	t.Run("series without the QP's days", func(t *testing.T) {
		prices := cuPrices()
		// Copper stops on 24 October: the October QP lacks 27–31 October.
		cu := prices["CU"]
		for i, p := range cu.Points {
			if p.Date > "2025-10-24" {
				cu.Points = cu.Points[:i]
				break
			}
		}
		_, err := commercial.Settle(ts, cuLot(), commercial.SettleOptions{Kind: commercial.Final, Prices: prices})
		if !hasField(err, "/payables/0/price/qp") || !strings.Contains(err.Error(), "2025-10-27") {
			t.Errorf("err = %v, want the missing 27 October named", err)
		}
	})
	t.Run("exchange with a missing party", func(t *testing.T) {
		lot := cuLot()
		var kept []commercial.AssayResult
		for _, r := range lot.Results {
			if !(r.Analyte == "Au" && r.Party == "buyer") {
				kept = append(kept, r)
			}
		}
		lot.Results = kept
		_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
		if !hasField(err, "/assay_exchange/lot/Au") || !strings.Contains(err.Error(), "buyer") {
			t.Errorf("err = %v, want the buyer's Au result named", err)
		}
	})
	t.Run("umpire needed but absent", func(t *testing.T) {
		lot := cuLot()
		var kept []commercial.AssayResult
		for _, r := range lot.Results {
			if r.Party != "umpire" {
				kept = append(kept, r)
			}
		}
		lot.Results = kept
		_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
		if !hasField(err, "/assay_exchange/lot/Cu") || !strings.Contains(err.Error(), "umpire") {
			t.Errorf("err = %v, want the umpire's Cu result asked for", err)
		}
	})
	t.Run("currency mismatch of a series", func(t *testing.T) {
		prices := cuPrices()
		prices["AU"].Unit = "CNY/ozt"
		_, err := commercial.Settle(ts, cuLot(), commercial.SettleOptions{Kind: commercial.Provisional, Prices: prices})
		if !hasField(err, "/payables/1/price/unit") || !strings.Contains(err.Error(), "currency mismatch") {
			t.Errorf("err = %v, want a currency mismatch on the Au price", err)
		}
	})
	t.Run("missing assay", func(t *testing.T) {
		lot := cuLot()
		delete(lot.Assays, "As")
		_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: cuPrices()})
		if !hasField(err, "/lot/assays/As") {
			t.Errorf("err = %v, want the As assay named", err)
		}
	})
	t.Run("final invoice without a provisional one", func(t *testing.T) {
		lot := cuLot()
		fin, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := commercial.NewFinalInvoice(ts, lot, fin, nil, day("2025-11-05")); !hasField(err, "/provisional") {
			t.Errorf("err = %v, want the provisional invoice asked for", err)
		}
	})
}

func TestImportPriceCSV(t *testing.T) {
	csv := "series,date,value,unit,source,frequency\n" +
		"LME-CU,2025-10-02,9700,USD/t,LME (illustrative),daily\n" +
		"LME-CU,2025-10-01,9900,USD/t,LME (illustrative),daily\n" +
		"LME-CU,2025-10-03,,USD/t,LME (illustrative),daily\n" +
		"ARGUS-SB,2025-10-02,25.5,USD/lb,Argus (illustrative),irregular\n"
	got, err := commercial.ImportPriceCSV(strings.NewReader(csv), commercial.PriceSeries{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "LME-CU" || got[0].Currency != "USD" || len(got[0].Points) != 3 || got[0].Points[0].Date != "2025-10-01" || got[0].Points[2].Published {
		t.Fatalf("import = %+v", got[0])
	}
	// Published days only: (9900 + 9700) ÷ 2 = 9800; 3 Oct is a declared non-publication day.
	avg, n, err := got[0].Average(day("2025-10-01"), day("2025-10-03"), "qp")
	if err != nil || n != 2 || !avg.Equal(d("9800")) {
		t.Errorf("Average = %s, %d, %v; want 9800 over 2 days", avg, n, err)
	}
	for name, body := range map[string]string{
		"line 2/value":     "series,date,value,unit,source,frequency\nX,2025-10-01,abc,USD/t,s,daily\n",
		"line 2/date":      "series,date,value,unit,source,frequency\nX,01/10/2025,1,USD/t,s,daily\n",
		"line 2/unit":      "series,date,value,unit,source,frequency\nX,2025-10-01,1,USD/furlong,s,daily\n",
		"line 3/date":      "series,date,value,unit,source,frequency\nX,2025-10-01,1,USD/t,s,daily\nX,2025-10-01,2,USD/t,s,daily\n",
		"line 3/unit":      "series,date,value,unit,source,frequency\nX,2025-10-01,1,USD/t,s,daily\nX,2025-10-02,2,USD/lb,s,daily\n",
		"line 2/source":    "series,date,value,unit,frequency\nX,2025-10-01,1,USD/t,daily\n",
		"line 2/frequency": "series,date,value,unit,source,frequency\nX,2025-10-01,1,USD/t,s,hourly\n",
		"line 1/value":     "series,date,price\nX,2025-10-01,1\n",
	} {
		if _, err := commercial.ImportPriceCSV(strings.NewReader(body), commercial.PriceSeries{}); !hasField(err, name) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// A file with several faults is refused whole, every fault named by line
// and column, so that it can be fixed in one round trip.
func TestImportPriceCSVListsEveryFault(t *testing.T) {
	body := "series,date,value,unit,source,frequency\n" +
		"X,2025-10-01,1,USD/t,s,daily\n" + // line 2: good
		"X,2025-13-01,2,USD/t,s,daily\n" + // line 3: no month 13
		"X,2025-10-02,-5,USD/t,s,daily\n" + // line 4: negative
		"Y,2025-10-01,7,USD/t,s,daily\n" + // line 5: good
		"Y,2025-10-02,x,USD/t,s,daily\n" // line 6: not a number
	got, err := commercial.ImportPriceCSV(strings.NewReader(body), commercial.PriceSeries{})
	if got != nil {
		t.Errorf("series returned from a file with faults: %v", got)
	}
	var ptrs []string
	for _, f := range critmin.ErrorFields(err) {
		ptrs = append(ptrs, f.Pointer)
	}
	if want := []string{"line 3/date", "line 4/value", "line 6/value"}; strings.Join(ptrs, ",") != strings.Join(want, ",") {
		t.Errorf("faults %v, want %v (err %v)", ptrs, want, err)
	}
}

// Prices out of range and weekend days of a daily series are refused by
// line: 1e400 is over the 10^9 ceiling; 0 is no price (an empty value
// marks a day without publication); 4 October 2025 is a Saturday, fine in
// an irregular (agency) series but not in a daily (exchange) one.
func TestImportPriceCSVRangeAndCalendar(t *testing.T) {
	body := "series,date,value,unit,source,frequency\n" +
		"X,2025-10-01,1e400,USD/t,s,daily\n" + // line 2: over 10^9
		"X,2025-10-02,0,USD/t,s,daily\n" + // line 3: zero
		"X,2025-10-04,9000,USD/t,s,daily\n" + // line 4: Saturday
		"X,2025-10-03,0.0000001,USD/t,s,daily\n" + // line 5: 7 decimals
		"A,2025-10-04,30000,USD/t,agency,irregular\n" // line 6: good
	_, err := commercial.ImportPriceCSV(strings.NewReader(body), commercial.PriceSeries{})
	var ptrs []string
	for _, f := range critmin.ErrorFields(err) {
		ptrs = append(ptrs, f.Pointer)
	}
	if want := []string{"line 2/value", "line 3/value", "line 4/date", "line 5/value"}; strings.Join(ptrs, ",") != strings.Join(want, ",") {
		t.Errorf("faults %v, want %v (err %v)", ptrs, want, err)
	}
	if _, err := commercial.ImportPriceCSV(strings.NewReader("series,date,value,unit,source,frequency\nA,2025-10-04,30000,USD/t,agency,irregular\n"), commercial.PriceSeries{}); err != nil {
		t.Errorf("a Saturday in an irregular series: %v", err)
	}
	// The same checks guard a series saved whole.
	ps := &commercial.PriceSeries{ID: "Z", Source: "s", Unit: "USD/t", Frequency: commercial.Daily,
		Points: []commercial.PricePoint{{Date: "2025-10-05", Value: decimal.NewFromInt(1), Published: true}}}
	if err := ps.Validate(); !hasField(err, "series Z/date") {
		t.Errorf("Sunday in a daily series: %v", err)
	}
}

// Every numeric term-sheet field is range-checked, whether it comes as a
// JSON number (the schema refuses it) or as a decimal string (only the
// domain sees it): each case is one edit of testdata/cu-conc.json.
func TestTermSheetNumericRanges(t *testing.T) {
	base := mustFile(t, "testdata/cu-conc.json")
	for _, c := range []struct{ from, to, field string }{
		{`"franchise_pct": 0.5`, `"franchise_pct": -1`, "/weights/franchise_pct"},
		{`"franchise_pct": 0.5`, `"franchise_pct": "-1"`, "/weights/franchise_pct"},
		{`"franchise_pct": 0.5`, `"franchise_pct": "100"`, "/weights/franchise_pct"},
		{`"provisional_days": 5`, `"provisional_days": -5`, "/payment/provisional_days"},
		{`"min_grade": 1`, `"min_grade": "-1"`, "/payables/1/min_grade"},
		{`"min_deduction": 1,`, `"min_deduction": "101",`, "/payables/0/min_deduction"},
		{`"threshold": 0.2`, `"threshold": "-0.2"`, "/penalties/0/threshold"},
		{`"rate": 3, "pro_rata"`, `"rate": "-3", "pro_rata"`, "/penalties/0/rate"},
		{`"payable_pct": 96.5`, `"payable_pct": "-1"`, "/payables/0/payable_pct"},
		{`"price": {"series": "CU", "unit": "USD/t"}`, `"price": {"fixed": "0", "unit": "USD/t"}`, "/payables/0/price/fixed"},
		{`"price": {"series": "CU", "unit": "USD/t"}`, `"price": {"series": "CU", "unit": "USD/t", "floor": "-5"}`, "/payables/0/price/floor"},
		{`"rounding": {"mode": "half_up"}`, `"rounding": {"mode": "half_up", "decimals": 9}`, "/rounding/decimals"},
		{`"delivery"`, `"quantity": {"dmt": "0", "tolerance_pct": 10}, "delivery"`, "/quantity/dmt"},
		{`"delivery"`, `"moisture": {"franchise_pct": 10, "rate": "-2"}, "delivery"`, "/moisture/rate"},
	} {
		body := strings.Replace(base, c.from, c.to, 1)
		if body == base {
			t.Fatalf("%s not in the test term sheet", c.from)
		}
		if _, err := commercial.ParseTermSheet([]byte(body)); !hasField(err, c.field) {
			t.Errorf("%s: err = %v, want one naming %s", c.to, err, c.field)
		}
	}
	// TC below zero is allowed (a seller's market), so is a negative TC floor.
	neg := strings.Replace(base, `"cap": 95}`, `"cap": 95, "floor": -20}`, 1)
	if _, err := commercial.ParseTermSheet([]byte(strings.Replace(neg, `"base": 80`, `"base": -10`, 1))); err != nil {
		t.Errorf("negative TC: %v", err)
	}
}

// docs/trade.md: qp is a month (with options) or explicit periods. A
// term sheet with periods and no month is accepted; both are
// refused (a missing month is month 0, the month of shipment); a period
// ending before it starts names its `to`.
func TestQPMonthOrPeriods(t *testing.T) {
	base := mustFile(t, "testdata/cu-conc.json")
	month := `"qp": {"event": "shipment", "month": 1, "options": [0, 1, 2], "declared_by": "buyer"}`
	periods := `"qp": {"periods": [{"from": "2025-10-01", "to": "2025-10-15", "share": 0.5}, {"from": "2025-10-16", "to": "2025-10-31", "share": 0.5}]}`
	if _, err := commercial.ParseTermSheet([]byte(strings.Replace(base, month, periods, 1))); err != nil {
		t.Errorf("periods without month: %v", err)
	}
	for _, c := range []struct{ qp, field string }{
		{`"qp": {"month": 1, "periods": [{"from": "2025-10-01", "to": "2025-10-31", "share": 1}]}`, "/qp/periods"},
		{`"qp": {"options": [0, 1], "declared_by": "buyer", "periods": [{"from": "2025-10-01", "to": "2025-10-31", "share": 1}]}`, "/qp/periods"},
		{`"qp": {"periods": [{"from": "2025-10-31", "to": "2025-10-01", "share": 1}]}`, "/qp/periods/0/to"},
	} {
		_, err := commercial.ParseTermSheet([]byte(strings.Replace(base, month, c.qp, 1)))
		if !hasField(err, c.field) {
			t.Errorf("%s: err = %v, want one naming %s", c.qp, err, c.field)
		}
		if strings.Contains(c.field, "to") && !strings.Contains(critmin.ErrorMessage(err), "before it starts") {
			t.Errorf("period to before from: %v", err)
		}
	}
}

// A party's country is an ISO 3166-1 alpha-3 code, refused at the reader
// with its pointer otherwise.
func TestAgreementRefusesCountryThatIsNotISO3166(t *testing.T) {
	b := []byte(`{"id":"a","name":"t","signed":"2025-09-08","binding":false,"parties":[{"id":"p","name":"P","country":"USA"},{"id":"q","name":"Q","country":"pak"}],"headline":{"amount":"1","currency":"USD"},"commodities":[],"tranches":[],"milestones":[]}`)
	_, err := commercial.ParseAgreement(b)
	f := critmin.ErrorFields(err)
	if len(f) == 0 || f[0].Pointer != "/parties/1/country" {
		t.Fatalf("error %v; want the pointer /parties/1/country", err)
	}
}

// Two penalty bands on one analyte give two lines with distinct codes
// (issue 13, second check: both were "penalty:As"). As 0.2–0.3 % at 3
// USD per 0.1 % pro rata, above 0.3 % at 5: the provisional As 0.35 % on
// 920 dmt gives band 1 (0.3 − 0.2) ÷ 0.1 = 1 step × 3 = 3/dmt → −2 760.00
// and band 2 (0.35 − 0.3) ÷ 0.1 = 0.5 × 5 = 2.5/dmt → −2 300.00.
func TestPenaltyBandCodesUnique(t *testing.T) {
	body := strings.Replace(mustFile(t, "testdata/cu-conc.json"),
		`{"analyte": "As", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 3, "pro_rata": true}`,
		`{"analyte": "As", "unit": "%", "threshold": 0.2, "up_to": 0.3, "step": 0.1, "rate": 3, "pro_rata": true}, {"analyte": "As", "unit": "%", "threshold": 0.3, "step": 0.1, "rate": 5, "pro_rata": true}`, 1)
	ts := MustTerms(t, body)
	st, err := commercial.Settle(ts, cuLot(), commercial.SettleOptions{Kind: commercial.Provisional, Prices: cuPrices()})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]int{}
	for _, l := range st.Lines {
		codes[l.Code]++
		if codes[l.Code] > 1 {
			t.Errorf("line code %s appears twice", l.Code)
		}
	}
	eq(t, "band 1", lineAmount(t, st.Lines, "penalty:As:1"), "-2760.00")
	eq(t, "band 2", lineAmount(t, st.Lines, "penalty:As:2"), "-2300.00")
}

// TestSplitLimitPPM: a gold splitting limit in ppm on a payable read in
// g/t is the same scale (1 g/t = 1 ppm by mass) and is accepted.
func TestSplitLimitPPM(t *testing.T) {
	base := mustFile(t, "testdata/cu-conc.json")
	body := strings.Replace(base, `{"analyte": "Au", "limit": 0.20, "unit": "g/t"}`, `{"analyte": "Au", "limit": 0.20, "unit": "ppm"}`, 1)
	if body == base {
		t.Fatal("case does not change the term sheet")
	}
	if _, err := commercial.ParseTermSheet([]byte(body)); err != nil {
		t.Errorf("Au limit in ppm on a g/t payable: %v", err)
	}
}

// TestExchangeAcrossPPMAndGPT: 1 g/t = 1 ppm by mass, so results in ppm
// are compared with a limit in g/t as they are. Seller Au 4.10 ppm, buyer
// 3.95 g/t, limit 0.20 g/t: |4.10 − 3.95| = 0.15 ≤ 0.20, split: (4.10 +
// 3.95) ÷ 2 = 4.025. They were refused ("results must share a unit"),
// and a limit in ppm against results in g/t ("results are in g/t, the
// splitting limit in ppm") too. Results in % against a limit in g/t are
// still refused: another scale.
func TestExchangeAcrossPPMAndGPT(t *testing.T) {
	for _, limUnit := range []string{"g/t", "ppm"} {
		x := &commercial.AssayExchangeTerms{Rule: "umpire_closer_mean", Limits: []commercial.SplitLimit{{Analyte: "Au", Limit: d("0.20"), Unit: limUnit}}}
		res := []commercial.AssayResult{
			{Party: "seller", Analyte: "Au", Value: d("4.10"), Unit: "ppm"},
			{Party: "buyer", Analyte: "Au", Value: d("3.95"), Unit: "g/t"},
		}
		g, _, err := commercial.SettleAssays(x, res, nil, []string{"Au"})
		if err != nil {
			t.Fatalf("limit in %s: %v", limUnit, err)
		}
		eq(t, "Au, limit in "+limUnit, g["Au"].Value, "4.025")
	}
	x := &commercial.AssayExchangeTerms{Rule: "umpire_closer_mean", Limits: []commercial.SplitLimit{{Analyte: "Au", Limit: d("0.20"), Unit: "g/t"}}}
	res := []commercial.AssayResult{
		{Party: "seller", Analyte: "Au", Value: d("0.00041"), Unit: "%"},
		{Party: "buyer", Analyte: "Au", Value: d("0.000395"), Unit: "%"},
	}
	if _, _, err := commercial.SettleAssays(x, res, nil, []string{"Au"}); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("results in %% against a limit in g/t: err = %v, want EINVALID", err)
	}
}

// TestWhatIfTermsTakeTheirOwnID: `trade settle --terms FILE` with a file
// that reuses a stored contract's id but changes its terms (provisional
// share 85 % → 50 %) mixed the two: the provisional amount of the stored
// invoice (85 %) beside a lot value and balance under the file's terms.
// It is refused naming terms; the demo file itself (the stored terms) is
// accepted with its invoice; the same what-if under its own id has no
// invoices and a provisional amount of round(provisional value × 0.50, 2).
func TestWhatIfTermsTakeTheirOwnID(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	orig := mustFile(t, "demo/ree-2025.json")
	whatIf := strings.Replace(orig, `"provisional_pct": 85`, `"provisional_pct": 50`, 1)
	if whatIf == orig {
		t.Fatal("demo REE terms no longer say provisional_pct 85")
	}
	parse := func(body string) *commercial.TermSheet {
		ts, err := commercial.ParseTermSheet([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	if _, _, err := s.ValueUnder(ctx, parse(whatIf), commercial.DemoREELot1); !hasField(err, "/terms") {
		t.Errorf("what-if under the stored id: err = %v, want EINVALID naming terms", err)
	}
	v, _, err := s.ValueUnder(ctx, parse(orig), commercial.DemoREELot1)
	if err != nil || len(v.Invoices) != 1 || !v.ProvAmount.Equal(v.Invoices[0].Total) {
		t.Fatalf("the stored terms from the file: %v", err)
	}
	own := parse(strings.Replace(whatIf, `"FWO-USSM-REE-2025"`, `"REE-WHATIF"`, 1))
	v, _, err = s.ValueUnder(ctx, own, commercial.DemoREELot1)
	if err != nil {
		t.Fatal(err)
	}
	if want := v.Provisional.Value.Mul(decimal.RequireFromString("0.50")).Round(2); len(v.Invoices) != 0 || !v.ProvAmount.Equal(want) {
		t.Errorf("what-if under its own id: %d invoices, provisional amount %s; want none and %s × 0.50 = %s", len(v.Invoices), v.ProvAmount, v.Provisional.Value, want)
	}
}
