package refinery_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/refinery"
)

// TestFixedValueShownAsFixed: a value given as a bare number (conc 8 t)
// or "fixed": true (tail 0.2 % Cu) is held, not measured: it has no
// precision. The result marks it "fixed": true (class fixed, no
// measured_sd); the report's input has no sd and no relative precision
// (not "sd 0, precision 0.000 %"), and its CSV (and so XLSX) rows read
// "fixed" in the sd, relative-precision and reconciled-sd columns.
// Arithmetic: conc is held at 8 t exactly, so its reconciled value is 8.
func TestFixedValueShownAsFixed(t *testing.T) {
	doc := strings.Replace(strings.Replace(twoProductTmpl, "%s", "", 1), "%s", `{"value": 100, "sd": 2}`, 1)
	doc = strings.Replace(doc, `"mass_t": {"value": 8, "sd": 0.3}`, `"mass_t": 8`, 1)
	doc = strings.Replace(doc, `{"value": 0.2, "sd": 0.01}`, `{"value": 0.2, "fixed": true}`, 1)
	p, err := refinery.DecodeProblem(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	r, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	conc, tail := r.Streams[1].Mass, r.Streams[2].Grade["Cu"]
	for _, e := range []refinery.Estimate{conc, tail} {
		if !e.Fixed || e.Class != refinery.ClassFixed || e.MeasuredSD != nil || e.NormalisedAdjustment != nil {
			t.Errorf("fixed estimate %+v", e)
		}
	}
	if float64(conc.Value) != 8 {
		t.Errorf("conc held at %v, want 8", conc.Value)
	}
	b, _ := json.Marshal(conc)
	if !strings.Contains(string(b), `"fixed":true`) {
		t.Errorf("JSON %s lacks fixed", b)
	}
	rep := refinery.NewReport(p, r, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var fixed int
	for _, in := range rep.Inputs {
		if in.Basis == "fixed" {
			fixed++
			if in.SD != nil || in.RelPct != nil {
				t.Errorf("fixed input %s %s carries sd %v / precision %v", in.Where, in.Quantity, in.SD, in.RelPct)
			}
		} else if in.SD == nil || in.RelPct == nil {
			t.Errorf("measured input %s %s lacks its sd or precision", in.Where, in.Quantity)
		}
	}
	if fixed != 2 {
		t.Errorf("%d fixed inputs, want 2", fixed)
	}
	var csv bytes.Buffer
	if err := rep.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Measurements,conc,mass_t,,fixed,8,fixed,fixed,,,8,fixed,,,fixed,false", "Measurements,tail,grade_pct,Cu,fixed,0.2,fixed,fixed,,,0.2,fixed,,,fixed,false"} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
	if strings.Contains(csv.String(), "NaN") {
		t.Errorf("CSV shows NaN")
	}
}
