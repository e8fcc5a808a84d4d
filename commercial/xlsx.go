package commercial

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes an invoice as a spreadsheet (github.com/xuri/excelize):
// a header, the quantities and grades with their formulas, the prices,
// the money lines (amount per dmt, amount, formula, ledger events) and the
// total. Amounts are written as numbers from their exact decimal text.
func WriteXLSX(w io.Writer, inv *Invoice) error {
	f := excelize.NewFile()
	defer f.Close()
	sh := "Invoice"
	f.SetSheetName("Sheet1", sh)
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	// Amounts in the currency's ISO 4217 minor units (JPY: #,##0).
	fmtMoney := "#,##0"
	places, ok := minorUnits[inv.Currency]
	if !ok {
		places = 2
	}
	if places > 0 {
		fmtMoney += "." + strings.Repeat("0", int(places))
	}
	money, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(fmtMoney)})
	boldMoney, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: ptr(fmtMoney)})
	row, cols := 1, 1
	put := func(vals ...any) {
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if t, ok := v.(string); ok {
				// Lot ids, remarks: user text, written as a string-typed
				// cell (shared string), as it is: an XLSX cell is a
				// formula only with an <f> element, so "=HYPERLINK(…)"
				// stays text, and a leading ' would be part of the
				// text (critmin.SpreadsheetCell is for CSV only).
				_ = f.SetCellStr(sh, cell, t)
				continue
			}
			_ = f.SetCellValue(sh, cell, v)
		}
		cols = max(cols, len(vals))
		row++
	}
	num := func(s string) any {
		var x float64
		if _, err := fmt.Sscan(s, &x); err == nil {
			return x
		}
		return s
	}
	put("Invoice", inv.ID)
	put("Kind", inv.Kind)
	put("Contract", inv.Contract)
	put("Lot", inv.Lot)
	put("Bill of lading", inv.BL)
	put("Issued", inv.IssuedAt.Format("2006-01-02"))
	put("Due", inv.DueDate)
	put("Currency", inv.Currency)
	put("Ledger event", inv.EventID)
	_ = f.SetCellStyle(sh, "A1", "A9", bold)
	// The page, the JSON and the CLI flag an invoice resting on an event
	// since declared in error (or on a corrected price day); so does the
	// workbook, in the first rows a reader sees.
	if w := inv.Warning(); w != "" {
		put("WARNING", w)
		_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row-1), fmt.Sprintf("B%d", row-1), bold)
		for _, r := range inv.Retracted {
			put("Retracted event", r.EventID, r.DeclaredAt.UTC().Format("2006-01-02T15:04:05Z"), r.Reason)
		}
	}
	// Figures a person accepted over a plausibility refusal: who, why,
	// and what was refused (Settlement.Accepted).
	if inv.Settlement != nil {
		for _, a := range inv.Settlement.Accepted {
			put("ACCEPTED ("+a.Check+")", a.By, a.Reason, a.Refusal)
		}
	}
	if inv.Remark != "" {
		put("Remark", inv.Remark)
	}
	if st := inv.PaymentStatus.Summary(inv.Currency); st != "" {
		put("Status as of "+inv.AsOf, st)
		if inv.LateInterestFormula != "" {
			put("Late interest", inv.LateInterestFormula)
		}
	}
	row++
	st := inv.Settlement
	put("Quantity", "Value", "Unit", "Formula", "Events")
	_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row-1), fmt.Sprintf("E%d", row-1), bold)
	for _, x := range st.Facts {
		put(x.Name, num(x.Value.String()), x.Unit, x.Formula, join(x.Events))
	}
	row++
	put("Price", "Value", "Unit", "Formula")
	_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row-1), fmt.Sprintf("D%d", row-1), bold)
	for _, p := range st.Prices {
		put(p.Element, num(p.Price.String()), p.Unit, p.Formula)
	}
	row++
	put("Line", "Per dmt", "Amount", "Formula", "Events")
	_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row-1), fmt.Sprintf("E%d", row-1), bold)
	first := row
	for _, l := range inv.Lines {
		var per any = num(l.PerDMT.String())
		if l.NoPerDMT != "" {
			per = "n/a (" + l.NoPerDMT + ")"
		}
		put(l.Label, per, num(l.Amount.String()), l.Formula, join(l.Events))
	}
	_ = f.SetCellStyle(sh, fmt.Sprintf("C%d", first), fmt.Sprintf("C%d", row), money)
	put("Total "+inv.Currency, "", num(inv.Total.String()))
	_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row-1), fmt.Sprintf("B%d", row-1), bold)
	_ = f.SetCellStyle(sh, fmt.Sprintf("C%d", row-1), fmt.Sprintf("C%d", row-1), boldMoney)
	// The notes issued against the invoice since: the invoice stands as
	// issued, each note's lines below it, and what the invoice and its
	// notes come to.
	if len(inv.Notes) > 0 {
		row++
		put("Credit and debit notes (the invoice stands as issued)")
		_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row-1), fmt.Sprintf("A%d", row-1), bold)
		for _, n := range inv.Notes {
			put(n.Title()+" "+n.ID, n.IssuedAt.UTC().Format("2006-01-02"), num(n.Total.String()), n.Reason, join(append(append([]string{}, n.Events...), n.PriceDays...)))
			_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row-1), fmt.Sprintf("A%d", row-1), bold)
			_ = f.SetCellStyle(sh, fmt.Sprintf("C%d", row-1), fmt.Sprintf("C%d", row-1), boldMoney)
			for _, l := range n.Lines {
				put("  "+l.Label, "", num(l.Amount.String()), l.Formula)
				_ = f.SetCellStyle(sh, fmt.Sprintf("C%d", row-1), fmt.Sprintf("C%d", row-1), money)
			}
		}
		put("Invoice and notes "+inv.Currency, "", num(inv.Total.Add(NoteTotals(inv.Notes)).String()))
		_ = f.SetCellStyle(sh, fmt.Sprintf("A%d", row-1), fmt.Sprintf("B%d", row-1), bold)
		_ = f.SetCellStyle(sh, fmt.Sprintf("C%d", row-1), fmt.Sprintf("C%d", row-1), boldMoney)
	}
	_ = f.SetColWidth(sh, "A", "A", 34)
	_ = f.SetColWidth(sh, "D", "D", 120)
	// The sheet's dimension is the range used (readers size the sheet by
	// it; excelize leaves A1 unless told).
	last, _ := excelize.CoordinatesToCellName(cols, row-1)
	if err := f.SetSheetDimension(sh, "A1:"+last); err != nil {
		return err
	}
	return f.Write(w)
}

func ptr[T any](v T) *T { return &v }

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
