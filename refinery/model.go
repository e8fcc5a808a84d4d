package refinery

import (
	"fmt"
	"math"
)

// Carrier kinds: a stream, or the opening or closing stock of an
// inventory node, which the balances treat as a stream into the node
// (opening) and a stream out of it (closing): in − out = closing − opening.
const (
	carStream = iota
	carOpening
	carClosing
)

// Variable kinds.
const (
	varMeasured = iota
	varUnmeasured
	varFixed
)

// carrier is anything with a mass and grades: a stream or a stock.
type carrier struct {
	id       string
	kind     int
	stream   int // index in Problem.Streams, or -1
	node     int // inventory node, or -1
	from, to int // node indexes, -1 for outside
	q        []*Quantity
	ptr      []string // JSON pointers of the quantities
}

// term is one carrier in a node's balance, with sign +1 (in) or −1 (out).
type term struct {
	c    int
	sign float64
}

// model is a Problem laid out as variables and balance equations.
// Variable v = c·(E+1) + k is the mass of carrier c (k = 0) or its grade
// of element k−1 in %.
type model struct {
	p        *Problem
	E        int
	carriers []carrier
	kind     []int
	raw      []float64 // measured or fixed value (0 for unmeasured)
	sd       []float64 // measured standard deviation (0 otherwise)
	terms    [][]term  // per node
	// work bounds the whole reconciliation (see tick); nil for none.
	work *work
}

func newModel(p *Problem) *model {
	E := len(p.Elements)
	m := &model{p: p, E: E, terms: make([][]term, len(p.Nodes))}
	node := map[string]int{}
	for i, n := range p.Nodes {
		node[n.ID] = i
	}
	idx := func(id string) int {
		if id == "" {
			return -1
		}
		return node[id]
	}
	add := func(c carrier, mass *Quantity, mptr string, grade map[string]*Quantity, gptr string) {
		c.q = make([]*Quantity, E+1)
		c.ptr = make([]string, E+1)
		c.q[0], c.ptr[0] = mass, mptr
		for k, e := range p.Elements {
			c.q[k+1] = grade[e]
			c.ptr[k+1] = gptr + "/" + e
		}
		m.carriers = append(m.carriers, c)
	}
	for i, s := range p.Streams {
		c := carrier{id: s.ID, kind: carStream, stream: i, node: -1, from: idx(s.From), to: idx(s.To)}
		add(c, s.Mass, fmt.Sprintf("/streams/%d/mass_t", i), s.Grade, fmt.Sprintf("/streams/%d/grade_pct", i))
	}
	for i, n := range p.Nodes {
		if n.Inventory == nil {
			continue
		}
		ptr := fmt.Sprintf("/nodes/%d/inventory", i)
		add(carrier{id: n.ID + "#opening", kind: carOpening, stream: -1, node: i, from: -1, to: i}, n.Inventory.Opening, ptr+"/opening_t", n.Inventory.OpeningGrade, ptr+"/opening_grade_pct")
		add(carrier{id: n.ID + "#closing", kind: carClosing, stream: -1, node: i, from: i, to: -1}, n.Inventory.Closing, ptr+"/closing_t", n.Inventory.ClosingGrade, ptr+"/closing_grade_pct")
	}
	nv := len(m.carriers) * (E + 1)
	m.kind = make([]int, nv)
	m.raw = make([]float64, nv)
	m.sd = make([]float64, nv)
	for c, car := range m.carriers {
		if car.to >= 0 {
			m.terms[car.to] = append(m.terms[car.to], term{c, +1})
		}
		if car.from >= 0 {
			m.terms[car.from] = append(m.terms[car.from], term{c, -1})
		}
		for k, q := range car.q {
			v := c*(E+1) + k
			switch {
			case q == nil:
				m.kind[v] = varUnmeasured
			case q.Fixed:
				m.kind[v] = varFixed
				m.raw[v] = q.Value
			default:
				m.kind[v] = varMeasured
				m.raw[v], m.sd[v] = q.Value, q.SD
			}
		}
	}
	return m
}

// MassBasis is the mass (t) a grades-only problem's feed is fixed at.
const MassBasis = 100

// massBasis gives a problem with no mass scale a basis. Every balance is
// homogeneous in the masses: when no mass (stream, opening or closing
// stock) is measured or fixed above 0, any solution scaled by a factor
// is a solution too — and so is every mass 0, with which every element
// balance closes whatever the grades. Successive linearisation found
// that one (nu12f p3: masses 1e-321 t, χ² 0 with 0 dof, deportments
// summing to 2/3). With two or more elements the split is nevertheless
// over-determined by the grades (the two-product formula generalised:
// Wills & Finch 2016, §3.4, "The use of several components"), so the
// first stream fed from outside is fixed at MassBasis t — masses per
// 100 t of that feed, as metallurgists state a split — and the result
// says so (Result.MassBasis). With one element the grades determine the
// split exactly and the two-product formula reports it with its sd
// (Result element_accounts recovery_from_grades), so no basis is set.
// It returns the stream's id, or "" when no basis is set.
func (m *model) massBasis() string {
	if m.E < 2 {
		return ""
	}
	E1 := m.E + 1
	feed := -1
	for c, car := range m.carriers {
		j := c * E1
		if m.kind[j] != varUnmeasured && m.raw[j] > 0 {
			return ""
		}
		if feed < 0 && car.kind == carStream && car.from < 0 && car.to >= 0 {
			feed = c
		}
	}
	if feed < 0 {
		return ""
	}
	m.kind[feed*E1], m.raw[feed*E1] = varFixed, MassBasis
	return m.carriers[feed].id
}

func (m *model) nvars() int { return len(m.carriers) * (m.E + 1) }
func (m *model) nrows() int { return len(m.p.Nodes) * (m.E + 1) }

// residual returns f(v): for node n, row n·(E+1) is in − out of mass and
// row n·(E+1)+k+1 in − out of element k, in tonnes; and scale, the sum of
// the absolute terms of each row, against which a residual is judged.
func (m *model) residual(v []float64) (f, scale []float64) {
	E1 := m.E + 1
	f = make([]float64, m.nrows())
	scale = make([]float64, m.nrows())
	for n, ts := range m.terms {
		for _, t := range ts {
			mass := v[t.c*E1]
			f[n*E1] += t.sign * mass
			scale[n*E1] += math.Abs(mass)
			for k := 0; k < m.E; k++ {
				x := mass * v[t.c*E1+k+1] / 100
				f[n*E1+k+1] += t.sign * x
				scale[n*E1+k+1] += math.Abs(x)
			}
		}
	}
	return f, scale
}

// jacobian calls set(row, var, ∂f_row/∂v_var) for every non-zero entry.
func (m *model) jacobian(v []float64, set func(r, j int, d float64)) {
	E1 := m.E + 1
	for n, ts := range m.terms {
		for _, t := range ts {
			mv := t.c * E1
			set(n*E1, mv, t.sign)
			for k := 0; k < m.E; k++ {
				set(n*E1+k+1, mv, t.sign*v[mv+k+1]/100)
				set(n*E1+k+1, mv+k+1, t.sign*v[mv]/100)
			}
		}
	}
}

// reached reports, per carrier, whether element k can reach it along the
// flowsheet: a carrier is blocked when its mass or its grade of k is
// fixed at 0 (nothing of k can be in it); a carrier from outside (a feed,
// an opening stock) that is not blocked is reached, and so is one that
// is not blocked leaving a node that a reached carrier enters. A stream
// that is not reached has no recovery of k (it is "n/a (unreachable)",
// not 0 %).
func (m *model) reached(k int) []bool {
	zero := func(q *Quantity) bool { return q != nil && q.Fixed && q.Value == 0 }
	blocked := make([]bool, len(m.carriers))
	for c, car := range m.carriers {
		blocked[c] = zero(car.q[0]) || zero(car.q[k+1])
	}
	got := make([]bool, len(m.carriers))
	node := make([]bool, len(m.p.Nodes))
	for changed := true; changed; {
		changed = false
		for c, car := range m.carriers {
			if got[c] || blocked[c] || (car.from >= 0 && !node[car.from]) {
				continue
			}
			got[c], changed = true, true
			if car.to >= 0 {
				node[car.to] = true
			}
		}
	}
	return got
}
