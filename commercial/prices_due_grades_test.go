package commercial_test

import (
	"context"
	"encoding/json"
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// fixedTerms: copper at a fixed 9000 USD/t, QP month qp of shipment,
// final balance 10 days after the QP.
func fixedTerms(t *testing.T, qp string) *commercial.TermSheet {
	return MustTerms(t, `{"id": "FIX", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 90, "provisional_days": 5, "final_days": 10},
	  "weights": {"final_at": "discharge"},
	  "qp": {"month": `+qp+`}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "min_deduction": 1, "price": {"fixed": 9000, "unit": "USD/t"}}]}`)
}

// Item 1 of the second new-user check: a fixed-price final is due
// final_days after the contract's QP, as a series-priced one; and never
// before the data it rests on (the discharge weighing).
func TestFinalDueFollowsQPWhatever(t *testing.T) {
	for _, c := range []struct {
		qp, due, rule string
	}{
		// B/L 3 Sep 2025, QP month +1 = October: 31 Oct + 10 days = 10 Nov.
		{"1", "2025-11-10", "end of the last quotational period + 10 days"},
		// QP month 0 = September ends 30 Sep, before the discharge weighing
		// of 6 Oct: 6 Oct + 10 days = 16 Oct.
		{"0", "2025-10-16", "discharge weighing + 10 days"},
	} {
		ts := fixedTerms(t, c.qp)
		lot := &commercial.LotFacts{Lot: "l", BLDate: day("2025-09-03"),
			Loading:   commercial.Weighing{WMT: d("100"), MoisturePct: d("0")},
			Discharge: &commercial.Weighing{WMT: d("100"), MoisturePct: d("0"), Date: day("2025-10-06")},
			Assays:    map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}}}
		pst, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional})
		if err != nil {
			t.Fatal(err)
		}
		prov, err := commercial.NewProvisionalInvoice(ts, lot, pst, day("2025-09-04"))
		if err != nil {
			t.Fatal(err)
		}
		fst, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := commercial.NewFinalInvoice(ts, lot, fst, prov, day("2026-01-05"))
		if err != nil {
			t.Fatal(err)
		}
		// Issued on 5 Jan 2026, after the contractual date: due on its
		// issue day (never before it exists), the remark naming the
		// contractual date (TestInvoiceNeverDueBeforeIssued).
		if inv.DueDate != "2026-01-05" {
			t.Errorf("QP %s: final due %s, want the issue date 2026-01-05 (contractual %s)", c.qp, inv.DueDate, c.due)
		}
		if want := "issued on 2026-01-05, after its contractual due date " + c.due + " (" + c.rule + "): payable on receipt, due 2026-01-05"; inv.Remark != want {
			t.Errorf("QP %s: remark %q, want %q", c.qp, inv.Remark, want)
		}
	}
}

// Item 3: a list holding one item twice is refused, naming the repeat —
// the payable's analytes (counted twice, Nd2O3 40 % read as 80 %), the
// QP options, the refining charges, the splitting limits and the basket
// oxides alike.
func TestDuplicateListItems(t *testing.T) {
	base := mustFile(t, "testdata/cu-conc.json")
	cases := []struct {
		name, from, to, field string
	}{
		{"analyte twice", `"element": "Cu", "grade_unit"`, `"element": "Cu", "analytes": ["Cu", "Cu"], "grade_unit"`, "/payables/0/analytes/1"},
		{"QP option twice", `"options": [0, 1, 2]`, `"options": [0, 1, 1.0]`, "/qp/options/2"},
		{"RC twice", `{"element": "Ag", "rate": 0.40, "unit": "USD/ozt"}`, `{"element": "Au", "rate": 0.40, "unit": "USD/ozt"}`, "/rc/2/element"},
		{"limit twice", `{"analyte": "As", "limit": 0.03, "unit": "%"}`, `{"analyte": "Ag", "limit": 6, "unit": "g/t"}`, "/assay_exchange/limits/3/analyte"},
		{"penalty band twice", `{"analyte": "As", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 3, "pro_rata": true}`,
			`{"analyte": "As", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 3, "pro_rata": true}, {"analyte": "As", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 3, "pro_rata": true}`, "/penalties/1"},
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
	// A basket's oxide twice, and an agreement's commodity twice.
	_, err := commercial.ParseAgreement([]byte(`{"id": "A", "signed": "2025-09-08", "headline": {"amount": 1, "currency": "USD"},
	  "commodities": ["antimony", "antimony"], "tranches": [], "milestones": []}`))
	if !hasField(err, "/commodities/1") {
		t.Errorf("agreement commodity twice: err = %v, want EINVALID naming /commodities/1", err)
	}
}

// Item 2: a weekly agency series that skipped two assessments does not
// settle a QP that needs them. Assessed 2, 9, 16 Oct then 6 Nov: gaps 7, 7
// and 21 days, so the cadence is 7 and 23 and 30 Oct are due and missing;
// the old rule (one assessment in the period, one after it) averaged the
// three October prices, (21 + 22 + 23) ÷ 3 = 22. Declaring the two weeks
// not assessed (empty values) settles on that average.
func TestWeeklySeriesMissingAssessments(t *testing.T) {
	ts := MustTerms(t, `{"id": "SBW", "commodity": "antimony_ore", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "CFR", "place": "Houston"}, "payment": {"provisional_pct": 90},
	  "qp": {"month": 1}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Sb", "grade_unit": "%", "payable_pct": 100, "price": {"series": "SB", "unit": "USD/lb"}}]}`)
	pt := func(date, v string) commercial.PricePoint {
		return commercial.PricePoint{Date: date, Value: d(v), Published: true}
	}
	s := &commercial.PriceSeries{ID: "SB", Source: "agency (test)", Unit: "USD/lb", Frequency: commercial.Irregular, Points: []commercial.PricePoint{
		pt("2025-09-25", "20"), pt("2025-10-02", "21"), pt("2025-10-09", "22"), pt("2025-10-16", "23"), pt("2025-11-06", "24")}}
	lot := &commercial.LotFacts{Lot: "sb", BLDate: day("2025-09-29"), Loading: commercial.Weighing{WMT: d("10"), MoisturePct: d("0")},
		Assays: map[string]commercial.Grade{"Sb": {Value: d("9.5"), Unit: "%"}}}
	prices := map[string]*commercial.PriceSeries{"SB": s}
	_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: prices})
	if !hasField(err, "/payables/0/price/qp") || !strings.Contains(err.Error(), "2025-10-23, 2025-10-30") {
		t.Fatalf("err = %v, want EINVALID at /payables/0/price/qp naming 2025-10-23 and 2025-10-30", err)
	}
	s.Points = append(s.Points[:4], commercial.PricePoint{Date: "2025-10-23"}, commercial.PricePoint{Date: "2025-10-30"}, pt("2025-11-06", "24"))
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: prices})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "QP price", st.Prices[0].Price, "22")
	// A series first assessed on 9 Oct lacks the 2 Oct assessment its
	// cadence makes due in the October QP.
	s.Points = s.Points[2:]
	_, err = commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: prices})
	if !hasField(err, "/payables/0/price/qp") || !strings.Contains(err.Error(), "no assessment for 2025-10-02,") {
		t.Errorf("series starting 9 Oct: err = %v, want 2025-10-02 named", err)
	}
}

// Item 4: once the demo copper lot's exchange has settled (Cu 21.85 %,
// Au 4.025 g/t: TestDemoCopperLotFromLedger), the NSR of the lot, the
// planner and the exposure value it on the settled grades, not on its
// commissioning assay (Cu 22 %, Au 4.1 g/t) nor the umpire's (21.9/4.0).
func TestBestKnownGradesAreSettled(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	asOf := time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)
	cmp, err := s.NSRFor(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot, "", asOf, 10)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "NSR grades Cu", cmp.Grades["Cu"].Value, "21.85")
	eq(t, "NSR grades Au", cmp.Grades["Au"].Value, "4.025")
	if len(cmp.Cases) != 1 || cmp.Cases[0].Error != "" {
		t.Fatalf("cases %+v", cmp.Cases)
	}
	// The NSR is the one of the settled grades at the same spot prices.
	want, _, err := commercial.NetValuePerTonne(mustContract(t, s, "FWO-USSM-CU-2025"), cmp.Grades, cmp.Spot)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "NSR per dmt", cmp.Cases[0].NSRPerDMT, want.Round(4).String())
	_, g, err := s.LotGrades(ctx, commercial.DemoCopperLot, nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "planner's Cu", g["Cu"].Value, "21.85")
	eq(t, "planner's Au", g["Au"].Value, "4.025")
}

func mustContract(t *testing.T, s *commercial.Service, id string) *commercial.TermSheet {
	t.Helper()
	ts, err := s.Contract(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// Item 5: a stale price neither prices a provisional invoice nor stands
// as a spot price. A daily series' last price, Friday 31 Oct 2025, stands
// through Friday 7 Nov (5 weekdays later: 3–7 Nov) and not on Monday 10
// Nov (6 weekdays); nor on 30 Nov 2026, a year on. A weekly series' (7-day
// cadence) last assessment stands 14 days.
func TestStalePrices(t *testing.T) {
	cu := dailySeries("CU", "USD/t", "2025-10-01", "2025-10-31", func(time.Time) string { return "9650" })
	if p := commercial.SpotPrices(map[string]*commercial.PriceSeries{"CU": cu}, day("2025-11-07")); !p["CU"].Equal(d("9650")) {
		t.Errorf("spot on 7 Nov = %v, want 9650", p)
	}
	for _, at := range []string{"2025-11-10", "2026-11-30"} {
		if p := commercial.SpotPrices(map[string]*commercial.PriceSeries{"CU": cu}, day(at)); len(p) != 0 {
			t.Errorf("spot on %s = %v, want none (stale)", at, p)
		}
	}
	ts := MustTerms(t, `{"id": "ST", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 90},
	  "qp": {"month": 1}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "price": {"series": "CU", "unit": "USD/t"}}]}`)
	lot := &commercial.LotFacts{Lot: "l", BLDate: day("2026-11-30"), Loading: commercial.Weighing{WMT: d("10"), MoisturePct: d("0")},
		Assays: map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}}}
	_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: map[string]*commercial.PriceSeries{"CU": cu}})
	if !hasField(err, "/provisional_price") || !strings.Contains(err.Error(), "9650 on 2025-10-31") {
		t.Errorf("provisional on a year-old price: err = %v, want EINVALID at /provisional_price", err)
	}
	wk := &commercial.PriceSeries{ID: "SB", Unit: "USD/lb", Frequency: commercial.Irregular, Points: []commercial.PricePoint{
		{Date: "2025-10-02", Value: d("21"), Published: true}, {Date: "2025-10-09", Value: d("22"), Published: true}, {Date: "2025-10-16", Value: d("23"), Published: true}}}
	if p := commercial.SpotPrices(map[string]*commercial.PriceSeries{"SB": wk}, day("2025-10-30")); !p["SB"].Equal(d("23")) {
		t.Errorf("weekly spot 14 days on = %v, want 23", p)
	}
	if p := commercial.SpotPrices(map[string]*commercial.PriceSeries{"SB": wk}, day("2025-10-31")); len(p) != 0 {
		t.Errorf("weekly spot 15 days on = %v, want none", p)
	}
}

// Item 5, the planner: as of 30 Nov 2026 the demo's prices (to 31 Dec
// 2025) are stale, so the magnet-ndpr sale keeps the planning file's price
// with a warning naming the stale series, instead of the terms at a
// year-old price (or failing the plan).
func TestPlanTermsStalePrices(t *testing.T) {
	s := MustDemo(t)
	n := plan.Demo().Clone()
	contracts, _, err := s.PlanTerms(context.Background(), n, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(contracts, "magnet-ndpr") {
		t.Errorf("magnet-ndpr priced at terms on stale prices")
	}
	found := false
	for _, w := range n.Warnings {
		found = found || (strings.HasPrefix(w, "contract magnet-ndpr: not at USSM-NDPR-FLOOR-2025 terms") && strings.Contains(w, "stale"))
	}
	if !found {
		t.Errorf("warnings %q, want one naming magnet-ndpr and the stale price", n.Warnings)
	}
}

// Items 6 and 7a: a correction import revises a published day (and a day
// first declared not published), kept with its history; the issued
// invoices resting on it are flagged, not changed. A plain import giving
// a stored day another value is refused naming both values, a holiday as
// "no publication", not "0"; a holiday serves as null, not 0.
func TestPriceCorrectionRevisesPublishedDay(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	contract := commercial.DemoContractFor[commercial.DemoCopperLot]
	fin, err := s.Invoice(ctx, commercial.InvoiceID(contract, commercial.DemoCopperLot, commercial.Final))
	if err != nil {
		t.Fatal(err)
	}
	var cuQP commercial.PriceFact
	for _, p := range fin.Settlement.Prices {
		if p.Series == "DEMO-LME-CU" {
			cuQP = p
		}
	}
	if cuQP.From > "2025-10-15" || cuQP.To < "2025-10-15" {
		t.Fatalf("copper final QP %s…%s does not hold 15 Oct", cuQP.From, cuQP.To)
	}
	ps, err := s.PriceSeries(ctx, "DEMO-LME-CU")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ps)
	if !strings.Contains(string(b), `{"date":"2025-08-25","value":null,"published":false}`) {
		t.Errorf("a holiday does not serve as a null value")
	}
	csv := func(rows ...string) string {
		return "series,date,value\n" + strings.Join(rows, "\n") + "\n"
	}
	_, err = s.ImportPrices(ctx, strings.NewReader(csv("DEMO-LME-CU,2025-10-15,9999.99")), commercial.PriceSeries{})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "already has 9845.67 on 2025-10-15; the file says 9999.99") {
		t.Errorf("plain import of a revised day: err = %v", err)
	}
	_, err = s.ImportPrices(ctx, strings.NewReader(csv("DEMO-LME-CU,2025-08-25,9700")), commercial.PriceSeries{})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "already has no publication (an empty value) on 2025-08-25; the file says 9700") {
		t.Errorf("plain import over a holiday: err = %v", err)
	}
	if _, err := s.ImportPriceCorrections(ctx, strings.NewReader(csv("DEMO-LME-CU,2025-10-15,9999.99", "DEMO-LME-CU,2025-08-25,9700")), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	ps, err = s.PriceSeries(ctx, "DEMO-LME-CU")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]commercial.PriceCorrection{}
	for _, c := range ps.Corrections {
		got[c.Date] = c
	}
	if c := got["2025-10-15"]; !c.Revised || c.Old == nil || !c.Old.Equal(d("9845.67")) || c.New == nil || !c.New.Equal(d("9999.99")) || !slices.Contains(c.Invoices, fin.ID) {
		t.Errorf("correction of 15 Oct = %+v, want revised 9845.67 → 9999.99 naming %s", c, fin.ID)
	}
	if c := got["2025-08-25"]; !c.Revised || c.Old != nil || c.New == nil || !c.New.Equal(d("9700")) {
		t.Errorf("correction of 25 Aug = %+v, want revised from no publication to 9700", c)
	}
	// The issued final stands as issued, flagged.
	again, err := s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Total.Equal(fin.Total) || len(again.PriceCorrections) != 1 || again.PriceCorrections[0].Date != "2025-10-15" || !strings.Contains(again.Warning(), "9845.67 → 9999.99") {
		t.Errorf("final after the correction: total %s (issued %s), corrections %+v, warning %q", again.Total, fin.Total, again.PriceCorrections, again.Warning())
	}
	// The current figures differ: the QP average moves by (9999.99 −
	// 9845.67) ÷ n = 154.32 ÷ n over its n published days.
	v, _, err := s.Value(ctx, contract, commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	if v.CurrentDiffers == nil || !strings.Contains(v.CurrentDiffers.Reason, "price day 2025-10-15 revised") {
		t.Fatalf("current differs = %+v, want the revision named", v.CurrentDiffers)
	}
	for _, p := range v.Final.Prices {
		if p.Series == "DEMO-LME-CU" {
			want := cuQP.Exact.Add(d("154.32").Div(decimal.NewFromInt(int64(cuQP.Days))))
			if p.Days != cuQP.Days || !p.Exact.Round(6).Equal(want.Round(6)) {
				t.Errorf("current QP price %s over %d days, want %s over %d", p.Exact, p.Days, want.Round(6), cuQP.Days)
			}
		}
	}
}

// Item 7d: the store's overpayment refusal of a payment without an id
// reads "a payment of …", not "payment  of …".
func TestOverpaymentWithoutIDMessage(t *testing.T) {
	s := MustDemo(t)
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	err := s.Store.SavePayment(context.Background(), &critmin.TradePayment{Invoice: cu, Amount: "99999999", PaidOn: "2025-11-20", Direction: "payment", IDPrefix: "PAY-X-"})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.HasPrefix(critmin.ErrorMessage(err), "a payment of 99999999 is more than") {
		t.Errorf("err = %v, want ECONFLICT beginning \"a payment of 99999999 is more than\"", err)
	}
}

// Items 7b and 7c: an assay result in another scale than the earlier
// results of its analyte (0.45 % against 5200 ppm) or than the contract's
// splitting limit is refused at submission, naming the unit; so is a
// result dated before the lot's first event.
func TestAssaySubmissionUnitsAndDate(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := commercial.DemoCopperLot
	sub := func(at string, unit string, v string) *commercial.ExchangeSubmission {
		tm, _ := time.Parse(time.RFC3339, at)
		return &commercial.ExchangeSubmission{Lot: lot, Party: "buyer", Lab: "lab", At: tm, Sublot: "",
			Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d(v), Unit: unit}}}
	}
	_, err := s.SubmitAssays(ctx, sub("2025-10-20T00:00:00Z", "ppm", "218000"))
	if !hasField(err, "/results/0/unit") || !strings.Contains(err.Error(), "report Cu in %") {
		t.Errorf("Cu in ppm against results in %%: err = %v", err)
	}
	_, err = s.SubmitAssays(ctx, sub("2001-01-01T00:00:00Z", "%", "21.8"))
	if !hasField(err, "/at") || !strings.Contains(err.Error(), "before lot") {
		t.Errorf("result dated 2001: err = %v", err)
	}
}

// Item 8: a QP declaration is final once made — a second one for the same
// element, or "*" beside it, is refused naming the first — unless the
// term sheet allows re-declaration (qp.redeclare), when the later one
// (before the B/L date) replaces it.
func TestDeclarationFinalOnceMade(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	b := mustFile(t, "demo/cu-2025.json")
	for _, c := range []struct{ id, from, to string }{
		{"T-CU-ONCE", `"FWO-USSM-CU-2025"`, `"T-CU-ONCE"`},
		{"T-CU-AGAIN", `"declared_by": "buyer"`, `"declared_by": "buyer", "redeclare": true`},
	} {
		body := strings.Replace(b, `"FWO-USSM-CU-2025"`, `"`+c.id+`"`, 1)
		body = strings.Replace(body, c.from, c.to, 1)
		if _, err := s.SaveContract(ctx, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	lot := commercial.DemoCopperLot
	s.Now = func() time.Time { return time.Date(2025, 9, 2, 10, 0, 0, 0, time.UTC) }
	decl := func(contract, el string, month int) error {
		return s.Declare(ctx, &critmin.QPDeclaration{Contract: contract, Lot: lot, Element: el, Month: month, Party: "buyer"})
	}
	if err := decl("T-CU-ONCE", "Cu", 0); err != nil {
		t.Fatal(err)
	}
	err := decl("T-CU-ONCE", "Cu", 2)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "declaration of month +0 for Cu") {
		t.Errorf("second Cu declaration: err = %v, want ECONFLICT naming the first (month +0)", err)
	}
	if err := decl("T-CU-ONCE", "*", 2); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("\"*\" beside Cu: err = %v, want ECONFLICT", err)
	}
	if err := decl("T-CU-ONCE", "Au", 2); err != nil {
		t.Errorf("Au beside Cu: %v", err)
	}
	ds, _ := s.Store.ListDeclarations(ctx, "T-CU-ONCE", lot)
	for _, d := range ds {
		if d.Element == "Cu" && d.Month != 0 {
			t.Errorf("the refused declaration replaced the first: Cu month %+d", d.Month)
		}
	}
	if err := decl("T-CU-AGAIN", "Cu", 0); err != nil {
		t.Fatal(err)
	}
	if err := decl("T-CU-AGAIN", "Cu", 2); err != nil {
		t.Fatalf("re-declaration allowed by the contract: %v", err)
	}
	ds, _ = s.Store.ListDeclarations(ctx, "T-CU-AGAIN", lot)
	if len(ds) != 1 || ds[0].Month != 2 {
		t.Errorf("declarations under T-CU-AGAIN: %+v, want Cu month +2", ds)
	}
}
