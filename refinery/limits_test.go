package refinery_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// hasField reports whether err names pointer with a reason containing
// want.
func hasField(err error, pointer, want string) bool {
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == pointer && strings.Contains(f.Reason, want) {
			return true
		}
	}
	return false
}

// A problem over the size limits is refused before it is solved, each
// count named with its limit; values outside their ranges are refused
// naming the field. The benchmark flowsheet (30 × 80 × 15) is within
// every limit.
func TestProblemLimits(t *testing.T) {
	ok, err := refinery.Generate(refinery.BenchmarkSize)
	if err != nil {
		t.Fatal(err)
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("benchmark flowsheet refused: %v", err)
	}
	elements := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("E%d", i))
		}
		return out
	}
	for _, c := range []struct {
		name, pointer, want string
		edit                func(p *refinery.Problem)
	}{
		{"elements", "/elements", "31 elements; at most 30", func(p *refinery.Problem) { p.Elements = elements(31) }},
		{"nodes", "/nodes", "101 nodes; at most 100", func(p *refinery.Problem) {
			for i := len(p.Nodes); i < 101; i++ {
				p.Nodes = append(p.Nodes, refinery.Node{ID: fmt.Sprintf("extra%d", i)})
			}
		}},
		{"streams", "/streams", "401 streams; at most 400", func(p *refinery.Problem) {
			for i := len(p.Streams); i < 401; i++ {
				p.Streams = append(p.Streams, refinery.Stream{ID: fmt.Sprintf("s%d", i), To: p.Nodes[0].ID})
			}
		}},
		// 60 nodes × (1 + 15) = 960 balances > 640.
		{"balances", "/nodes", "960 balance equations", func(p *refinery.Problem) {
			for i := len(p.Nodes); i < 60; i++ {
				p.Nodes = append(p.Nodes, refinery.Node{ID: fmt.Sprintf("extra%d", i)})
			}
		}},
		{"id length", "/streams/0/id", "201 characters", func(p *refinery.Problem) { p.Streams[0].ID = strings.Repeat("x", 201) }},
		{"mass range", "/streams/0/mass_t/value", "over 1,000,000,000 t", func(p *refinery.Problem) { p.Streams[0].Mass = refinery.M(2e9, 1e6) }},
		{"sd range", "/streams/0/mass_t/sd", "no information", func(p *refinery.Problem) { p.Streams[0].Mass = refinery.M(10, 1e8) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := refinery.Generate(refinery.BenchmarkSize)
			if err != nil {
				t.Fatal(err)
			}
			c.edit(p)
			err = p.Validate()
			if critmin.ErrorCode(err) != critmin.EINVALID || !hasField(err, c.pointer, c.want) {
				t.Errorf("got %v %+v; want %s naming %q", err, critmin.ErrorFields(err), c.pointer, c.want)
			}
			// The same through the file reader (CLI and HTTP).
			b, _ := json.Marshal(p)
			if _, err := refinery.DecodeProblem(bytes.NewReader(b)); !hasField(err, c.pointer, c.want) {
				t.Errorf("DecodeProblem: %v", err)
			}
		})
	}
	// Too many quantities: 400 streams × 20 grades = 8,000 + 400 masses.
	p := &refinery.Problem{Elements: elements(20), Nodes: []refinery.Node{{ID: "a"}, {ID: "b"}}}
	for i := range 400 {
		s := refinery.Stream{ID: fmt.Sprintf("s%d", i), From: "a", To: "b", Mass: refinery.M(10, 1), Grade: map[string]*refinery.Quantity{}}
		for _, e := range p.Elements {
			s.Grade[e] = refinery.M(1, 0.1)
		}
		p.Streams = append(p.Streams, s)
	}
	if err := p.Validate(); !hasField(err, "/streams", "8,400 quantities") {
		t.Errorf("8,400 quantities: %v", err)
	}
	// The case: 20 nodes, 240 streams, 30 elements, every
	// quantity given — within every count limit above, but the dense
	// solve holds (240 + 20) × (1 + 30) = 260 × 31 = 8,060 quantities and
	// balances, > MaxSize 3,200; it ran for a minute of CPU.
	big := &refinery.Problem{Elements: elements(30)}
	for i := range 20 {
		big.Nodes = append(big.Nodes, refinery.Node{ID: fmt.Sprintf("n%d", i)})
	}
	for i := range 240 {
		s := refinery.Stream{ID: fmt.Sprintf("s%d", i), From: big.Nodes[i%20].ID, To: big.Nodes[(i+1)%20].ID, Mass: refinery.M(10, 1), Grade: map[string]*refinery.Quantity{}}
		for _, e := range big.Elements {
			s.Grade[e] = refinery.M(1, 0.1)
		}
		big.Streams = append(big.Streams, s)
	}
	if err := big.Validate(); critmin.ErrorCode(err) != critmin.EINVALID || !hasField(err, "/streams", "8,060 quantities and balances ((240 streams + 20 nodes) × (1 + 30 elements)); at most 3,200") {
		t.Errorf("8,060 quantities and balances: %v", err)
	}
	// Within MaxSize but most quantities unmeasured: the benchmark
	// flowsheet (30 nodes, 80 streams, 15 elements, 3 inventory nodes)
	// with every grade left out has nr = 30 × 16 = 480 balances and about
	// (80 + 6) × 15 = 1,290 unmeasured grades, so one linearisation costs
	// 20·480·1290·(480 + 1290) ≈ 2.2e10 > MaxLinearisationFlops 8e9.
	thin, err := refinery.Generate(refinery.BenchmarkSize)
	if err != nil {
		t.Fatal(err)
	}
	for i := range thin.Streams {
		thin.Streams[i].Grade = nil
	}
	for i := range thin.Nodes {
		if inv := thin.Nodes[i].Inventory; inv != nil {
			inv.OpeningGrade, inv.ClosingGrade = nil, nil
		}
	}
	if err := thin.Validate(); critmin.ErrorCode(err) != critmin.EINVALID || !hasField(err, "/streams", "unmeasured quantities") || !hasField(err, "/streams", "at most 8e+09") {
		t.Errorf("one linearisation over the limit: %v", err)
	}
}
