package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// rowErrorCells are the (column, reason) pairs the row-errors table
// lists for row n of the file.
func rowErrorCells(table, n string) [][2]string {
	var out [][2]string
	for _, tr := range strings.Split(table, "<tr")[1:] {
		if !strings.Contains(tr, `href="#row-`+n+`">`+n+`</a>`) {
			continue
		}
		cells := strings.Split(tr, "<td")
		if len(cells) < 4 {
			continue
		}
		out = append(out, [2]string{visibleText("<td" + cells[2]), visibleText("<td" + cells[3])})
	}
	return out
}

// TestImportLabRowErrorsAllShown (issue 15, fix15v item 3): a laboratory
// row whose reading conflicts with where the record puts the lot still
// has its other fields checked. The demo's REE-2025-001 stands at the
// port of Karachi on 2025-09-01 (arrived 2025-08-29); the file gives
// every row the site Port Qasim.
//   - row 2: analyte "Qq" (no element) — listed under Element as well as
//     the site under Site;
//   - row 3: result "abc" — listed under Result, and the site once, not
//     again in the capture check's words.
func TestImportLabRowErrorsAllShown(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	lab := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"S1,urn:critmin:demo:lot:REE-2025-001,2025-09-01T10:00:00+05:00,Qq,15,%,dry\n" +
		"S2,urn:critmin:demo:lot:REE-2025-001,2025-09-01T10:00:00+05:00,TREO,abc,%,dry\n"
	v := url.Values{"source": {"fix15v-lab"}, "kind": {"laboratory"}, "csv": {lab}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	_, page := postImport(t, ts, v)
	table := rowErrorsTable(page)
	count := func(row, col string) int {
		n := 0
		for _, c := range rowErrorCells(table, row) {
			if strings.HasPrefix(c[0], col) {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		row, col string
		want     int
	}{{"2", "Element", 1}, {"2", "Site", 1}, {"3", "Result", 1}, {"3", "Site", 1}} {
		if got := count(c.row, c.col); got != c.want {
			t.Errorf("row %s: %d errors under %s, want %d; row errors %q", c.row, got, c.col, c.want, rowErrorCells(table, c.row))
		}
	}
}

// TestImportLabIsSampling (issue 15, fix15v item 6): a laboratory result
// is the testing of a sample of the lot — CBV 2.0 business step sampling
// (the Sample and assay form's step), not sensor_reporting, which the
// weighbridge import keeps for a weighing. REE-2025-001 stands at the
// port of Karachi on 2025-09-01.
func TestImportLabIsSampling(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	lab := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"S1,urn:critmin:demo:lot:REE-2025-001,2025-09-01T10:00:00+05:00,TREO,46.5,%,dry\n"
	v := url.Values{"source": {"fix15v-lab-step"}, "kind": {"laboratory"}, "csv": {lab}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:karachi"}}
	_, page := postImport(t, ts, v)
	if !strings.Contains(page, "OBSERVE · Sampling") || strings.Contains(page, "Sensor reporting") || !strings.Contains(page, `&#34;bizStep&#34;: &#34;sampling&#34;`) && !strings.Contains(page, `"bizStep": "sampling"`) {
		t.Errorf("the laboratory row's event is not a sampling:\n%s", excerpt(page, "import-row"))
	}
}

// TestImportMessagesReadAsSentences (issue 15, fix15v item 6): the
// import's messages name the row and cell in words, never the Go CSV
// reader's text, and a decimal comma gets its way out; the separator is
// not said to be the comma, and the decimal mark is a choice of . or ,.
func TestImportMessagesReadAsSentences(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	base := url.Values{"kind": {"laboratory"}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"def_site": {"urn:critmin:demo:site:karachi"}}
	post := func(source, csv string) string {
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		v.Set("source", source)
		v.Set("csv", csv)
		_, page := postImport(t, ts, v)
		return html.UnescapeString(visibleText(page))
	}
	const head = "Sample ID,Lot,Analysed,Element,Result\n"
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	// A bare quotation mark in row 3: "S2 "x"" is not a quoted cell.
	page := post("fix15v-msg-quote", head+"S1,"+lot+",2025-09-01T10:00:00+05:00,TREO,46.5\nS2 \"x\","+lot+",2025-09-01T10:00:00+05:00,TREO,46.5\n")
	if !strings.Contains(page, "Row 3") || !strings.Contains(page, "a quotation mark") || strings.Contains(page, "bare \"") || strings.Contains(page, "parse error") {
		t.Errorf("a bare quotation mark: %s", excerpt(page, "Row 3"))
	}
	// 46,5 unquoted in a comma-separated file: six cells; the hint.
	page = post("fix15v-msg-split", head+"S1,"+lot+",2025-09-01T10:00:00+05:00,TREO,46,5\n")
	if !strings.Contains(page, "row 2 has 6 cells where the header has 5") || !strings.Contains(page, "use a decimal point (46.5)") || !strings.Contains(page, `choose decimal mark ","`) {
		t.Errorf("a decimal comma splitting a row: %s", excerpt(page, "cells"))
	}
	// "46,5" quoted, no decimal mark stated: the hint.
	page = post("fix15v-msg-quoted", head+"S1,"+lot+",2025-09-01T10:00:00+05:00,TREO,\"46,5\"\n")
	if !strings.Contains(page, `"46,5" looks like a number with a decimal comma: use a decimal point (46.5), or choose decimal mark ","`) {
		t.Errorf("a quoted decimal comma: %s", excerpt(page, "46,5"))
	}
	resp, b := do(t, "GET", ts.URL+"/import", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != 200 || strings.Contains(string(b), "comma-separated") {
		t.Errorf("the import page says comma-separated (%d)", resp.StatusCode)
	}
	// With a file checked, the mapping offers the decimal mark as a choice.
	v := url.Values{}
	for k, x := range base {
		v[k] = x
	}
	v.Set("source", "fix15v-msg-mark")
	v.Set("csv", head+"S1,"+lot+",2025-09-01T10:00:00+05:00,TREO,46.5\n")
	_, raw := postImport(t, ts, v)
	if !strings.Contains(raw, `<select name="def_decimal" id="def-decimal">`) || !strings.Contains(raw, `<option value="." `) || !strings.Contains(raw, `<option value="," `) || strings.Contains(raw, `<input name="def_decimal"`) {
		t.Errorf("the decimal mark is not a choice of . or ,: %s", excerpt(raw, "decimal"))
	}
}
