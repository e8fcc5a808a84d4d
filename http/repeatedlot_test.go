package http_test

import (
	"strings"
	"testing"
)

// TestCaptureRepeatedLotAndNonURI (fix15d items 1, 2): POST /epcis/capture
// with two 500 KGM lines of one lot (before: the lot's part read 0.5 t,
// not 1 t) is refused 400 at the second line naming the first and "state
// one line per lot"; an epcClass with a space is refused 400 naming the
// field, where (urn:critmin:demo:lot: is 21 characters, REE 3 more: the
// space is the 25th) and RFC 3986. Nothing is stored.
func TestCaptureRepeatedLotAndNonURI(t *testing.T) {
	srv := MustServe(t, false, nil)
	doc := func(quantities string) []byte {
		return []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-05T10:00:00Z",
"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2025-10-05T10:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE","bizStep":"shipping","quantityList":` + quantities + `}]}}`)
	}
	for _, c := range []struct{ name, quantities, ptr, want string }{
		{"two lines of one lot", `[{"epcClass":"urn:critmin:demo:lot:L1","quantity":500,"uom":"KGM"},{"epcClass":"urn:critmin:demo:lot:L1","quantity":500,"uom":"KGM"}]`,
			"/epcisBody/eventList/0/quantityList/1/epcClass", "first at /epcisBody/eventList/0/quantityList/0/epcClass, again at /epcisBody/eventList/0/quantityList/1/epcClass): state one line per lot"},
		{"a space in a lot ID", `[{"epcClass":"urn:critmin:demo:lot:REE 2025 011","quantity":500,"uom":"KGM"}]`,
			"/epcisBody/eventList/0/quantityList/0/epcClass", "a space at character 25, which RFC 3986 does not allow"},
	} {
		resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, doc(c.quantities), nil)
		p := mustProblem(t, resp, body, 400)
		found := false
		for _, e := range p.Errors {
			found = found || (e.Pointer == c.ptr && strings.Contains(e.Reason, c.want))
		}
		if !found {
			t.Errorf("%s: want %q at %s: %s", c.name, c.want, c.ptr, body)
		}
	}
	if n := eventCount(t, srv.Store); n != 0 {
		t.Errorf("%d events stored from refused documents", n)
	}
}
