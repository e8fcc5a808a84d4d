package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// TestPerEventLimits (issue 14, fix14 item 2): one event of 700,000 EPCs
// was accepted (63 s, 545 MB). Each per-event limit is refused at
// capture, naming the list and the limit, and an event at a limit is
// accepted. Under proceed, in one document:
//
//	0: 10,000 EPCs in epcList — at MaxEventEPCs: stored
//	1: 10,001 EPCs                                 → /epcList
//	2: 10,001 quantity elements                    → /quantityList
//	3: 1,001 sensor elements                       → /sensorElementList
//	4: 2 sensor elements of 5,000 and 5,001 reports → /sensorElementList/1/sensorReport
//	5: 9,000 EPCs of 250 bytes (> 2 MiB of text)   → the event itself
//	6: a TransformationEvent of 5,000 input and 5,001 output EPCs (the
//	   lists count together: 10,001)       → /outputEPCList
//
// 1 stored, 6 errors. Under rollback the first refusal is a 400 naming
// the field and the limit, and nothing is stored.
func TestPerEventLimits(t *testing.T) {
	epcs := func(n, width int) string {
		l := make([]string, n)
		for i := range l {
			id := fmt.Sprintf("urn:epc:id:sgtin:0614141.107346.%d", i)
			if pad := width - len(id); pad > 0 {
				id = fmt.Sprintf("urn:epc:id:sgtin:0614141.107346.%s%d", strings.Repeat("9", pad), i)
			}
			l[i] = `"` + id + `"`
		}
		return "[" + strings.Join(l, ",") + "]"
	}
	repeat := func(n int, item string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + "]"
	}
	ev := func(id, extra string) string {
		return `{"type":"ObjectEvent","eventID":"urn:critmin:test:lim:` + id + `","action":"OBSERVE","eventTime":"2025-10-01T00:00:00Z","eventTimeZoneOffset":"+00:00"` + extra + `}`
	}
	events := []string{
		ev("0", `,"epcList":`+epcs(epcis.MaxEventEPCs, 0)),
		ev("1", `,"epcList":`+epcs(epcis.MaxEventEPCs+1, 0)),
		ev("2", `,"quantityList":`+repeat(epcis.MaxEventQuantities+1, `{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":1,"uom":"KGM"}`)),
		ev("3", `,"epcList":["urn:epc:id:sgtin:0614141.107346.1"],"sensorElementList":`+repeat(epcis.MaxEventSensorElements+1, `{"sensorReport":[{"type":"gs1:Temperature","value":1,"uom":"CEL"}]}`)),
		ev("4", `,"epcList":["urn:epc:id:sgtin:0614141.107346.1"],"sensorElementList":[{"sensorReport":`+repeat(5000, `{"type":"gs1:Temperature","value":1,"uom":"CEL"}`)+`},{"sensorReport":`+repeat(5001, `{"type":"gs1:Temperature","value":1,"uom":"CEL"}`)+`}]`),
		ev("5", `,"epcList":`+epcs(9000, 250)),
		`{"type":"TransformationEvent","eventID":"urn:critmin:test:lim:6","eventTime":"2025-10-01T00:00:00Z","eventTimeZoneOffset":"+00:00","inputEPCList":` + epcs(5000, 0) + `,"outputEPCList":` + epcs(5001, 0) + `}`,
	}
	doc := []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`)
	if len(events[5]) <= epcis.MaxEventBytes {
		t.Fatalf("event 5 is %d bytes; the test needs more than %d", len(events[5]), epcis.MaxEventBytes)
	}
	want := map[string]string{
		"/epcisBody/eventList/1/epcList":                          "more than 10,000 identifiers",
		"/epcisBody/eventList/2/quantityList":                     "more than 10,000 quantity elements",
		"/epcisBody/eventList/3/sensorElementList":                "1,001 sensor elements, more than the per-event limit of 1,000",
		"/epcisBody/eventList/4/sensorElementList/1/sensorReport": "more than 10,000 sensor reports",
		"/epcisBody/eventList/5":                                  "more than the per-event limit of 2,097,152 bytes",
		"/epcisBody/eventList/6/outputEPCList":                    "counts epcList, childEPCs, inputEPCList and outputEPCList together",
	}

	db := openStore(t)
	svc := ledger.NewService(db)
	svc.Limits = ledger.Limits{MaxBytes: 64 << 20}
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: doc, Behaviour: critmin.BehaviourRollback})
	fe := critmin.ErrorFields(err)
	if critmin.ErrorCode(err) != critmin.EINVALID || len(fe) != len(want) {
		t.Fatalf("rollback: %v %+v; want 400 with the %d refusals", err, fe, len(want))
	}
	assertNothingStored(t, db)

	job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: doc, Behaviour: critmin.BehaviourProceed})
	if err != nil {
		t.Fatal(err)
	}
	if job.Stored != 1 || job.ErrorCount != len(want) {
		t.Errorf("proceed: stored %d, %d errors %+v; want 1 stored (the event at the limit), %d errors", job.Stored, job.ErrorCount, job.Errors, len(want))
	}
	for _, e := range job.Errors {
		if w, ok := want[e.Pointer]; !ok || !strings.Contains(e.Detail, w) {
			t.Errorf("error %s: %s; want %q", e.Pointer, e.Detail, w)
		}
		delete(want, e.Pointer)
	}
	for p := range want {
		t.Errorf("no error at %s", p)
	}
}
