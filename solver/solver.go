// Package solver binds COIN-OR CBC (mixed-integer) and CLP (linear) in
// process through cgo. It is critmin's only dependency on COIN-OR: the
// planner builds a Model here and reads a Result back, and nothing else
// touches C. A solve's outcome (optimal, infeasible, …) is a Status kept
// apart from Go errors, which mean the model or the call itself was wrong.
//
// Linear models go to CLP, which reports row duals and reduced costs;
// models with integer columns go to CBC. For shadow prices of a MIP, fix
// its integer columns at their solution (FixIntegers) and solve the LP.
package solver

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Inf is an infinite bound.
var Inf = math.Inf(1)

// Sense is the direction of optimisation.
type Sense int

const (
	Minimize Sense = 1
	Maximize Sense = -1
)

// Status is how a solve ended.
type Status string

const (
	Optimal    Status = "optimal"
	Infeasible Status = "infeasible"
	Unbounded  Status = "unbounded"
	// TimeLimitFeasible: stopped by the time limit with an incumbent.
	TimeLimitFeasible Status = "time_limit_feasible"
	// TimeLimitNoSolution: stopped by the time limit without one.
	TimeLimitNoSolution Status = "time_limit_no_solution"
	// Abandoned: the solver gave up on numerical difficulties.
	Abandoned Status = "abandoned"
)

// HasSolution reports whether X holds a feasible solution.
func (s Status) HasSolution() bool { return s == Optimal || s == TimeLimitFeasible }

// Model is a sparse linear or mixed-integer model. Build it with AddCol and
// AddRow; the constraint matrix is kept by row and converted to the
// column-major form COIN-OR loads when solved.
type Model struct {
	Name     string
	Sense    Sense
	ColNames []string
	Obj      []float64
	ColLower []float64
	ColUpper []float64
	Integer  []bool
	RowNames []string
	RowLower []float64
	RowUpper []float64
	rows     [][]Term
	// ObjOffset is a constant added to the objective.
	ObjOffset float64
}

// Term is one coefficient of a row.
type Term struct {
	Col  int
	Coef float64
}

// NewModel returns an empty model.
func NewModel(name string, sense Sense) *Model { return &Model{Name: name, Sense: sense} }

// AddCol adds a column and returns its index.
func (m *Model) AddCol(name string, lower, upper, obj float64, integer bool) int {
	m.ColNames = append(m.ColNames, name)
	m.ColLower = append(m.ColLower, lower)
	m.ColUpper = append(m.ColUpper, upper)
	m.Obj = append(m.Obj, obj)
	m.Integer = append(m.Integer, integer)
	return len(m.Obj) - 1
}

// AddRow adds lower ≤ Σ terms ≤ upper and returns its index. Terms on the
// same column are summed.
func (m *Model) AddRow(name string, lower, upper float64, terms []Term) int {
	m.RowNames = append(m.RowNames, name)
	m.RowLower = append(m.RowLower, lower)
	m.RowUpper = append(m.RowUpper, upper)
	m.rows = append(m.rows, terms)
	return len(m.RowLower) - 1
}

// Row returns row i's terms.
func (m *Model) Row(i int) []Term { return m.rows[i] }

// NumCols is the number of columns.
func (m *Model) NumCols() int { return len(m.Obj) }

// NumRows is the number of rows.
func (m *Model) NumRows() int { return len(m.RowLower) }

// IsMIP reports whether the model has integer columns.
func (m *Model) IsMIP() bool {
	for _, b := range m.Integer {
		if b {
			return true
		}
	}
	return false
}

// Validate checks the model before it reaches C: consistent lengths,
// column indices in range, finite coefficients, lower ≤ upper.
func (m *Model) Validate() error {
	if m.Sense != Minimize && m.Sense != Maximize {
		return errors.New("solver: sense must be Minimize or Maximize")
	}
	n := len(m.Obj)
	if len(m.ColLower) != n || len(m.ColUpper) != n || len(m.Integer) != n || len(m.ColNames) != n {
		return errors.New("solver: column arrays differ in length")
	}
	for j := 0; j < n; j++ {
		if math.IsNaN(m.Obj[j]) || math.IsInf(m.Obj[j], 0) {
			return fmt.Errorf("solver: column %s: objective coefficient %v is not finite", m.ColNames[j], m.Obj[j])
		}
		if m.ColLower[j] > m.ColUpper[j] || math.IsNaN(m.ColLower[j]) || math.IsNaN(m.ColUpper[j]) {
			return fmt.Errorf("solver: column %s: bounds [%v, %v] are empty", m.ColNames[j], m.ColLower[j], m.ColUpper[j])
		}
	}
	for i, terms := range m.rows {
		if m.RowLower[i] > m.RowUpper[i] || math.IsNaN(m.RowLower[i]) || math.IsNaN(m.RowUpper[i]) {
			return fmt.Errorf("solver: row %s: bounds [%v, %v] are empty", m.RowNames[i], m.RowLower[i], m.RowUpper[i])
		}
		for _, t := range terms {
			if t.Col < 0 || t.Col >= n {
				return fmt.Errorf("solver: row %s: column index %d out of range", m.RowNames[i], t.Col)
			}
			if math.IsNaN(t.Coef) || math.IsInf(t.Coef, 0) {
				return fmt.Errorf("solver: row %s: coefficient %v is not finite", m.RowNames[i], t.Coef)
			}
		}
	}
	return nil
}

// csc returns the matrix column-major, merging duplicate entries.
func (m *Model) csc() (start []int32, index []int32, value []float64) {
	n := len(m.Obj)
	counts := make([]int, n)
	for _, terms := range m.rows {
		for _, t := range terms {
			counts[t.Col]++
		}
	}
	start = make([]int32, n+1)
	for j := 0; j < n; j++ {
		start[j+1] = start[j] + int32(counts[j])
	}
	index = make([]int32, start[n])
	value = make([]float64, start[n])
	pos := make([]int32, n)
	copy(pos, start[:n])
	for i, terms := range m.rows {
		for _, t := range terms {
			index[pos[t.Col]] = int32(i)
			value[pos[t.Col]] = t.Coef
			pos[t.Col]++
		}
	}
	// Merge duplicates within each column (rows were added in order, so
	// equal row indices are adjacent).
	w := int32(0)
	newStart := make([]int32, n+1)
	for j := 0; j < n; j++ {
		newStart[j] = w
		for k := start[j]; k < start[j+1]; k++ {
			if k > start[j] && index[k] == index[w-1] && w > newStart[j] {
				value[w-1] += value[k]
				continue
			}
			index[w], value[w] = index[k], value[k]
			w++
		}
	}
	newStart[n] = w
	return newStart, index[:w], value[:w]
}

// FixIntegers returns a copy of m whose integer columns are continuous and
// fixed at x rounded — the LP whose duals price a MIP solution.
func (m *Model) FixIntegers(x []float64) *Model {
	c := *m
	c.ColLower = append([]float64(nil), m.ColLower...)
	c.ColUpper = append([]float64(nil), m.ColUpper...)
	c.Integer = make([]bool, len(m.Integer))
	for j, isInt := range m.Integer {
		if isInt {
			v := math.Round(x[j])
			c.ColLower[j], c.ColUpper[j] = v, v
		}
	}
	return &c
}

// Options tune a solve. Zero values mean the solver's defaults.
type Options struct {
	TimeLimit time.Duration
	// Gap is the relative MIP gap at which CBC stops (0.01 = 1 %).
	Gap     float64
	Threads int
	// Log writes the solver's log to stdout.
	Log bool
	// KeepLog keeps the solver's own log text (CBC's or CLP's, as they
	// print it at log level 1) in Result.Log instead of printing it.
	KeepLog bool
}

// Result is a solve's outcome. X, RowActivity and Objective are set when
// Status.HasSolution(); Duals and ReducedCosts only for linear models.
type Result struct {
	Status       Status    `json:"status"`
	Objective    float64   `json:"objective"`
	BestBound    float64   `json:"best_bound"`
	Gap          float64   `json:"gap"`
	X            []float64 `json:"-"`
	RowActivity  []float64 `json:"-"`
	Duals        []float64 `json:"-"`
	ReducedCosts []float64 `json:"-"`
	Nodes        int       `json:"nodes"`
	Iterations   int       `json:"iterations"`
	Seconds      float64   `json:"seconds"`
	// Log is the solver's raw log when Options.KeepLog asked for it.
	Log string `json:"-"`
}

// Solve solves m: with CLP when it is linear, with CBC otherwise.
func Solve(m *Model, opt Options) (*Result, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	var r *Result
	solve := func() {
		if m.IsMIP() {
			r = solveCBC(m, opt)
		} else {
			r = solveCLP(m, opt)
		}
	}
	if opt.KeepLog {
		opt.Log = true
		text, err := captureStdout(solve)
		if err != nil {
			return nil, err
		}
		r.Log = text
	} else {
		solve()
	}
	r.Seconds = time.Since(start).Seconds()
	if r.Status.HasSolution() {
		r.Objective += m.ObjOffset
		r.BestBound += m.ObjOffset
	}
	return r, nil
}

// mpsNameMax is the longest name, in bytes, given to COIN-OR. Its MPS
// writer copies names into fixed-size buffers (CoinMpsIO; a 100-byte
// column name overflowed its stack), so a longer name is cut and ends in
// a hash of the whole name, which keeps distinct names distinct.
const mpsNameMax = 64

// mpsName makes a name safe for fixed and free MPS: no spaces, printable
// ASCII, at most mpsNameMax bytes (cut names end "~" and the first 12 hex
// digits of the name's SHA-256).
func mpsName(s string) string {
	full := s
	s = strings.Map(func(r rune) rune {
		if r <= ' ' || r > '~' {
			return '_'
		}
		return r
	}, s)
	if s == "" {
		s = "_"
	}
	if len(s) > mpsNameMax {
		sum := sha256.Sum256([]byte(full))
		s = s[:mpsNameMax-13] + "~" + hex.EncodeToString(sum[:6])
	}
	return s
}

// uniqueNames makes names MPS-safe and unique, because COIN-OR's writer
// does not check and a reader would merge duplicates.
func uniqueNames(names []string, prefix string) []string {
	out := make([]string, len(names))
	seen := map[string]int{}
	for i, n := range names {
		s := mpsName(n)
		if n == "" {
			s = fmt.Sprintf("%s%d", prefix, i)
		}
		if k, ok := seen[s]; ok {
			seen[s] = k + 1
			suffix := fmt.Sprintf("~%d", k+1)
			if len(s)+len(suffix) > mpsNameMax {
				s = s[:mpsNameMax-len(suffix)]
			}
			s += suffix
		} else {
			seen[s] = 0
		}
		out[i] = s
	}
	return out
}

// Binding lists the rows at a bound: activity within tol of the lower or
// upper bound. It is used with duals to name the constraints that limit a
// solution.
func Binding(m *Model, activity []float64, tol float64) []int {
	var out []int
	for i := range m.RowLower {
		a := activity[i]
		if (!math.IsInf(m.RowUpper[i], 1) && math.Abs(a-m.RowUpper[i]) <= tol*(1+math.Abs(m.RowUpper[i]))) ||
			(!math.IsInf(m.RowLower[i], -1) && math.Abs(a-m.RowLower[i]) <= tol*(1+math.Abs(m.RowLower[i]))) {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}
