package commercial_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// MustTerms parses a term sheet or fails the test.
func MustTerms(tb testing.TB, body string) *commercial.TermSheet {
	tb.Helper()
	ts, err := commercial.ParseTermSheet([]byte(body))
	if err != nil {
		tb.Fatalf("ParseTermSheet: %v", err)
	}
	return ts
}

func mustFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// dailySeries publishes price(day) on every weekday in [from, to], and
// marks the days in holidays as not published.
func dailySeries(id, unit string, from, to string, price func(time.Time) string, holidays ...string) *commercial.PriceSeries {
	s := &commercial.PriceSeries{ID: id, Source: "test", Unit: unit, Frequency: commercial.Daily}
	for t := day(from); !t.After(day(to)); t = t.AddDate(0, 0, 1) {
		if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
			continue
		}
		p := commercial.PricePoint{Date: t.Format(time.DateOnly)}
		if !contains(holidays, p.Date) {
			p.Value, p.Published = d(price(t)), true
		}
		s.Points = append(s.Points, p)
	}
	if err := s.Validate(); err != nil {
		panic(err)
	}
	return s
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// cuPrices: September at the provisional level, October (the M+1 QP of a
// 2 September B/L) at the final level. Copper alternates 9700 and 9900 on
// October's published days with 13 October not published: the 22 published
// days average 9800; counting the holiday as a zero would give 9373.91.
func cuPrices() map[string]*commercial.PriceSeries {
	n := 0
	cu := dailySeries("CU", "USD/t", "2025-08-01", "2025-10-31", func(t time.Time) string {
		if t.Month() < time.October {
			return "9600"
		}
		n++
		if n%2 == 1 {
			return "9700"
		}
		return "9900"
	}, "2025-10-13")
	au := dailySeries("AU", "USD/ozt", "2025-08-01", "2025-10-31", func(t time.Time) string {
		if t.Month() < time.October {
			return "1950"
		}
		return "2000"
	})
	ag := dailySeries("AG", "USD/ozt", "2025-08-01", "2025-10-31", func(t time.Time) string {
		if t.Month() < time.October {
			return "24"
		}
		return "25"
	})
	return map[string]*commercial.PriceSeries{"CU": cu, "AU": au, "AG": ag}
}

// cuLot: 1000 wmt loaded at 8 % moisture on a B/L of 2 September 2025;
// 997 wmt discharged at 8.2 %. Seller's loading assays Cu 24 %, Au 4.1 g/t,
// Ag 50 g/t, As 0.35 %. The exchange: Cu 24.10 (seller) vs 23.70 (buyer),
// over the 0.20 limit, umpire 23.80; Au 4.10/4.00, Ag 50/48, As 0.35/0.33
// all within their limits.
func cuLot() *commercial.LotFacts {
	g := func(v, u string) commercial.Grade {
		return commercial.Grade{Value: d(v), Unit: u, Formula: "seller's loading assay", Events: []string{"ev:assay-load"}}
	}
	r := func(party, a, v, u string) commercial.AssayResult {
		return commercial.AssayResult{Party: party, Analyte: a, Value: d(v), Unit: u, EventID: "ev:assay-" + party}
	}
	arr := day("2025-09-30")
	return &commercial.LotFacts{
		Lot: "urn:test:lot:cu-1", Commodity: "copper_concentrate",
		BL: "urn:test:bol:1", BLDate: day("2025-09-02"), BLEvent: "ev:bl",
		Arrival: &arr, ArrivalEvent: "ev:arrival",
		Loading:   commercial.Weighing{WMT: d("1000"), MoisturePct: d("8"), EventID: "ev:bl"},
		Discharge: &commercial.Weighing{WMT: d("997"), MoisturePct: d("8.2"), EventID: "ev:receipt"},
		Assays:    map[string]commercial.Grade{"Cu": g("24.0", "%"), "Au": g("4.1", "g/t"), "Ag": g("50", "g/t"), "As": g("0.35", "%")},
		Results: []commercial.AssayResult{
			r("seller", "Cu", "24.10", "%"), r("buyer", "Cu", "23.70", "%"), r("umpire", "Cu", "23.80", "%"),
			r("seller", "Au", "4.10", "g/t"), r("buyer", "Au", "4.00", "g/t"),
			r("seller", "Ag", "50", "g/t"), r("buyer", "Ag", "48", "g/t"),
			r("seller", "As", "0.35", "%"), r("buyer", "As", "0.33", "%"),
		},
	}
}

func lineAmount(tb testing.TB, lines []commercial.Line, code string) decimal.Decimal {
	tb.Helper()
	for _, l := range lines {
		if l.Code == code {
			if l.Formula == "" {
				tb.Errorf("line %s has no formula", code)
			}
			return l.Amount
		}
	}
	tb.Fatalf("no line %s in %+v", code, lines)
	return decimal.Zero
}

func eq(tb testing.TB, what string, got decimal.Decimal, want string) {
	tb.Helper()
	if !got.Equal(d(want)) {
		tb.Errorf("%s = %s, want %s", what, got, want)
	}
}

// The example: the copper refining charge on a 24 % Cu
// concentrate with a one-unit minimum deduction at 4.5 ¢/lb.
// Payable = min(96.5 % × 24, 24 − 1) = 23 % (the deduction binds).
// 23 % of a dmt = 230 000 g ÷ 453.59237 g/lb = 507.0632 lb;
// × 4.5 ¢/lb = 2281.78 ¢ = 22.8178 USD/dmt (≈ 23 × 22.046 × 0.045 = 22.82).
// On one dmt the line rounds to −22.82.
func TestRefiningChargeMinimumDeduction(t *testing.T) {
	ts := MustTerms(t, `{"id": "RC", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "min_deduction": 1, "price": {"fixed": 9000, "unit": "USD/t"}}],
	  "rc": [{"element": "Cu", "rate": 4.5, "unit": "USc/lb"}]}`)
	lot := &commercial.LotFacts{Lot: "l", BLDate: day("2025-09-02"), Loading: commercial.Weighing{WMT: d("1"), MoisturePct: d("0")},
		Assays: map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}}}
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "RC amount", lineAmount(t, st.Lines, "rc:Cu"), "-22.82")
	// Payable: 23 % × 9000 USD/t = 2070 USD/dmt.
	eq(t, "payable Cu", lineAmount(t, st.Lines, "payable:Cu"), "2070")
	if !strings.Contains(st.Lines[0].Formula, "minimum deduction binds") {
		t.Errorf("payable formula does not say the deduction binds: %s", st.Lines[0].Formula)
	}
	// The rounding rule: per dmt, 2070.000000 − 22.817844 (507.0632030 lb ×
	// 0.045 = 22.8178441, to 6 places) = 2047.182156 → NSR 2047.1822, the
	// sum of the per-dmt column; the value is the sum of the rounded
	// amounts, 2070.00 − 22.82 = 2047.18 (not NSR × dmt re-rounded).
	eq(t, "rc per dmt", st.Lines[1].PerDMT, "-22.817844")
	eq(t, "nsr_per_dmt", st.NSRPerDMT, "2047.1822")
	eq(t, "value", st.Value, "2047.18")
}

// A complete copper-concentrate settlement (figures recomputed
// independently with Python's decimal module):
//
// Provisional: 1000 wmt × (1 − 8 %) = 920.000 dmt; last prices on or before
// the B/L date 2 Sep: Cu 9600 USD/t, Au 1950, Ag 24 USD/ozt.
//
//	Cu  min(96.5 % × 24, 24 − 1) = 23 % × 9600           = 2208.00 /dmt → 2 031 360.00
//	Au  90 % × 4.1 = 3.69 g ÷ 31.1034768 × 1950           =  231.3407 → 212 833.44
//	Ag  min(45, 50 − 30) = 20 g ÷ 31.1034768 × 24          =   15.4324 →  14 197.77
//	TC  80 + (9600 − 9000) ÷ 100 × 2 = 92                 →  −84 640.00
//	RC  Cu 230 000 g ÷ 453.59237 × 0.08 = 40.5651          →  −37 319.85
//	    Au 3.69 ÷ 31.1034768 × 5 = 0.5932                  →     −545.73
//	    Ag 20 ÷ 31.1034768 × 0.40 = 0.2572                 →     −236.63
//	As  (0.35 − 0.2) ÷ 0.1 = 1.5 steps × 3 = 4.50          →   −4 140.00
//	value 2 131 509.00; provisional invoice 90 % = 1 918 358.10.
//
// Final: outturn 997 wmt ≥ 1000 × (1 − 0.5 %) = 995, so the loading weight
// stands, with the loading moisture 8 % (moisture follows the weight; the
// discharge 8.2 % goes with the outturn 997 wmt only): 1000 × 0.92 =
// 920.000 dmt (before: 1000 × (1 − 8.2 %) = 918, the loading weight less
// water measured at discharge). Assays: Cu goes to
// the umpire (|24.10 − 23.70| = 0.40 > 0.20), umpire 23.80, buyer closer:
// (23.80 + 23.70) ÷ 2 = 23.75 %; Au (4.10 + 4.00) ÷ 2 = 4.05; Ag 49; As
// 0.34. October averages: Cu 9800, Au 2000, Ag 25.
//
//	Cu  min(96.5 % × 23.75 = 22.91875, 22.75) = 22.75 % × 9800 = 2229.50 × 920 → 2 051 140.00
//	Au  90 % × 4.05 = 3.645 g ÷ 31.1034768 × 2000 = 234.378942          →   215 628.63
//	Ag  min(44.1, 19) = 19 g ÷ 31.1034768 × 25 = 15.271605               →    14 049.88
//	TC  80 + 8 × 2 = 96, capped at 95                                   →   −87 400.00
//	RC  Cu 227 500 ÷ 453.59237 × 0.08 = 40.124132                        →   −36 914.20
//	    Au 3.645 ÷ 31.1034768 × 5 = 0.585947 → −539.07; Ag 19 ÷ 31.1034768 × 0.40 = 0.244346 → −224.80
//	As  (0.34 − 0.2) ÷ 0.1 = 1.4 × 3 = 4.20                              →    −3 864.00
//	value 2 151 876.44; balance 2 151 876.44 − 1 918 358.10 = 233 518.34.
func TestCopperConcentrateSettlement(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	lot, prices := cuLot(), cuPrices()
	prov, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: prices})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "provisional dmt", prov.DMT, "920")
	for code, want := range map[string]string{"payable:Cu": "2031360.00", "payable:Au": "212833.44", "payable:Ag": "14197.77",
		"tc": "-84640.00", "rc:Cu": "-37319.85", "rc:Au": "-545.73", "rc:Ag": "-236.63", "penalty:As": "-4140.00"} {
		eq(t, "provisional "+code, lineAmount(t, prov.Lines, code), want)
	}
	eq(t, "provisional value", prov.Value, "2131509.00")
	pinv, err := commercial.NewProvisionalInvoice(ts, lot, prov, day("2025-09-03"))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "provisional invoice", pinv.Total, "1918358.10")
	if pinv.DueDate != "2025-09-07" {
		t.Errorf("provisional due %s, want 2025-09-07 (B/L + 5 days)", pinv.DueDate)
	}
	if pinv.Remark != "" {
		t.Errorf("an invoice issued before its due date has a remark: %s", pinv.Remark)
	}
	// Issued on 20 Sep, after the 7 Sep due date (B/L 2 Sep + 5 days):
	// due on its issue day, never before it exists, and the invoice names
	// the contractual date.
	late, err := commercial.NewProvisionalInvoice(ts, lot, prov, day("2025-09-20"))
	if err != nil {
		t.Fatal(err)
	}
	if late.DueDate != "2025-09-20" || late.Remark != "issued on 2025-09-20, after its contractual due date 2025-09-07 (B/L date + 5 days): payable on receipt, due 2025-09-20" {
		t.Errorf("late invoice due %s, remark %q", late.DueDate, late.Remark)
	}

	fin, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: prices})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "final dmt", fin.DMT, "920")
	for code, want := range map[string]string{"payable:Cu": "2051140.00", "payable:Au": "215628.63", "payable:Ag": "14049.88",
		"tc": "-87400.00", "rc:Cu": "-36914.20", "rc:Au": "-539.07", "rc:Ag": "-224.80", "penalty:As": "-3864.00"} {
		eq(t, "final "+code, lineAmount(t, fin.Lines, code), want)
	}
	eq(t, "final value", fin.Value, "2151876.44")
	var cu commercial.SettledAssay
	for _, s := range fin.Exchange {
		if s.Analyte == "Cu" {
			cu = s
		}
	}
	if cu.Umpire == nil || !cu.Settled.Equal(d("23.75")) {
		t.Errorf("Cu exchange = %+v, want umpire 23.80 and settled 23.75", cu)
	}
	finv, err := commercial.NewFinalInvoice(ts, lot, fin, pinv, day("2025-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "final balance", finv.Total, "233518.34")
	if finv.DueDate != "2025-11-10" {
		t.Errorf("final due %s, want 2025-11-10 (QP end 31 Oct + 10 days)", finv.DueDate)
	}
	for _, inv := range []*commercial.Invoice{pinv, finv} {
		if err := inv.Check(); err != nil {
			t.Error(err)
		}
		if !contains(inv.Events, "ev:bl") || !contains(inv.Events, "ev:assay-load") && inv.Kind == commercial.Provisional {
			t.Errorf("%s invoice events %v lack the B/L or assay event", inv.Kind, inv.Events)
		}
	}
	if !contains(finv.Events, "ev:assay-umpire") || !contains(finv.Events, "ev:receipt") {
		t.Errorf("final invoice events %v lack the umpire or receipt event", finv.Events)
	}
	// The checker catches a line that no longer adds up.
	finv.Lines[0].Amount = finv.Lines[0].Amount.Add(d("0.01"))
	if err := finv.Check(); err == nil {
		t.Error("Check accepted an invoice whose lines do not add up")
	}
}

// A declared QP month replaces the contract's: the buyer declares M+0
// (September, Cu 9600 every day) instead of M+1 before the B/L date.
// Cu 22.75 % × 9600 = 2184.00 USD/dmt × 920 dmt (the loading 1000 wmt at
// the loading 8 %) = 2 009 280.00.
func TestQPDeclaration(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	decl := []commercial.Declaration{{Element: "Cu", Month: 0, Party: "buyer", DeclaredAt: day("2025-09-01")}}
	fin, err := commercial.Settle(ts, cuLot(), commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices(), Declarations: decl})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Cu at the declared QP", lineAmount(t, fin.Lines, "payable:Cu"), "2009280.00")
	bad := []commercial.Declaration{{Element: "Cu", Month: 3, Party: "buyer", DeclaredAt: day("2025-09-01")}}
	if _, err := commercial.Settle(ts, cuLot(), commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices(), Declarations: bad}); !hasField(err, "/declarations/Cu") {
		t.Errorf("undeclarable month: err = %v", err)
	}
	late := []commercial.Declaration{{Element: "Cu", Month: 2, Party: "buyer", DeclaredAt: day("2025-09-05")}}
	if _, err := commercial.Settle(ts, cuLot(), commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices(), Declarations: late}); !hasField(err, "/declarations/Cu") {
		t.Errorf("late declaration: err = %v", err)
	}
}

// An NdPr oxide sale under a price floor (the US DoD floor of 110 USD/kg in
// its July 2025 agreement with MP Materials): 1150 kg of oxide, Nd2O3 74.5 %
// + Pr6O11 24.8 % = 99.3 % ≥ the 99 % specification, paid on product
// weight; the agency assessment of 69 USD/kg is below the floor, so
// 1.150 dmt × 1000 kg × 110 = 126 500.00 USD.
func TestNdPrOxideUnderFloor(t *testing.T) {
	ts := MustTerms(t, `{"id": "NDPR", "commodity": "ndpr_oxide", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "DAP", "place": "Fort Worth"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "NdPr oxide", "analytes": ["Nd2O3", "Pr6O11"], "grade_unit": "%", "basis": "product", "min_grade": 99,
	                "payable_pct": 100, "price": {"series": "NDPR", "unit": "USD/kg", "floor": 110}}]}`)
	s := &commercial.PriceSeries{ID: "NDPR", Source: "agency (test)", Unit: "USD/kg", Frequency: commercial.Irregular,
		Points: []commercial.PricePoint{{Date: "2025-10-15", Value: d("69"), Published: true}}}
	lot := &commercial.LotFacts{Lot: "ndpr", BLDate: day("2025-10-20"), Loading: commercial.Weighing{WMT: d("1.150"), MoisturePct: d("0")},
		Assays: map[string]commercial.Grade{"Nd2O3": {Value: d("74.5"), Unit: "%"}, "Pr6O11": {Value: d("24.8"), Unit: "%"}}}
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: map[string]*commercial.PriceSeries{"NDPR": s}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "NdPr oxide value", st.Value, "126500.00")
	if !strings.Contains(st.Prices[0].Formula, "floor") {
		t.Errorf("price formula does not show the floor: %s", st.Prices[0].Formula)
	}
	// The line itself says the floor set the price: max(69, floor 110).
	if f := lineFormula(t, st.Lines, "payable:NdPr oxide"); !strings.Contains(f, "max(69, floor 110) = 110 USD/kg (the floor applies)") {
		t.Errorf("line formula does not say the floor applied: %s", f)
	}
	// Off-specification (98.9 %) oxide is not payable.
	lot.Assays["Pr6O11"] = commercial.Grade{Value: d("24.4"), Unit: "%"}
	st, err = commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: map[string]*commercial.PriceSeries{"NDPR": s}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "off-spec value", st.Value, "0")
}

// A REE concentrate on a basket price: TREO 12 %, Nd2O3 2.6 %, Pr6O11 0.8 %;
// basket per kg TREO = 2.6/12 × 73 + 0.8/12 × 74 = 15.8167 + 4.9333 = 20.75
// USD/kg; 35 % payable: 120 kg TREO/dmt × 35 % × 20.75 = 871.50 USD/dmt;
// 25 wmt at 8 % = 23.000 dmt → 20 044.50 USD.
func TestREEBasket(t *testing.T) {
	ts := MustTerms(t, `{"id": "REE", "commodity": "ree_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "CIF", "place": "Houston"}, "payment": {"provisional_pct": 85},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "basket": {"basis": "TREO", "payable_pct": 35, "unit": "USD/kg", "oxides": [
	     {"oxide": "Nd2O3", "price": {"fixed": 73, "unit": "USD/kg"}},
	     {"oxide": "Pr6O11", "price": {"fixed": 74, "unit": "USD/kg"}}]}}`)
	lot := &commercial.LotFacts{Lot: "ree", BLDate: day("2025-09-01"), Loading: commercial.Weighing{WMT: d("25"), MoisturePct: d("8")},
		Assays: map[string]commercial.Grade{"TREO": {Value: d("12"), Unit: "%"}, "Nd2O3": {Value: d("2.6"), Unit: "%"}, "Pr6O11": {Value: d("0.8"), Unit: "%"}}}
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "dmt", st.DMT, "23")
	eq(t, "basket value", st.Value, "20044.50")
	eq(t, "NSR per dmt", st.NSRPerDMT, "871.5")
}

// An antimony ore lot on an agency price: 9.5 % Sb, paid at 65 % of the
// agency's 99.65 % metal assessment of 25.00 USD/lb (the USGS 2025 average,
// Argus); 95 000 g Sb/dmt ÷ 453.59237 × 25 × 65 % = 3403.3862 USD/dmt;
// 40 wmt at 3 % = 38.800 dmt → 132 051.38 USD.
func TestAntimonyOnAgencyPrice(t *testing.T) {
	ts := MustTerms(t, `{"id": "SB", "commodity": "antimony_ore", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "CFR", "place": "Houston"}, "payment": {"provisional_pct": 90},
	  "qp": {"month": 1}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Sb", "grade_unit": "%", "payable_pct": 100, "min_grade": 5, "price": {"series": "SB", "unit": "USD/lb", "pct": 65}}]}`)
	s := &commercial.PriceSeries{ID: "SB", Source: "agency (test)", Unit: "USD/lb", Frequency: commercial.Irregular, Points: []commercial.PricePoint{
		{Date: "2025-08-28", Value: d("24"), Published: true}, {Date: "2025-09-04", Value: d("25"), Published: true},
		{Date: "2025-09-11", Value: d("26"), Published: true}, {Date: "2025-09-18"}, {Date: "2025-09-25", Value: d("24"), Published: true},
		{Date: "2025-10-02", Value: d("25"), Published: true}}}
	lot := &commercial.LotFacts{Lot: "sb", BLDate: day("2025-08-29"), Loading: commercial.Weighing{WMT: d("40"), MoisturePct: d("3")},
		Assays: map[string]commercial.Grade{"Sb": {Value: d("9.5"), Unit: "%"}}}
	// Final: QP September, the three assessments average (25 + 26 + 24) ÷ 3 = 25
	// (18 September is declared not assessed: a weekly series missing it
	// would not settle, TestWeeklySeriesMissingAssessments).
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: map[string]*commercial.PriceSeries{"SB": s}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "antimony value", st.Value, "132051.38")
	if st.Prices[0].Days != 3 {
		t.Errorf("QP averaged %d assessments, want 3", st.Prices[0].Days)
	}
}

func hasField(err error, pointer string) bool {
	pointer = jsonPointer(pointer)
	for _, f := range critmin.ErrorFields(err) {
		if strings.HasPrefix(f.Pointer, pointer) {
			return critmin.ErrorCode(err) == critmin.EINVALID
		}
	}
	return false
}

func mustOpen(tb testing.TB, path string) *os.File {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func lineFormula(tb testing.TB, lines []commercial.Line, code string) string {
	tb.Helper()
	for _, l := range lines {
		if l.Code == code {
			return l.Formula
		}
	}
	tb.Fatalf("no line %s", code)
	return ""
}

// jsonPointer is the RFC 6901 form a commercial error names field p in
// (fix13x): "/" + p, unless p is rooted already, the whole document ("")
// or a CSV location ("line 2/value", "series X/date": a space in it).
func jsonPointer(p string) string {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, " \t") {
		return p
	}
	return "/" + p
}
