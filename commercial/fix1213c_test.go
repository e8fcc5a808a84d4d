package commercial_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
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
