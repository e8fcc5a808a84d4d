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

// TestImportLaboratoryRefusedRowDoesNotPoison (issue 15, fix15w3 items 2
// and 4): demo lot REE-2025-003 is recorded at 30 t, 8 % moisture (dry
// 30 × 0.92 = 27.6 t), at Port Qasim. A laboratory file of three rows on
// 5 Nov 2025 (dated before the lot's later events, 12 Nov):
//
//   - row 2, H2O 0.08 (%): moisture 0.0008, dry 30 × 0.9992 = 29.976 t,
//     (29.976 − 27.6) / 27.6 = +8.6 % → refused, in the Value column (not
//     "—" with a JSON pointer), hinting "did you mean 8 %?";
//   - row 3, H2O 8.2 %: dry 30 × 0.918 = 27.54 t, −0.22 % against the
//     recorded 8 % (row 2 refused does not count) → valid;
//   - row 4, Nd2O3 5.0 % dry → valid.
//
// The preview says 2 valid, and lists one error, at row 2; nothing is
// stored.
func TestImportLaboratoryRefusedRowDoesNotPoison(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	const lot = "urn:critmin:demo:lot:REE-2025-003"
	file := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"LP-1," + lot + ",2025-11-05T10:00:00+05:00,H2O,0.08,%,dry\n" +
		"LP-2," + lot + ",2025-11-05T11:00:00+05:00,H2O,8.2,%,dry\n" +
		"LP-3," + lot + ",2025-11-05T12:00:00+05:00,Nd2O3,5.0,%,dry\n"
	v := url.Values{"source": {"lab-poison"}, "kind": {"laboratory"}, "csv": {file}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	resp, page := postImport(t, ts, v)
	page = html.UnescapeString(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>2 valid</strong>") {
		t.Fatalf("preview: %d, want 200 with rows 3 and 4 valid\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
	if !strings.Contains(page, `<a href="#row-2">2</a></td><td>Result</td><td>moisture reading of lot `+lot+` refused`) || !strings.Contains(page, "did you mean 8 %?") {
		t.Errorf("row 2 not refused in the Result column with the hint:\n%s", excerpt(page, "row-errors"))
	}
	for _, bad := range []string{`href="#row-3"`, `href="#row-4"`, "<td>—</td>", "/epcisBody/"} {
		if strings.Contains(page, bad) {
			t.Errorf("page shows %q:\n%s", bad, excerpt(page, "row-errors"))
		}
	}
	// A row whose assay breaks the lot's closure: Nd2O3 99 % (the
	// oxides 138.4 % against TREO 45.5 %) at row 2, then Pr6O11 1 % and
	// CeO2 1 %, each within the lot's TREO alone. Before, the closure
	// named the file's last row with the 99 % in its figures, and every
	// row was refused in turn ("3 invalid"); now row 2 alone, under
	// Result.
	file = "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"LQ-1," + lot + ",2025-11-05T10:00:00+05:00,Nd2O3,99,%,dry\n" +
		"LQ-2," + lot + ",2025-11-05T11:00:00+05:00,Pr6O11,1.0,%,dry\n" +
		"LQ-3," + lot + ",2025-11-05T12:00:00+05:00,CeO2,1.0,%,dry\n"
	v.Set("csv", file)
	v.Set("source", "lab-poison-closure")
	resp, page = postImport(t, ts, v)
	page = html.UnescapeString(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>2 valid</strong>") ||
		!strings.Contains(page, `<a href="#row-2">2</a></td><td>Result</td><td>lot `+lot+` with the assays it already has and this event's: the rare-earth oxides add up to 138.4 %`) {
		t.Fatalf("closure file: %d, want rows 3 and 4 valid, row 2 refused under Result\n%s", resp.StatusCode, excerpt(page, "row-errors"))
	}
	for _, bad := range []string{`href="#row-3"`, `href="#row-4"`, "<td>—</td>", "/epcisBody/"} {
		if strings.Contains(page, bad) {
			t.Errorf("closure file: page shows %q:\n%s", bad, excerpt(page, "row-errors"))
		}
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Errorf("preview stored %d events", n-before)
	}
}
