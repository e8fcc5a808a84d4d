package critmin

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// SpreadsheetCell neutralises one cell of an exported CSV against
// formula injection (OWASP, "CSV Injection"): a text that begins with
// =, +, -, @, a tab or a carriage return is what a spreadsheet reads as a
// formula (or strips before one), so it is written with a leading single
// quote, which the spreadsheet shows as text. A plain number (-12.5,
// +3, 1e-3) is left as it is: it computes nothing, and a sign is part of
// its value. Every CSV export writes its text through this one function
// (NewCSVWriter). XLSX writers do not use it: an XLSX cell is typed, and a
// string-typed cell (shared or inline string) is never a formula (that
// takes an <f> element), so they write the text unchanged as a string
// cell; a leading ' there would only become part of the text.
func SpreadsheetCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

// CSVWriter is a csv.Writer whose every cell goes through SpreadsheetCell.
type CSVWriter struct {
	*csv.Writer
}

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{Writer: csv.NewWriter(w)}
}

// Write writes one record, each cell neutralised (SpreadsheetCell).
func (w *CSVWriter) Write(record []string) error {
	safe := make([]string, len(record))
	for i, c := range record {
		safe[i] = SpreadsheetCell(c)
	}
	return w.Writer.Write(safe)
}

// WriteAll writes every record through Write and flushes.
func (w *CSVWriter) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
