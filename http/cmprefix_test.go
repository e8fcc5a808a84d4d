package http_test

import (
	"strings"
	"testing"
)

// TestCriticalMineralPrefixResolves: cm, critmin's own extension prefix,
// which every response advertises in GS1-Extensions
// (cm=https://ns.critmin.org/mineral/v1/), resolves in a query before any
// captured event uses it: an empty result, not a 400 "unknown prefix".
func TestCriticalMineralPrefixResolves(t *testing.T) {
	srv := MustServe(t, false, nil)
	for _, q := range []string{"EXISTS_cm:lot", "EQ_ILMD_cm:mineral=cobalt", "HASATTR_bizLocation=cm:country"} {
		resp, b := do(t, "GET", srv.URL+"/epcis/events?"+q, viewerSecret, nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"eventList"`) {
			t.Errorf("%s: %d %s", q, resp.StatusCode, b)
		}
	}
}
