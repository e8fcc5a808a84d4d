package http_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestMassSensorOutOfRangeRefused: a Mass sensor report of 1.7e308 TNE
// (×1000 kg/t overflows to +Inf) or 1e300 TNE (over 1e12 t) is refused with
// 400 naming the report's value; nothing is stored, and the lot API keeps
// answering with a body (it answered 200 with an empty body when +Inf was
// stored as the lot's wet tonnes).
func TestMassSensorOutOfRangeRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, v := range []string{"1.7e308", "1e300"} {
		body := []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"cm":"https://ns.critmin.org/mineral/v1/"}],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-01-01T00:00:00Z","epcisBody":{"eventList":[
{"type":"ObjectEvent","eventTime":"2025-07-01T00:00:00.000Z","eventTimeZoneOffset":"+00:00","epcList":[],
 "quantityList":[{"epcClass":"urn:x:lot:N1","quantity":5,"uom":"KGM"}],"action":"ADD","bizStep":"commissioning",
 "ilmd":{"cm:commodity":"antimony_ore"},
 "sensorElementList":[{"sensorReport":[{"type":"Mass","value":` + v + `,"uom":"TNE"}]}]}]}}`)
		resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
		p := mustProblem(t, resp, rb, http.StatusBadRequest)
		if len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0].Pointer, "/epcisBody/eventList/0/sensorElementList") || !strings.Contains(p.Errors[0].Reason, "t") {
			t.Errorf("%s TNE: errors %+v", v, p.Errors)
		}
	}
	if n := eventCount(t, ts.Store); n != 0 {
		t.Errorf("%d events stored by refused documents", n)
	}
	resp, rb := do(t, "GET", ts.URL+"/api/v1/lots", operatorSecret, nil, nil)
	if resp.StatusCode != 200 || len(rb) == 0 {
		t.Errorf("lots: %d %q", resp.StatusCode, rb)
	}
}
