package refinery

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// GenerateConfig sizes a generated flowsheet for benchmarks and tests.
type GenerateConfig struct {
	Units, Streams, Elements int
	Inventories              int     // how many of the units hold stock
	UnmeasuredMass           float64 // share of stream masses left unmeasured
	UnmeasuredGrade          float64 // share of grades left unmeasured
	Seed                     uint64
}

// BenchmarkSize is the flowsheet of the speed target: 30 units,
// 80 streams, 15 elements, one month.
var BenchmarkSize = GenerateConfig{Units: 30, Streams: 80, Elements: 15, Inventories: 3, UnmeasuredMass: 0.1, UnmeasuredGrade: 0.05, Seed: 1}

// Generate builds a random acyclic flowsheet whose true flows balance
// exactly, then measures it: each measured value is the true one plus
// Gaussian noise of its standard deviation (2 % of a mass, 4 % of a
// grade). It is illustrative data for benchmarks, not a plant.
// generatedElements are the symbols a generated flowsheet tracks, in
// order: the list for a polymetallic refinery, then more.
var generatedElements = []string{"Nd", "Pr", "La", "Ce", "Dy", "Tb", "Th", "U", "Sb", "As", "Cu", "Au", "Ag", "S", "Fe",
	"Zn", "Pb", "Ni", "Co", "Mn", "Mo", "W", "Sn", "Bi", "In", "Ga", "Ge", "Te", "Se", "Li"}

func Generate(c GenerateConfig) (*Problem, error) {
	if c.Units < 1 || c.Elements < 0 || c.Streams < c.Units+1 {
		return nil, fmt.Errorf("refinery: generate needs units ≥ 1 and streams ≥ units + 1")
	}
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	p := &Problem{ID: "generated", Title: fmt.Sprintf("Generated flowsheet: %d units, %d streams, %d elements (illustrative)", c.Units, c.Streams, c.Elements), Period: "2025-10"}
	if c.Elements > len(generatedElements) {
		return nil, fmt.Errorf("refinery: generate tracks at most %d elements", len(generatedElements))
	}
	p.Elements = append(p.Elements, generatedElements[:c.Elements]...)
	type edge struct{ from, to int }
	var edges []edge
	nfeed := max(1, c.Units/6)
	for i := 0; i < nfeed; i++ {
		edges = append(edges, edge{-1, i})
	}
	for i := nfeed; i < c.Units; i++ {
		edges = append(edges, edge{rng.IntN(i), i})
	}
	hasOut := make([]bool, c.Units)
	for _, e := range edges {
		if e.from >= 0 {
			hasOut[e.from] = true
		}
	}
	for i := 0; i < c.Units; i++ {
		if !hasOut[i] {
			edges = append(edges, edge{i, -1})
		}
	}
	for len(edges) < c.Streams {
		i := rng.IntN(c.Units)
		if i+1 < c.Units && rng.Float64() < 0.6 {
			edges = append(edges, edge{i, i + 1 + rng.IntN(c.Units-i-1)})
		} else {
			edges = append(edges, edge{i, -1})
		}
	}
	inv := map[int]bool{}
	for k := 0; k < c.Inventories && k < c.Units; k++ {
		inv[c.Units-1-k*3%c.Units] = true
	}
	E := c.Elements
	mass := make([]float64, len(edges))
	cont := make([][]float64, len(edges)) // element tonnes per stream
	for k := range cont {
		cont[k] = make([]float64, E)
	}
	baseGrade := make([]float64, E)
	for e := range baseGrade {
		baseGrade[e] = math.Pow(10, -2+3*rng.Float64()) // 0.01 … 10 %
	}
	for k, e := range edges {
		if e.from < 0 {
			mass[k] = 500 + 1500*rng.Float64()
			for el := 0; el < E; el++ {
				cont[k][el] = mass[k] * baseGrade[el] * (0.5 + rng.Float64()) / 100
			}
		}
	}
	openM := make([]float64, c.Units)
	closeM := make([]float64, c.Units)
	openC := make([][]float64, c.Units)
	closeC := make([][]float64, c.Units)
	for n := 0; n < c.Units; n++ {
		inM, inC := 0.0, make([]float64, E)
		for k, e := range edges {
			if e.to == n {
				inM += mass[k]
				for el := range inC {
					inC[el] += cont[k][el]
				}
			}
		}
		if inv[n] {
			openM[n] = 200 + 300*rng.Float64()
			openC[n] = make([]float64, E)
			for el := range inC {
				openC[n][el] = openM[n] * inC[el] / inM * (0.8 + 0.4*rng.Float64())
			}
			// The stock keeps a fifth of what arrives plus the opening
			// stock's half; the rest leaves.
			keep := 0.2
			closeM[n] = 0.5*openM[n] + keep*inM
			closeC[n] = make([]float64, E)
			for el := range inC {
				closeC[n][el] = 0.5*openC[n][el] + keep*inC[el]
			}
			inM = inM + openM[n] - closeM[n]
			for el := range inC {
				inC[el] += openC[n][el] - closeC[n][el]
			}
		}
		var outs []int
		for k, e := range edges {
			if e.from == n {
				outs = append(outs, k)
			}
		}
		mw := make([]float64, len(outs))
		cw := make([][]float64, E)
		sum := 0.0
		for i := range outs {
			mw[i] = 0.2 + rng.Float64()
			sum += mw[i]
		}
		for el := 0; el < E; el++ {
			cw[el] = make([]float64, len(outs))
			s := 0.0
			for i := range outs {
				cw[el][i] = mw[i] * math.Exp(rng.NormFloat64()*0.7)
				s += cw[el][i]
			}
			for i := range outs {
				cw[el][i] /= s
			}
		}
		for i, k := range outs {
			mass[k] = inM * mw[i] / sum
			for el := 0; el < E; el++ {
				cont[k][el] = inC[el] * cw[el][i]
			}
		}
	}
	measure := func(v, rel float64) *Quantity {
		sd := math.Max(rel*v, 1e-6)
		return M(math.Max(0, v+sd*rng.NormFloat64()), sd)
	}
	for n := 0; n < c.Units; n++ {
		node := Node{ID: fmt.Sprintf("U%02d", n+1), Kind: "unit"}
		if inv[n] {
			node.Kind = "stockpile"
			node.Inventory = &Inventory{Opening: measure(openM[n], 0.03), Closing: measure(closeM[n], 0.03),
				OpeningGrade: map[string]*Quantity{}, ClosingGrade: map[string]*Quantity{}}
			for el, sym := range p.Elements {
				node.Inventory.OpeningGrade[sym] = measure(100*openC[n][el]/openM[n], 0.05)
				node.Inventory.ClosingGrade[sym] = measure(100*closeC[n][el]/closeM[n], 0.05)
			}
		}
		p.Nodes = append(p.Nodes, node)
	}
	for k, e := range edges {
		s := Stream{ID: fmt.Sprintf("S%02d", k+1), Grade: map[string]*Quantity{}}
		if e.from >= 0 {
			s.From = p.Nodes[e.from].ID
		}
		if e.to >= 0 {
			s.To = p.Nodes[e.to].ID
		}
		// Feeds and products are always weighed (check-in, check-out).
		if e.from < 0 || e.to < 0 || rng.Float64() >= c.UnmeasuredMass {
			s.Mass = measure(mass[k], 0.02)
		}
		for el, sym := range p.Elements {
			if e.from < 0 || rng.Float64() >= c.UnmeasuredGrade {
				s.Grade[sym] = measure(100*cont[k][el]/mass[k], 0.04)
			}
		}
		p.Streams = append(p.Streams, s)
	}
	return p, p.Validate()
}
