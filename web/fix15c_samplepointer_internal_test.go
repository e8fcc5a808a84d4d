package web

import (
	"net/url"
	"testing"
)

// TestSampleErrorsMappedByWhatReportIs (issue 15, fix15c item 5): the
// Sample form maps an error on a sensor report to the field the report
// comes from by what the report is, not by its element's index. In an
// event whose moisture element comes first and results second (two
// reports, TREO and Nd2O3), an error on element 1's report 1 (Nd2O3) is
// line 2 of Results, and one on element 0's report 0 (H2O) is the
// moisture's; in the form's own event (results element 0, moisture
// element 1) the same holds, and with no result the moisture (element 0)
// is still the moisture's. Before, element 1 was read as the moisture
// and element 0's reports as the result lines, whatever they held.
func TestSampleErrorsMappedByWhatReportIs(t *testing.T) {
	var f *recordForm
	for _, x := range recordForms {
		if x.ID == "sample" {
			f = x
		}
	}
	if f == nil || f.remap == nil {
		t.Fatal("no Sample form with a remap")
	}
	h2o := map[string]any{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 8.0, "uom": "P1"}
	treo := map[string]any{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/TREO", "value": 12.0, "uom": "P1"}
	nd := map[string]any{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd2O3", "value": 150.0, "uom": "P1"}
	reordered := map[string]any{"sensorElementList": []any{
		map[string]any{"sensorReport": []any{h2o}},
		map[string]any{"sensorReport": []any{treo, nd}},
	}}
	v := url.Values{"assays": {"TREO 12 %\nNd2O3 150 %"}, "moisture": {"8"}, "lot": {"urn:t:lot:1"}, "time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:t:site:1"}}
	noResult := url.Values{"moisture": {"8"}, "lot": {"urn:t:lot:1"}, "time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:t:site:1"}}
	cases := []struct {
		ev        map[string]any
		ptr, name string
		line      int
	}{
		{reordered, "/sensorElementList/1/sensorReport/1/value", "assays", 2},
		{reordered, "/sensorElementList/1/sensorReport/0", "assays", 1},
		{reordered, "/sensorElementList/0/sensorReport/0/value", "moisture", 0},
		{reordered, "/sensorElementList/0", "moisture", 0},
		{reordered, "/sensorElementList/1/sensorMetadata/deviceID", "lab", 0},
		{f.event(v), "/sensorElementList/0/sensorReport/1/value", "assays", 2},
		{f.event(v), "/sensorElementList/1/sensorReport/0", "moisture", 0},
		{f.event(noResult), "/sensorElementList/0/sensorReport/0", "moisture", 0},
	}
	for i, c := range cases {
		name, line := fieldOf(f.fields, f.remap(c.ev, eventPointer+c.ptr))
		if name != c.name || line != c.line {
			t.Errorf("case %d, %s: field %q line %d; want %q line %d", i, c.ptr, name, line, c.name, c.line)
		}
	}
}
