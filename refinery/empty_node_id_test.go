package refinery_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestEmptyNodeIDRefused: a stream whose "to" or "from" is the empty
// string names no node; leaving the member out means the outside world.
// The refusal names the member (/streams/N/to) and says the empty id is
// not allowed — not "it has neither from nor to".
func TestEmptyNodeIDRefused(t *testing.T) {
	for _, c := range []struct{ member, ptr string }{{`"to": ""`, "/streams/2/to"}, {`"from": ""`, "/streams/0/from"}} {
		doc := `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
 {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`
		if c.ptr == "/streams/2/to" {
			doc = strings.Replace(doc, `{"id": "tail", "from": "flotation"`, `{"id": "tail", "from": "flotation", `+c.member, 1)
		} else {
			doc = strings.Replace(doc, `{"id": "feed", "to": "flotation"`, `{"id": "feed", "to": "flotation", `+c.member, 1)
		}
		_, err := refinery.DecodeProblem(strings.NewReader(doc))
		if critmin.ErrorCode(err) != critmin.EINVALID || !hasField(err, c.ptr, "empty") {
			t.Errorf("%s: got %v, want EINVALID at %s saying the id is empty", c.member, err, c.ptr)
		}
		if strings.Contains(critmin.ErrorText(err), "neither from nor to") {
			t.Errorf("%s: %s", c.member, critmin.ErrorText(err))
		}
	}
}
