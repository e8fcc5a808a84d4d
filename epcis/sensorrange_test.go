package epcis_test

import (
	"strings"
	"testing"
)

// TestSensorReportRanges (issue 8 §5, nu34-8): a sensor report's
// minValue and maxValue bound an interval (EPCIS 2.0 §7.3.7.2, "the
// minimum/maximum value observed"), so a minValue above the maxValue is
// no reading and is refused naming minValue; equal bounds are one value.
// percRank is a percentile rank, 0 to 100. The standard's own example
// (object_event_all_possible_fields: value 26, minValue 26, maxValue
// 26.2, meanValue 13.2, percValue 12.7) is accepted: the standard does
// not tie value, meanValue or percValue to [minValue, maxValue].
func TestSensorReportRanges(t *testing.T) {
	const at = "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/"
	report := func(fields string) string {
		return `"epcList": ["urn:x:e"], "sensorElementList": [{"sensorReport": [{"type": "Temperature", "uom": "CEL", ` + fields + `}]}]`
	}
	for fields, want := range map[string]string{
		`"minValue": 30, "maxValue": 20`:   at + "minValue: minValue 30 is more than maxValue 20",
		`"minValue": -0.5, "maxValue": -1`: at + "minValue: minValue -0.5 is more than maxValue -1",
		`"minValue": 20, "maxValue": 20`:   "",
		`"minValue": 20, "maxValue": 30`:   "",
		`"minValue": 30`:                   "",
		`"percRank": -1`:                   at + "percRank: percRank is a percentile rank and must lie in [0, 100], got -1",
		`"percRank": 100.5`:                at + "percRank: percRank is a percentile rank and must lie in [0, 100], got 100.5",
		`"percRank": 0, "percValue": 1`:    "",
		`"percRank": 100, "percValue": 1`:  "",
		`"value": 26, "minValue": 26, "maxValue": 26.2, "meanValue": 13.2, "percRank": 50, "percValue": 12.7, "sDev": 0.1`: "",
	} {
		got := decodeErr(t, oneEvent(report(fields)))
		if (want == "") != (got == "") || !strings.HasPrefix(got, want) {
			t.Errorf("%s:\n got %q\nwant %q…", fields, got, want)
		}
	}
}
