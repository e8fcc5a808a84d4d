package commercial_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/ledger"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Task fix1213c (issues 12 and 13, remaining defects): one test per item.

// TestInvoiceXLSXTextIsTypedNotQuoted (item 3): the invoice workbook writes
// user text that looks like a formula (a remark "=HYPERLINK(…)", a lot id
// "@SUM(A1)") as a string-typed cell holding the text unchanged — no
// leading ' (that is the CSV defence; in XLSX it would become part of the
// text) and no formula on any cell.
func TestInvoiceXLSXTextIsTypedNotQuoted(t *testing.T) {
	s := MustDemo(t)
	inv, err := s.Invoice(context.Background(), commercial.InvoiceID(commercial.DemoContractFor[commercial.DemoCopperLot], commercial.DemoCopperLot, commercial.Final))
	if err != nil {
		t.Fatal(err)
	}
	remark, lot := `=HYPERLINK("http://evil","x")`, "@SUM(A1)"
	inv.Remark, inv.Lot = remark, lot
	var buf bytes.Buffer
	if err := commercial.WriteXLSX(&buf, inv); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Invoice")
	seen := map[string]bool{}
	for r, row := range rows {
		for k, c := range row {
			cell, _ := excelize.CoordinatesToCellName(k+1, r+1)
			if fm, _ := f.GetCellFormula("Invoice", cell); fm != "" {
				t.Errorf("%s: formula %q", cell, fm)
			}
			if strings.HasPrefix(c, "'") {
				t.Errorf("%s: %q keeps a CSV apostrophe", cell, c)
			}
			if c == remark || c == lot {
				seen[c] = true
				if typ, _ := f.GetCellType("Invoice", cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
					t.Errorf("%s: %q has cell type %v, want a string cell", cell, c, typ)
				}
			}
		}
	}
	if !seen[remark] || !seen[lot] {
		t.Errorf("workbook lacks the texts unchanged: seen %v", seen)
	}
}

// TestNSRInputSensitivity (fix1213c item 2): each input is scaled on its
// own and the whole settlement recomputed, so the penalty moves with the
// As grade, the TC escalator and price participation with the Cu price.
//
// Base (TestNetValuePerTonne): Cu 23.75 %, Au 4.05 g/t, Ag 49 g/t,
// As 0.34 %; spot CU 9800, AU 2000, AG 25; NSR 2338.9961 USD/dmt, of
// which payable Cu = min(96.5 % × 23.75, 23.75 − 1) = 22.75 % → 0.2275 t
// × 9800 = 2229.5; TC = 80 + (9800 − 9000) ÷ 100 × 2 = 96, cap 95;
// As penalty (0.34 − 0.2) ÷ 0.1 × 3 = 4.2.
//
// As ×1.1 = 0.374 %: (0.374 − 0.2) ÷ 0.1 × 3 = 5.22, so NSR = 2338.9961 plus
// 4.2 less 5.22 = 2337.9761. As ×0.9 = 0.306 %: 1.06 × 3 = 3.18, so NSR =
// 2338.9961 plus 4.2 less 3.18 = 2340.0161.
//
// CU ×0.9 = 8820: payable 0.2275 × 8820 = 2006.55 (222.95 less); TC has no
// de-escalator below 9000, so 80 (15 less charge); NSR = 2338.9961 less
// 222.95 plus 15 = 2131.0461. CU ×1.1 = 10780: 0.2275 × 10780 = 2452.45
// (222.95 more); TC 80 + 35.6 = 115.6, capped at 95 (unchanged); NSR =
// 2561.9461.
//
// With price participation on Cu (basis 9000, up and down shares 0.1):
// at 9800, −0.1 × 800 × 0.2275 = −18.2, NSR 2320.7961; at CU ×1.1,
// −0.1 × 1780 × 0.2275 = −40.495, NSR 2561.9461 − 40.495 = 2521.4511; at
// CU ×0.9, −0.1 × (−180) × 0.2275 = +4.095, NSR 2131.0461 + 4.095 =
// 2135.1411.
func TestNSRInputSensitivity(t *testing.T) {
	g := func(v, u string) commercial.Grade { return commercial.Grade{Value: d(v), Unit: u} }
	grades := map[string]commercial.Grade{"Cu": g("23.75", "%"), "Au": g("4.05", "g/t"), "Ag": g("49", "g/t"), "As": g("0.34", "%")}
	spot := map[string]decimal.Decimal{"CU": d("9800"), "AU": d("2000"), "AG": d("25")}
	factors := []decimal.Decimal{d("0.9"), d("1"), d("1.1")}
	input := func(c commercial.NSRCase, name string) commercial.InputSensitivity {
		t.Helper()
		for _, in := range c.Inputs {
			if in.Input == name {
				return in
			}
		}
		t.Fatalf("no input %s in %+v", name, c.Inputs)
		return commercial.InputSensitivity{}
	}
	check := func(in commercial.InputSensitivity, want ...string) {
		t.Helper()
		for i, w := range want {
			if in.NSR[i] == nil {
				t.Errorf("%s ×%s: no figure (%v)", in.Input, factors[i], in.Notes)
				continue
			}
			eq(t, in.Input+" ×"+factors[i].String(), *in.NSR[i], w)
		}
	}
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	c := commercial.CompareNSR([]*commercial.TermSheet{ts}, grades, spot, factors).Cases[0]
	if c.Error != "" {
		t.Fatal(c.Error)
	}
	check(input(c, "grade:As"), "2340.0161", "2338.9961", "2337.9761")
	check(input(c, "price:CU"), "2131.0461", "2338.9961", "2561.9461")

	body := strings.Replace(mustFile(t, "testdata/cu-conc.json"), `"price": {"series": "CU", "unit": "USD/t"}}`, `"price": {"series": "CU", "unit": "USD/t"}, "participation": {"basis": 9000, "up_share": 0.1, "down_share": 0.1}}`, 1)
	pts := MustTerms(t, body)
	if pts.Payables[0].Participation == nil {
		t.Fatal("participation not set in the test sheet")
	}
	c = commercial.CompareNSR([]*commercial.TermSheet{pts}, grades, spot, factors).Cases[0]
	if c.Error != "" {
		t.Fatal(c.Error)
	}
	eq(t, "NSR with participation", c.NSRPerDMT, "2320.7961")
	check(input(c, "price:CU"), "2135.1411", "2320.7961", "2521.4511")
}

// TestInvoiceStatusOverdue (fix1213c item 1): an invoice with a balance
// after its due date is overdue, with its days and, when the contract
// gives late-payment interest, the interest accrued.
//
// Invoice 10 000.00 USD due 2025-11-01; 4 000.00 paid 2025-11-11; as of
// 2025-12-01: paid 4 000, balance 6 000, 30 days overdue (1 Nov → 1 Dec).
// At 7.3 % a year (0.02 % a day, actual/365): 4 000 × 7.3 % × 10 d ÷ 365
// = 8.00 on the amount paid 10 days late, 6 000 × 7.3 % × 30 d ÷ 365 =
// 36.00 on the balance: 44.00 USD. As of 2025-11-01 (the due date) it is
// open, no interest; once 6 000 more is paid on 2025-12-01 it is paid,
// and the interest stays 8.00 + 6 000 × 7.3 % × 30 d ÷ 365 = 44.00. A
// payment dated after the day asked for is not counted. Without interest
// terms there is no late_interest.
func TestInvoiceStatusOverdue(t *testing.T) {
	day := func(s string) time.Time { tm, _ := time.Parse(time.DateOnly, s); return tm }
	inv := &commercial.Invoice{ID: "INV-1", Currency: "USD", Total: d("10000.00"), DueDate: "2025-11-01"}
	rate := d("7.3")
	ts := &commercial.TermSheet{Currency: "USD", Payment: commercial.Payment{LateInterestPct: &rate}}
	pay := []*critmin.TradePayment{{ID: "P1", Invoice: "INV-1", Amount: "4000.00", PaidOn: "2025-11-11"}}

	st, err := commercial.InvoiceStatusAt(inv, pay, ts, day("2025-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != commercial.StatusOverdue || st.DaysOverdue != 30 {
		t.Errorf("status %s, %d days overdue; want overdue, 30", st.Status, st.DaysOverdue)
	}
	eq(t, "paid", *st.Paid, "4000")
	eq(t, "balance", *st.Balance, "6000")
	if st.LateInterest == nil {
		t.Fatal("no late interest")
	}
	eq(t, "late interest", *st.LateInterest, "44")

	st, _ = commercial.InvoiceStatusAt(inv, pay, ts, day("2025-11-01"))
	if st.Status != commercial.StatusOpen || st.DaysOverdue != 0 || st.LateInterest != nil {
		t.Errorf("on the due date: %+v, want open, no interest", st)
	}
	eq(t, "balance on the due date (the payment of 11 Nov not yet made)", *st.Balance, "10000")

	paid := append(pay, &critmin.TradePayment{ID: "P2", Invoice: "INV-1", Amount: "6000.00", PaidOn: "2025-12-01"})
	st, _ = commercial.InvoiceStatusAt(inv, paid, ts, day("2025-12-01"))
	if st.Status != commercial.StatusPaid || st.DaysOverdue != 0 || st.LateInterest == nil {
		t.Fatalf("paid late: %+v", st)
	}
	eq(t, "interest on the late payments", *st.LateInterest, "44")

	st, _ = commercial.InvoiceStatusAt(inv, pay, nil, day("2025-12-01"))
	if st.Status != commercial.StatusOverdue || st.LateInterest != nil {
		t.Errorf("without interest terms: %+v", st)
	}
	// A credit (negative total) is a refund the seller owes, 11 days late
	// (20 Nov → 1 Dec) — not a sum the buyer left unpaid
	// (TestCreditInvoiceIsARefundDue).
	credit := &commercial.Invoice{ID: "INV-2", Currency: "USD", Total: d("-263.28"), DueDate: "2025-11-20"}
	st, _ = commercial.InvoiceStatusAt(credit, nil, nil, day("2025-12-01"))
	if st.Status != commercial.StatusRefundDue || st.OwedBy != commercial.OwedBySeller || st.DaysOverdue != 11 {
		t.Errorf("credit: %+v, want refund_due by the seller, 11 days late", st)
	}
	eq(t, "credit balance", *st.Balance, "263.28")
}

// TestServedInvoiceIsOverdue (fix1213c item 1): the service flags the
// demo's stored invoices by today's date (the test clock): on 2025-12-01
// an unpaid invoice due before is overdue, the days counted from its due
// date (a credit is a refund due, its days late counted likewise); a day before its due date the same invoice is open.
func TestServedInvoiceIsOverdue(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	invs, err := s.Invoices(ctx, critmin.InvoiceFilter{})
	if err != nil || len(invs) == 0 {
		t.Fatalf("invoices: %v, %d", err, len(invs))
	}
	today := s.Now().UTC()
	overdue := 0
	for _, inv := range invs {
		if inv.Status == commercial.StatusOverdue {
			overdue++
		}
		due, _ := time.Parse(time.DateOnly, inv.DueDate)
		days := int(today.Sub(due).Hours() / 24)
		switch {
		case inv.Balance == nil:
			t.Errorf("%s: no balance served", inv.ID)
		case inv.Balance.IsPositive() && inv.Total.IsNegative():
			if inv.Status != commercial.StatusRefundDue || inv.DaysOverdue != max(days, 0) {
				t.Errorf("credit %s due %s, balance %s: status %s, %d days; want refund_due, %d", inv.ID, inv.DueDate, inv.Balance, inv.Status, inv.DaysOverdue, max(days, 0))
			}
		case inv.Balance.IsPositive() && days > 0:
			if inv.Status != commercial.StatusOverdue || inv.DaysOverdue != days {
				t.Errorf("%s due %s, balance %s: status %s, %d days; want overdue, %d", inv.ID, inv.DueDate, inv.Balance, inv.Status, inv.DaysOverdue, days)
			}
		case inv.Balance.IsPositive():
			if inv.Status != commercial.StatusOpen {
				t.Errorf("%s due %s: status %s, want open", inv.ID, inv.DueDate, inv.Status)
			}
		}
	}
	if overdue == 0 {
		t.Fatalf("no demo invoice is overdue on %s: the test checks nothing", today.Format(time.DateOnly))
	}
	inv := invs[0]
	due, _ := time.Parse(time.DateOnly, inv.DueDate)
	s.Now = func() time.Time { return due.Add(-24 * time.Hour) }
	again, err := s.Invoice(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Balance.IsPositive() && again.Status != commercial.StatusOpen {
		t.Errorf("%s a day before its due date: status %s, want open", inv.ID, again.Status)
	}
}

// TestLateInterestTerms (fix1213c item 1): payment.late_interest_pct is
// read from a term sheet (7.3 % a year) and one outside 0–100 % is
// refused naming the field.
func TestLateInterestTerms(t *testing.T) {
	body := mustFile(t, "testdata/cu-conc.json")
	with := func(v string) string {
		return strings.Replace(body, `"final_days": 10}`, `"final_days": 10, "late_interest_pct": `+v+`}`, 1)
	}
	ts := MustTerms(t, with("7.3"))
	if ts.Payment.LateInterestPct == nil {
		t.Fatal("late_interest_pct not read")
	}
	eq(t, "late_interest_pct", *ts.Payment.LateInterestPct, "7.3")
	if _, err := commercial.ParseTermSheet([]byte(with(`"150"`))); !hasField(err, "/payment/late_interest_pct") {
		t.Errorf("150 %% a year: err = %v, want a field error at /payment/late_interest_pct", err)
	}
}

// captureSublotAssays captures, on lot at at, one laboratory event per
// sublot (the ledger takes one assay of an analyte per event) with a
// MassConcentration report of Sb (dry, %): id → {value, dmt}. No
// cm:assayParty: a laboratory's sublot assays, not an exchange.
func captureSublotAssays(t *testing.T, s *commercial.Service, lot, at string, subs map[string][2]float64) {
	t.Helper()
	for id, v := range subs {
		rep := map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "Sb", "value": v[0], "uom": "P1",
			"cm:basis": "dry", "cm:sublot": id, "cm:sublotDMT": fmt.Sprint(v[1])}
		ev := map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+at+id), "action": "OBSERVE", "bizStep": "inspecting",
			"eventTime": at, "eventTimeZoneOffset": "+00:00", "quantityList": []any{map[string]any{"epcClass": lot}},
			"sensorElementList": []any{map[string]any{"sensorReport": []any{rep}}}}
		body, _ := json.Marshal(map[string]any{"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
			"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": at, "epcisBody": map[string]any{"eventList": []any{ev}}})
		if _, err := s.Ledger.Capture(context.Background(), ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
			t.Fatal(err)
		}
	}
}

// uuidFor is a fixed UUID-shaped id from a text (for test event ids).
func uuidFor(s string) string {
	h := sha256.Sum256([]byte(s))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-4" + x[13:16] + "-8" + x[17:20] + "-" + x[20:32]
}

// TestSublotAssaysOfALot (fix1213c item 4): a laboratory's assays of
// sublots of the demo antimony lot (contract FWO-USSM-SB-2025, no
// exchange terms) are never read as the whole lot's grade: the lot is
// valued on its sublots weighted by dry weight, and only when the sublots
// make up the lot.
//
// The lot: 40 wmt × (1 − 3 %) = 38.8 dmt, Sb 9.5 % (assay of 2025-08-21).
// A laboratory reports on 2025-10-15 sublot A 20 dmt at 10 % and sublot B
// 18.8 dmt at 9 %: 20 + 18.8 = 38.8 dmt, the lot; Sb = (20 × 10 + 18.8 ×
// 9) ÷ 38.8 = (200 + 169.2) ÷ 38.8 = 369.2 ÷ 38.8 = 9.51546… → 9.5155 %.
// On another lot-sized copy where only sublot A (20 dmt of 38.8) is
// reported, the sublot does not make up the lot: Sb stays 9.5 %, not A's
// 10 %.
func TestSublotAssaysOfALot(t *testing.T) {
	ctx := context.Background()
	lot := commercial.DemoAntimonyLot

	s := MustDemo(t)
	ts, err := s.Contract(ctx, "FWO-USSM-SB-2025")
	if err != nil {
		t.Fatal(err)
	}
	captureSublotAssays(t, s, lot, "2025-10-15T08:00:00Z", map[string][2]float64{"A": {10, 20}, "B": {9, 18.8}})
	_, g, err := s.LotGrades(ctx, lot, ts)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Sb of the lot from its sublots", g["Sb"].Value, "9.5155")
	if !strings.Contains(g["Sb"].Formula, "sublot A 20 dmt") || !strings.Contains(g["Sb"].Formula, "sublot B 18.8 dmt") {
		t.Errorf("formula %q does not show the sublots", g["Sb"].Formula)
	}

	s = MustDemo(t)
	captureSublotAssays(t, s, lot, "2025-10-15T08:00:00Z", map[string][2]float64{"A": {10, 20}})
	_, g, err = s.LotGrades(ctx, lot, ts)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Sb with one sublot of 20 dmt in 38.8", g["Sb"].Value, "9.5")
}
