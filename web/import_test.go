package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
)

var weighbridgeCSV = mustReadFile("testdata/weighbridge-karachi.csv")

// weighbridgeMapping is the mapping an operator confirms for the Karachi
// weighbridge: the columns guessed from the headers, and the site and
// time zone once for the file.
func weighbridgeMapping(step string) url.Values {
	return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {weighbridgeCSV}, "step": {step},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_gross_kg": {"Gross (kg)"}, "col_tare_kg": {"Tare (kg)"},
		"col_net_kg": {"Net (kg)"}, "col_moisture_pct": {"Moisture %"}, "def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
}

func postImport(t *testing.T, ts *testServer, v url.Values) (*http.Response, string) {
	t.Helper()
	resp, b := send(t, "POST", ts.URL+"/import", []byte(v.Encode()), map[string]string{"Content-Type": formHeader["Content-Type"], "Authorization": "Bearer " + operatorSecret})
	return resp, withIDs(string(b))
}

// TestImportWeighbridge: a file with one bad row is checked whole — the
// row, its column and the reason listed — and refused: nothing stored.
// The mapping is saved for the source, so the next upload of the source
// needs no mapping. With proceed the two valid rows are stored together
// and the lots take the weighed net masses: 24,950 kg and 17,980 kg
// (39,950 − 15,000 = 24,950 checks the net column).
func TestImportWeighbridge(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)

	// Upload without a mapping: the columns are guessed from the headers,
	// the site is missing, nothing is stored.
	resp, page := postImport(t, ts, url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {weighbridgeCSV}, "step": {"check"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "no column is mapped to Site") || !strings.Contains(page, `<option value="Net (kg)" selected>`) {
		t.Fatalf("first upload: %d\n%s", resp.StatusCode, page)
	}
	resp, page = postImport(t, ts, weighbridgeMapping("capture"))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("capture of a file with a bad row: %d\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, "1 of 3 rows has errors") || !strings.Contains(page, `<tr><td class="num"><a href="#row-4">4</a></td><td>Net (kg)</td><td>&#34;2999O&#34; is not a number: &#34;O&#34; follows the number 2999 — give the number alone (a unit goes in its own field or column)</td></tr>`) {
		t.Errorf("the bad row is not named:\n%s", page)
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Fatalf("a refused file stored %d events", n-before)
	}
	saved, err := ts.Store.FindImportMapping(ctx, "karachi-weighbridge")
	if err != nil || saved.Columns["net_kg"] != "Net (kg)" || saved.Defaults["site"] != "urn:critmin:demo:site:karachi" || saved.UpdatedBy != "operator" {
		t.Fatalf("saved mapping %+v, %v", saved, err)
	}
	// The next upload of the source uses the saved mapping.
	resp, page = postImport(t, ts, url.Values{"source": {"karachi-weighbridge"}, "csv": {weighbridgeCSV}, "step": {"check"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="mapping-saved"`) || !strings.Contains(page, "3 rows: <strong>2 valid</strong>") {
		t.Fatalf("upload with the saved mapping: %d\n%s", resp.StatusCode, page)
	}
	v := weighbridgeMapping("capture")
	v.Set("behaviour", "proceed")
	resp, page = postImport(t, ts, v)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/capture/cap-") {
		t.Fatalf("proceed: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	job, err := ts.Store.FindCaptureJob(ctx, jobIDOf(resp))
	if err != nil || job.Stored != 2 || !job.Success {
		t.Fatalf("job %+v, %v", job, err)
	}
	for lot, wet := range map[string]float64{"urn:critmin:demo:lot:REE-2025-001": 24.95, "urn:critmin:demo:lot:REE-2025-002": 17.98} {
		l, err := ts.Store.FindLot(ctx, lot)
		if err != nil || l.WetTonnes != wet {
			t.Errorf("%s: wet %v t, want %v (%v)", lot, l.WetTonnes, wet, err)
		}
	}
	// Importing the same file again stores nothing twice: the event IDs
	// come from the source and the ticket.
	// The page says so, naming each row imported before (fixNc).
	n, _ := ts.Store.CountEvents(ctx)
	resp, page = postImport(t, ts, v)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Nothing new to import: its 2 good rows were already imported") {
		t.Fatalf("second import: %d\n%s", resp.StatusCode, page)
	}
	if m, _ := ts.Store.CountEvents(ctx); m != n {
		t.Errorf("second import stored %d events", m-n)
	}
}

// TestImportLaboratory: a results file's rows become assays; the row with
// an unknown basis is refused by the capture validator and named with its
// column; a result in ppm stays in ppm (25,500 ppm, which is 2.55 %).
// The file's TREO, 46.5 %, holds the lot's oxides (demo REE-2025-003:
// CeO2 22.3 + La2O3 15.2 + Nd2O3 5.2 + Pr6O11 1.9 = 44.6 % ≤ 46.5 %), as
// the capture check requires of a total.
func TestImportLaboratory(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"gsp-lab"}, "kind": {"laboratory"}, "csv": {mustReadFile("testdata/lab-gsp.csv")}, "step": {"capture"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `<tr><td class="num"><a href="#row-4">4</a></td><td>Basis</td>`) {
		t.Fatalf("lab file with a bad basis: %d\n%s", resp.StatusCode, page)
	}
	v.Set("behaviour", "proceed")
	if resp, page = postImport(t, ts, v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("proceed: %d\n%s", resp.StatusCode, page)
	}
	l, err := ts.Store.FindLot(ctx, "urn:critmin:demo:lot:REE-2025-003")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]critmin.Assay{}
	for _, a := range l.Assays {
		got[a.Analyte] = a
	}
	if a := got["TREO"]; a.Value != 46.5 {
		t.Errorf("TREO %+v, want 46.5 %%", a)
	}
	if a := got["Nd2O3"]; a.Value != 25500 || a.Unit != "ppm" {
		t.Errorf("Nd2O3 %+v, want 25,500 ppm", a)
	}
}

// TestImportRowChecks: the checks of a weighbridge file besides the
// validator's, each named by row and column: a ticket seen twice, a tare
// above the gross, a net that is not gross − tare (40,000 − 15,000 =
// 25,000, not 24,000), a row with too few cells, a date that is not one.
// Only row 2 is valid; nothing is stored without proceed.
func TestImportRowChecks(t *testing.T) {
	ts := MustServe(t, false, nil)
	file := "Ticket,Lot,Time,Gross,Tare,Net\n" +
		"T1,urn:critmin:demo:lot:A,2025-08-29 14:10,40000,15000,25000\n" +
		"T1,urn:critmin:demo:lot:B,2025-08-29 14:20,40000,15000,25000\n" +
		"T3,urn:critmin:demo:lot:C,2025-08-29 14:30,15000,40000,\n" +
		"T4,urn:critmin:demo:lot:D,2025-08-29 14:40,40000,15000,24000\n" +
		"T5,urn:critmin:demo:lot:E\n" +
		"T6,urn:critmin:demo:lot:F,2025-13-40 10:00,40000,15000,25000\n"
	v := url.Values{"source": {"checks"}, "kind": {"weighbridge"}, "csv": {file}, "step": {"capture"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot"}, "col_time": {"Time"}, "col_gross_kg": {"Gross"}, "col_tare_kg": {"Tare"}, "col_net_kg": {"Net"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	resp, page := postImport(t, ts, v)
	// No lot of the file is recorded: row 2, valid otherwise, names a lot
	// the ledger does not know.
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "None of the 6 rows is valid") {
		t.Fatalf("status %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{
		`<td class="num"><a href="#row-2">2</a></td><td>Lot</td><td>lot not known: no lot urn:critmin:demo:lot:A is recorded`,
		`<td class="num"><a href="#row-3">3</a></td><td>Ticket</td><td>the same as row 2`,
		`<td class="num"><a href="#row-4">4</a></td><td>Tare</td><td>tare 40,000 kg is more than gross 15,000 kg`,
		`<td class="num"><a href="#row-5">5</a></td><td>Net</td><td>net 24,000 kg is not gross − tare = 25,000 kg`,
		`<td class="num"><a href="#row-6">6</a></td><td>—</td><td>row 6 has 2 cells where the header has 6`,
		`<td class="num"><a href="#row-7">7</a></td><td>Time</td><td>&#34;2025-13-40 10:00&#34; is not a date and time`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("errors lack %s", want)
		}
	}
	if n, _ := ts.Store.CountEvents(context.Background()); n != 0 {
		t.Errorf("stored %d events", n)
	}
}

// TestImportDocumentRuleNamesRow: a rule the capture checks over the whole
// document (here the lot's assay closure: REE-2025-003, stored CeO2 22.3,
// La2O3 15.2, Nd2O3 5.2, Pr6O11 1.9 % = 44.6 % dry, given TREO 60 % by
// row 2 — 44.6 ≤ 60, valid — and Nd2O3 50 % by row 3 — 22.3 + 15.2 + 50
// + 1.9 = 89.4 % over the lot's TREO) names the row that breaks it in the per-row table, not
// "cannot be imported with this mapping"; row 2 stays valid and is the
// only one stored with proceed.
func TestImportDocumentRuleNamesRow(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	file := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"GSP-200-1,urn:critmin:demo:lot:REE-2025-003,2025-11-05T10:00:00+05:00,TREO,60,%,dry\n" +
		"GSP-200-2,urn:critmin:demo:lot:REE-2025-003,2025-11-05T10:00:00+05:00,Nd2O3,50,%,dry\n"
	v := url.Values{"source": {"gsp-lab-rule"}, "kind": {"laboratory"}, "csv": {file}, "step": {"capture"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	before, _ := ts.Store.CountEvents(ctx)
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(page, "cannot be imported with this mapping") ||
		!strings.Contains(page, "1 of 2 rows has errors") || !strings.Contains(page, `<td class="num"><a href="#row-3">3</a></td>`) ||
		strings.Contains(page, `<td class="num"><a href="#row-2">2</a></td>`) || !strings.Contains(page, "over the TREO assay") {
		t.Fatalf("document rule: %d\n%s", resp.StatusCode, page)
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Fatalf("a refused file stored %d events", n-before)
	}
	v.Set("behaviour", "proceed")
	resp, page = postImport(t, ts, v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("proceed: %d\n%s", resp.StatusCode, page)
	}
	job, err := ts.Store.FindCaptureJob(ctx, jobIDOf(resp))
	if err != nil || job.Stored != 1 {
		t.Fatalf("job %+v, %v", job, err)
	}
}

// TestImportMessagesSayWhatToWrite (nu15 #8): a negative gross is refused
// as negative (not "tare 0 kg is more than gross -5 kg"); a moisture of
// 150 % is refused in the column's own unit, per cent; a basis "wet" is
// answered with the word to write (as_received).
func TestImportMessagesSayWhatToWrite(t *testing.T) {
	ts := MustServe(t, false, nil)
	wb := "Ticket,Lot,Time,Gross,Tare,Net,Moisture\n" +
		"T1,urn:critmin:demo:lot:A,2025-08-29 14:10,-5,0,,\n" +
		"T2,urn:critmin:demo:lot:B,2025-08-29 14:20,40000,15000,25000,150\n"
	resp, page := postImport(t, ts, url.Values{"source": {"msgs"}, "kind": {"weighbridge"}, "csv": {wb}, "step": {"capture"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot"}, "col_time": {"Time"}, "col_gross_kg": {"Gross"}, "col_tare_kg": {"Tare"}, "col_net_kg": {"Net"},
		"col_moisture_pct": {"Moisture"}, "def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}})
	for _, want := range []string{
		`<a href="#row-2">2</a></td><td>Gross</td><td>gross -5 kg is negative: a mass is 0 kg or more`,
		`<a href="#row-3">3</a></td><td>Moisture</td><td>moisture 150 % is not possible: give the water content as a percentage from 0 to below 100`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("%d: lacks %s", resp.StatusCode, want)
		}
	}
	if strings.Contains(page, "is more than gross -5") || strings.Contains(page, "must be a fraction") {
		t.Errorf("old wording:\n%s", page)
	}
	lab := "Sample,Lot,Time,Analyte,Value,Unit,Basis\nS1,urn:critmin:demo:lot:A,2025-11-05T10:00:00+05:00,TREO,11.7,%,wet\n"
	_, page = postImport(t, ts, url.Values{"source": {"msgs-lab"}, "kind": {"laboratory"}, "csv": {lab}, "step": {"capture"},
		"col_sample": {"Sample"}, "col_lot": {"Lot"}, "col_time": {"Time"}, "col_analyte": {"Analyte"}, "col_value": {"Value"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:loe-shilman"}})
	if !strings.Contains(page, `<td>Basis</td><td>basis &#34;wet&#34; is not one the ledger reads: write dry (on the dried sample) or as_received (on the sample as received, with its moisture) — a result on the sample as received (wet) is as_received`) {
		t.Errorf("basis wet:\n%s", page)
	}
}

// TestImportNoValidRow (new-user check): with the net mass mapped to the
// ticket column every row is invalid ("KHI-WB-1001" is not a number); the
// preview says nothing can be stored and disables the import button, and
// a capture with proceed ticked says nothing can be stored — never
// "choose proceed to store only the 0 valid rows" — and stores nothing.
func TestImportNoValidRow(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	v := weighbridgeMapping("preview")
	v.Set("col_net_kg", "Ticket")
	_, page := postImport(t, ts, v)
	if !strings.Contains(page, `id="nothing-valid"`) || !strings.Contains(page, `id="capture-button" disabled`) || strings.Contains(page, "Import 0 valid") {
		t.Errorf("preview with no valid row:\n%s", page)
	}
	v.Set("step", "capture")
	v.Set("behaviour", "proceed")
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "None of the 3 rows is valid") || strings.Contains(page, "0 valid rows") {
		t.Errorf("capture with proceed and no valid row: %d\n%s", resp.StatusCode, page)
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Fatalf("stored %d events", n-before)
	}
}
