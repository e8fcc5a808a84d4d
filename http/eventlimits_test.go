package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestSingleEventLimits (issue 14, fix14 item 2): POST /epcis/events, a
// single event read whole, is held to the per-event limits as a
// document's events are: 9,000 EPCs of 274 bytes (2,510,120 bytes of
// event, over 2 MiB = 2,097,152) and 10,001 short EPCs (over 10,000) are
// each a 400 naming the limit; nothing is stored.
func TestSingleEventLimits(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	event := func(n, pad int) []byte {
		l := make([]string, n)
		for i := range l {
			l[i] = fmt.Sprintf(`"urn:epc:id:sgtin:0614141.107346.%s%d"`, strings.Repeat("9", pad), i)
		}
		return []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"ObjectEvent","eventID":"urn:critmin:test:one","action":"OBSERVE","eventTime":"2025-10-01T00:00:00Z","eventTimeZoneOffset":"+00:00","epcList":[` + strings.Join(l, ",") + `]}`)
	}
	for _, c := range []struct {
		name          string
		body          []byte
		pointer, want string
	}{
		{"bytes", event(9000, 240), "", "the event is 2,510,120 bytes, more than the per-event limit of 2,097,152 bytes"},
		{"EPCs", event(10001, 0), "/epcList", "more than 10,000 identifiers in one event"},
	} {
		resp, b := do(t, "POST", ts.URL+"/epcis/events", operatorSecret, c.body, jsonCT)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != c.pointer || !strings.Contains(p.Errors[0].Reason, c.want) {
			t.Errorf("%s: %.500s; want %q at %q", c.name, b, c.want, c.pointer)
		}
	}
	if n, err := ts.Store.CountEvents(t.Context()); err != nil || n != 0 {
		t.Errorf("%d events stored (%v); want none", n, err)
	}
}
