package http_test

import (
	"strings"
	"testing"
)

// TestBareWordNotCBVRefused (new-user finding nu37b-6): EQ_bizStep=shippin
// answered 200 with no events. EPCIS 2.0 lets an event state a business
// step or disposition only as a CBV bare value or a URI, so a bare word
// outside the CBV matches nothing: it is refused 400 naming the parameter
// and the nearest CBV value, on the query, the bizSteps and dispositions
// resources alike. A CBV value (bare or as a URI) and a URI of one's own
// namespace are queries as given: 200.
func TestBareWordNotCBVRefused(t *testing.T) {
	ts := MustServe(t, true, nil)
	for _, c := range []struct {
		path, param, want string
		status            int
	}{
		{"/epcis/events?EQ_bizStep=shippin", "EQ_bizStep", `\"shippin\" is not a CBV business step`, 400},
		{"/epcis/events?EQ_bizStep=shipping%7Crecieving", "EQ_bizStep", `did you mean \"receiving\"?`, 400},
		{"/epcis/events?EQ_disposition=in_transt", "EQ_disposition", `did you mean \"in_transit\"?`, 400},
		{"/epcis/bizSteps/shippin/events", "EQ_bizStep", `\"shippin\" is not a CBV business step`, 400},
		{"/epcis/events?EQ_bizStep=shipping", "", "", 200},
		{"/epcis/events?EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping", "", "", 200},
		{"/epcis/events?EQ_bizStep=urn:example:bizstep:smelting", "", "", 200},
		{"/epcis/events?EQ_disposition=in_transit", "", "", 200},
	} {
		resp, b := do(t, "GET", ts.URL+c.path, "", nil, nil)
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.param) || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d %s; want %d naming %s: %s", c.path, resp.StatusCode, b, c.status, c.param, c.want)
		}
	}
}
