package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportThousandsAmbiguousInCommaFile (fix15c item 6): in a
// comma-separated file "24.950" was read as 24.95 kg where a spreadsheet
// whose thousands separator is the point meant 24,950 kg — 1,000 times
// more. With no decimal mark stated the cell is refused on its row and
// column with both readings (24950 if the point separates thousands,
// 24.95 if it is the decimal mark) and nothing is stored; stated as
// comma, it reads 24950 kg (demo lot REE-2025-001 weighed at Karachi on
// 29 Aug 2025 14:10, after its arrival there at 14:00): one valid row.
func TestImportThousandsAmbiguousInCommaFile(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	form := url.Values{"source": {"comma-weighbridge"}, "kind": {"weighbridge"}, "step": {"preview"},
		"csv":        {"Ticket,Lot No,Weighed at,Net (kg)\nB1,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,24.950\n"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	resp, page := postImport(t, ts, form)
	page = html.UnescapeString(page)
	want := `<a href="#row-2">2</a></td><td>Net (kg)</td><td>"24.950" is ambiguous in a file separated by commas whose decimal mark is not stated: it is 24950 if the mark separates thousands, 24.95 if it is the decimal mark`
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
		t.Errorf("24.950 in a comma file is not refused on row 2 with both readings: %d\n%s", resp.StatusCode, page)
	}
	form.Set("step", "capture")
	form.Set("behaviour", "proceed")
	postImport(t, ts, form)
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored from a file whose only row is refused", after-before)
	}
	form.Set("step", "preview")
	form.Del("behaviour")
	form.Set("def_decimal", "comma")
	resp, page = postImport(t, ts, form)
	if page = html.UnescapeString(page); resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1 valid</strong>") || !strings.Contains(page, `"quantity": 24950`) {
		t.Errorf("with the decimal mark stated as comma: %d; want 1 valid row of 24950 kg\n%s", resp.StatusCode, page)
	}
}

// TestImportWordAfterValueAndWorkbook (fix15c item 5): a laboratory
// result "5.2 abc" or a unit "%pct" was dropped or passed on unread; each
// is now a row error naming the row and column and the word. A workbook
// uploaded where CSV is expected is named as one: "this is an XLSX
// workbook (Excel), not a CSV file".
func TestImportWordAfterValueAndWorkbook(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	lab := "Sample ID,Lot,Analysed,Element,Result,Unit\n" +
		"W1,urn:critmin:demo:lot:REE-2025-003,2025-11-05T10:00:00+05:00,TREO,5.2 abc,%\n" +
		"W2,urn:critmin:demo:lot:REE-2025-003,2025-11-05T10:00:00+05:00,Nd2O3,5.2,%pct\n"
	v := url.Values{"source": {"words-lab"}, "kind": {"laboratory"}, "csv": {lab}, "step": {"capture"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	resp, page := postImport(t, ts, v)
	page = html.UnescapeString(page)
	for _, want := range []string{
		`<a href="#row-2">2</a></td><td>Result</td><td>"5.2 abc" is not a number: "abc" follows the number 5.2`,
		`<a href="#row-3">3</a></td><td>Unit</td><td>unit "%pct" is not a grade unit critmin reads`,
	} {
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, want) {
			t.Errorf("%d: lacks %s", resp.StatusCode, want)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored from a file with errors", after-before)
	}
	v.Set("csv", "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml\xff\xfe")
	_, page = postImport(t, ts, v)
	if page = html.UnescapeString(page); !strings.Contains(page, "this is an XLSX workbook (Excel), not a CSV file: the import reads CSV only") {
		t.Errorf("an XLSX upload is not named:\n%s", page)
	}
}

// TestRecordAssayLineWords (fix15c item 5): the forms' assay lines are
// ANALYTE VALUE [UNIT] [BASIS]; a unit that is not a grade unit
// ("TREO 5.2 %pct") and a word after the basis ("Nd2O3 2.6 % dry abc")
// are refused on their lines, never dropped.
func TestRecordAssayLineWords(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-003"}, "assays": {"TREO 5.2 %pct\nNd2O3 2.6 % dry abc"},
		"time": {"2025-11-05T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:port-qasim"}}
	resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	page := html.UnescapeString(string(b))
	for _, want := range []string{`line 1: unit "%pct" is not a grade unit`, `line 2: "abc" after the basis is not read`} {
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, want) {
			t.Errorf("%d: lacks %s", resp.StatusCode, want)
		}
	}
}
