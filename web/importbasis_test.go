package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportLaboratoryBlankBasisIsDry (issue 9, "Bad input"): capture
// refuses an assay without cm:basis, so the laboratory import always
// sends one: a blank Basis cell, or a mapping without a Basis column, is
// dry, as the column's help says. Two rows of lot REE-2025-003 — Nd2O3
// 5.1 % with a blank cell, Pr6O11 1.3 % from a source mapping no Basis
// column — are captured, each read as a stated dry assay (not "basis
// not stated").
func TestImportLaboratoryBlankBasisIsDry(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-003"
	base := url.Values{"kind": {"laboratory"}, "step": {"capture"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	withCol := url.Values{}
	for k, v := range base {
		withCol[k] = v
	}
	withCol.Set("source", "lab-blank-basis")
	withCol.Set("col_basis", "Basis")
	withCol.Set("csv", "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\nB1,"+lot+",2025-11-05T10:00:00+05:00,Nd2O3,5.1,%,\n")
	noCol := url.Values{}
	for k, v := range base {
		noCol[k] = v
	}
	noCol.Set("source", "lab-no-basis")
	noCol.Set("csv", "Sample ID,Lot,Analysed,Element,Result,Unit\nB2,"+lot+",2025-11-05T11:00:00+05:00,Pr6O11,1.3,%\n")
	for _, v := range []url.Values{withCol, noCol} {
		if resp, page := postImport(t, ts, v); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", v.Get("source"), resp.StatusCode, excerpt(page, "row-errors"))
		}
	}
	l, err := ts.Store.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, a := range l.Assays {
		if (a.Analyte == "Nd2O3" && a.Value == 5.1) || (a.Analyte == "Pr6O11" && a.Value == 1.3) {
			found[a.Analyte] = true
			if a.Basis != "dry" || a.BasisNotStated {
				t.Errorf("%s %v: basis %q, not stated %v; want a stated dry basis", a.Analyte, a.Value, a.Basis, a.BasisNotStated)
			}
		}
	}
	if len(found) != 2 {
		t.Errorf("imported assays not on the lot: %v in %+v", found, l.Assays)
	}
}
