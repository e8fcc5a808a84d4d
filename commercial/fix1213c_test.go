package commercial_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
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
