package refinery_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// Every kind of bad input is refused before any arithmetic, with an
// EINVALID error whose field pointer and message name the stream or node.
func TestBadInput(t *testing.T) {
	base := func() string {
		return `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
 {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`
	}
	cases := []struct {
		name, from, to, pointer, says string
	}{
		{"dangling to", `"id": "conc", "from": "flotation"`, `"id": "conc", "from": "flotation", "to": "cleaner"`, "/streams/1/to", `stream "conc" is dangling: node "cleaner"`},
		{"dangling from", `"id": "feed", "to": "flotation"`, `"id": "feed", "from": "mill", "to": "flotation"`, "/streams/0/from", `stream "feed" is dangling: node "mill"`},
		{"no ends", `"id": "tail", "from": "flotation"`, `"id": "tail"`, "/streams/2", `stream "tail" is dangling`},
		{"self loop", `"id": "tail", "from": "flotation"`, `"id": "tail", "from": "flotation", "to": "flotation"`, "/streams/2", `stream "tail" runs from node "flotation" to itself`},
		{"node without inputs", `"id": "feed", "to": "flotation"`, `"id": "feed", "to": "idle"`, "/nodes/0", `node "flotation" has no input stream`},
		{"node without outputs", `"nodes": [{"id": "flotation"}]`, `"nodes": [{"id": "flotation"}, {"id": "sump"}]`, "/nodes/1", `node "sump" has no output stream`},
		{"sd zero", `"mass_t": {"value": 8, "sd": 0.3}`, `"mass_t": {"value": 8, "sd": 0}`, "/streams/1/mass_t/sd", "standard deviation must be > 0"},
		{"sd below the minimum", `"mass_t": {"value": 8, "sd": 0.3}`, `"mass_t": {"value": 8, "sd": 1e-300}`, "/streams/1/mass_t/sd", "below the minimum 0.000000008"},
		{"sd negative", `{"value": 0.2, "sd": 0.01}`, `{"value": 0.2, "sd": -0.01}`, "/streams/2/grade_pct/Cu/sd", "standard deviation must be > 0"},
		{"sd missing", `"mass_t": {"value": 92, "sd": 2}`, `"mass_t": {"value": 92}`, "/streams/2/mass_t/sd", "standard deviation is missing"},
		{"element not measured", `"elements": ["Cu"]`, `"elements": ["Cu", "Au"]`, "/elements/1", "no stream measures element Au"},
		{"grade of unlisted element", `"grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}`, `"grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}, "Ag": {"value": 1, "sd": 0.1}}`, "/streams/2/grade_pct/Ag", "element Ag is not in /elements"},
		{"grade over 100", `{"value": 10.0, "sd": 0.2}`, `{"value": 110.0, "sd": 0.2}`, "/streams/1/grade_pct/Cu/value", "must lie in [0, 100]"},
		{"negative mass", `"mass_t": {"value": 8, "sd": 0.3}`, `"mass_t": {"value": -8, "sd": 0.3}`, "/streams/1/mass_t/value", "a mass must be ≥ 0"},
		{"duplicate stream", `"id": "tail"`, `"id": "conc"`, "/streams/2/id", `stream "conc" is defined twice`},
		{"unknown field", `"id": "tail"`, `"id": "tail", "massT": 3`, "/streams/2/massT", `unknown field "massT"`},
		{"unknown field in a quantity", `"mass_t": {"value": 8, "sd": 0.3}`, `"mass_t": {"value": 8, "sd": 0.3, "sdev": 1}`, "/streams/1/mass_t/sdev", `unknown field "sdev"`},
		{"number for a string", `"nodes": [{"id": "flotation"}]`, `"nodes": [{"id": 5}]`, "/nodes/0/id", "expected a string, got a number"},
		{"string for an array", `"elements": ["Cu"]`, `"elements": "Cu"`, "/elements", "expected an array, got a string"},
		{"string for a quantity", `"mass_t": {"value": 92, "sd": 2}`, `"mass_t": "92"`, "/streams/2/mass_t", "a quantity is"},
		{"string for a value", `"mass_t": {"value": 92, "sd": 2}`, `"mass_t": {"value": "92", "sd": 2}`, "/streams/2/mass_t/value", "expected a number, got a string"},
		{"confidence", `"elements"`, `"confidence": 1.5, "elements"`, "/confidence", "must be in [0.5, 0.9999]"},
		{"lower-case element", `"elements": ["Cu"]`, `"elements": ["cu"]`, "/elements/0", `"cu" is not a chemical element symbol`},
		{"element with a space", `"elements": ["Cu"]`, `"elements": ["Cu "]`, "/elements/0", `"Cu " is not a chemical element symbol`},
		{"made-up element", `"elements": ["Cu"]`, `"elements": ["Xx"]`, "/elements/0", `"Xx" is not a chemical element symbol`},
		// 60 % Cu + 50 % Fe = 110 % of the stream.
		{"grades over 100 in sum", `"grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}`, `"grade_pct": {"Cu": {"value": 60.0, "sd": 0.2}, "Fe": {"value": 50.0, "sd": 0.2}}`, "/streams/1/grade_pct", "add up to 110 %"},
		{"absurd mass", `"mass_t": {"value": 8, "sd": 0.3}`, `"mass_t": {"value": 1e300, "sd": 1e290}`, "/streams/1/mass_t/value", "more than any plant handles"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			if !strings.Contains(in, c.from) {
				t.Fatalf("test case does not apply: %q", c.from)
			}
			in = strings.Replace(in, c.from, c.to, 1)
			_, err := refinery.DecodeProblem(strings.NewReader(in))
			assertField(t, err, c.pointer, c.says)
			// Plain words: no Go type or struct names.
			if err != nil && (strings.Contains(err.Error(), "Go struct") || strings.Contains(err.Error(), "refinery.")) {
				t.Errorf("message leaks Go internals: %v", err)
			}
		})
	}
}

func assertField(t *testing.T, err error, pointer, says string) {
	t.Helper()
	var e *critmin.Error
	if !errors.As(err, &e) || e.Code != critmin.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	for _, f := range e.Fields {
		if f.Pointer == pointer && strings.Contains(f.Reason, says) {
			return
		}
	}
	t.Errorf("no field %s saying %q in %v", pointer, says, e.Fields)
}

// A period whose streams carry no measurement at all is refused, as is a
// closed loop (a cycle receiving feed and never discharging) without an
// inventory node; adding one makes it valid.
func TestBadInputStructure(t *testing.T) {
	p := &refinery.Problem{
		Nodes: []refinery.Node{{ID: "A"}},
		Streams: []refinery.Stream{
			{ID: "in", To: "A"},
			{ID: "out", From: "A"},
		},
	}
	assertField(t, p.Validate(), "/streams", "the period has no measurement")

	loop := &refinery.Problem{
		Nodes: []refinery.Node{{ID: "A"}, {ID: "B"}},
		Streams: []refinery.Stream{
			{ID: "feed", To: "A", Mass: refinery.M(10, 1)},
			{ID: "ab", From: "A", To: "B", Mass: refinery.M(50, 1)},
			{ID: "ba", From: "B", To: "A", Mass: refinery.M(50, 1)},
		},
	}
	assertField(t, loop.Validate(), "/nodes/0", "cycle of nodes A, B (streams ab, ba) discharges nothing")
	loop.Nodes[1].Inventory = &refinery.Inventory{Closing: refinery.M(10, 1)}
	if err := loop.Validate(); err != nil {
		t.Errorf("loop with an inventory node: %v", err)
	}
}
