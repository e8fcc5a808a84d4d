package solver

// #cgo pkg-config: cbc
// #include <stdlib.h>
// #include <float.h>
// #include <Cbc_C_Interface.h>
// #include <Clp_C_Interface.h>
import "C"

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// arrays are a model's data as C-compatible Go slices. They hold no Go
// pointers, so passing them to COIN-OR, which copies them on load, is
// allowed by the cgo rules.
type arrays struct {
	start          []C.CoinBigIndex
	index          []C.int
	value          []C.double
	colLB, colUB   []C.double
	obj            []C.double
	rowLB, rowUB   []C.double
	numCols, nRows C.int
}

// coinInf maps ±Inf to ±DBL_MAX, COIN-OR's infinity.
func coinInf(v float64) C.double {
	switch {
	case math.IsInf(v, 1) || v >= 1e30:
		return C.DBL_MAX
	case math.IsInf(v, -1) || v <= -1e30:
		return -C.DBL_MAX
	}
	return C.double(v)
}

func toC(vs []float64) []C.double {
	out := make([]C.double, len(vs))
	for i, v := range vs {
		out[i] = coinInf(v)
	}
	return out
}

func (m *Model) arrays() *arrays {
	start, index, value := m.csc()
	a := &arrays{numCols: C.int(m.NumCols()), nRows: C.int(m.NumRows())}
	a.start = make([]C.CoinBigIndex, len(start))
	for i, s := range start {
		a.start[i] = C.CoinBigIndex(s)
	}
	a.index = make([]C.int, len(index))
	a.value = make([]C.double, len(value))
	for i := range index {
		a.index[i] = C.int(index[i])
		a.value[i] = C.double(value[i])
	}
	a.colLB, a.colUB, a.obj = toC(m.ColLower), toC(m.ColUpper), toC(m.Obj)
	a.rowLB, a.rowUB = toC(m.RowLower), toC(m.RowUpper)
	return a
}

// ptr returns a pointer to a slice's first element, nil when empty.
func ptr[T any](s []T) *T {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// goSlice copies n doubles from C.
func goSlice(p *C.double, n int) []float64 {
	if p == nil || n == 0 {
		return make([]float64, n)
	}
	src := unsafe.Slice((*float64)(unsafe.Pointer(p)), n)
	return append([]float64(nil), src...)
}

func solveCLP(m *Model, opt Options) *Result {
	clp := C.Clp_newModel()
	defer C.Clp_deleteModel(clp)
	a := m.arrays()
	C.Clp_loadProblem(clp, a.numCols, a.nRows, ptr(a.start), ptr(a.index), ptr(a.value),
		ptr(a.colLB), ptr(a.colUB), ptr(a.obj), ptr(a.rowLB), ptr(a.rowUB))
	C.Clp_setOptimizationDirection(clp, C.double(m.Sense))
	if !opt.Log {
		C.Clp_setLogLevel(clp, 0)
	}
	if opt.TimeLimit > 0 {
		C.Clp_setMaximumSeconds(clp, C.double(opt.TimeLimit.Seconds()))
	}
	C.Clp_initialSolve(clp)
	r := &Result{Iterations: int(C.Clp_getIterationCount(clp))}
	switch C.Clp_status(clp) {
	case 0:
		r.Status = Optimal
	case 1:
		r.Status = Infeasible
	case 2:
		r.Status = Unbounded
	case 3:
		r.Status = TimeLimitNoSolution
	default:
		r.Status = Abandoned
	}
	if r.Status != Optimal {
		return r
	}
	n, k := m.NumCols(), m.NumRows()
	r.X = goSlice(C.Clp_getColSolution(clp), n)
	r.RowActivity = goSlice(C.Clp_getRowActivity(clp), k)
	r.Duals = goSlice(C.Clp_getRowPrice(clp), k)
	r.ReducedCosts = goSlice(C.Clp_getReducedCost(clp), n)
	r.Objective = float64(C.Clp_getObjValue(clp))
	r.BestBound = r.Objective
	return r
}

// cbcMu serialises CBC solves. CBC 2.10's C interface solves through
// CbcMain1, which keeps parameters in static storage: two solves at once
// in one process corrupt each other (seen as wrong optima under a
// concurrent test). Driving CbcMain1 from C++ with a CbcSolverUsefulData
// per call was tried and is not enough: the driver has other statics. CLP
// solves and everything else run concurrently.
var cbcMu sync.Mutex

func solveCBC(m *Model, opt Options) *Result {
	cbcMu.Lock()
	defer cbcMu.Unlock()
	cbc := C.Cbc_newModel()
	defer C.Cbc_deleteModel(cbc)
	a := m.arrays()
	C.Cbc_loadProblem(cbc, a.numCols, a.nRows, ptr(a.start), ptr(a.index), ptr(a.value),
		ptr(a.colLB), ptr(a.colUB), ptr(a.obj), ptr(a.rowLB), ptr(a.rowUB))
	for j, isInt := range m.Integer {
		if isInt {
			C.Cbc_setInteger(cbc, C.int(j))
		}
	}
	C.Cbc_setObjSense(cbc, C.double(m.Sense))
	if opt.Log {
		C.Cbc_setLogLevel(cbc, 1)
	} else {
		C.Cbc_setLogLevel(cbc, 0)
	}
	// Options go in as the command-line parameters CbcMain1 reads, so an
	// in-process solve runs exactly as `cbc model.mps -ratioGap … -solve`
	// would (the planner benchmark compares the two).
	if opt.TimeLimit > 0 {
		setParam(cbc, "sec", strconv.FormatFloat(opt.TimeLimit.Seconds(), 'f', -1, 64))
	}
	if opt.Gap > 0 {
		setParam(cbc, "ratioGap", strconv.FormatFloat(opt.Gap, 'g', -1, 64))
	}
	if opt.Threads > 1 {
		setParam(cbc, "threads", strconv.Itoa(opt.Threads))
	}
	C.Cbc_solve(cbc)
	r := &Result{Nodes: int(C.Cbc_getNodeCount(cbc)), Iterations: int(C.Cbc_getIterationCount(cbc))}
	hasSol := C.Cbc_bestSolution(cbc) != nil
	status, secondary := int(C.Cbc_status(cbc)), int(C.Cbc_secondaryStatus(cbc))
	switch {
	case C.Cbc_isProvenOptimal(cbc) != 0 && hasSol:
		r.Status = Optimal
	case C.Cbc_isContinuousUnbounded(cbc) != 0 || secondary == 7:
		r.Status = Unbounded
	case C.Cbc_isProvenInfeasible(cbc) != 0 || secondary == 1:
		r.Status = Infeasible
	case status == 1 && hasSol:
		r.Status = TimeLimitFeasible
	case status == 1:
		r.Status = TimeLimitNoSolution
	case status == 0 && hasSol:
		// Stopped on the allowed gap: the incumbent is within tolerance.
		r.Status = Optimal
	default:
		r.Status = Abandoned
	}
	if !r.Status.HasSolution() {
		return r
	}
	r.X = goSlice(C.Cbc_getColSolution(cbc), m.NumCols())
	r.RowActivity = goSlice(C.Cbc_getRowActivity(cbc), m.NumRows())
	r.Objective = float64(C.Cbc_getObjValue(cbc))
	r.BestBound = float64(C.Cbc_getBestPossibleObjValue(cbc))
	if d := math.Abs(r.Objective); d > 1e-9 {
		r.Gap = math.Abs(r.Objective-r.BestBound) / d
	}
	return r
}

func setParam(cbc unsafe.Pointer, name, value string) {
	cn, cv := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(cn))
	defer C.free(unsafe.Pointer(cv))
	C.Cbc_setParameter(cbc, cn, cv)
}

// ReadMPS reads a fixed or free MPS file (gzip allowed) into a Model,
// with CLP's reader: CBC's C reader aborts the process on a malformed
// file. MPS has no objective sense; the model minimises unless the
// file's OBJSENSE section says otherwise.
func ReadMPS(path string) (*Model, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	clp := C.Clp_newModel()
	defer C.Clp_deleteModel(clp)
	C.Clp_setLogLevel(clp, 0)
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	if rc := C.Clp_readMps(clp, cp, 1, 0); rc != 0 {
		return nil, fmt.Errorf("solver: %s: not a readable MPS file: %s", path, mpsFault(path, int(rc)))
	}
	n, k := int(C.Clp_getNumCols(clp)), int(C.Clp_getNumRows(clp))
	m := NewModel(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), Minimize)
	if C.Clp_getObjSense(clp) < 0 {
		m.Sense = Maximize
	}
	// Clp reports c·x − offset as the objective.
	m.ObjOffset = -float64(C.Clp_objectiveOffset(clp))
	obj := goSlice(C.Clp_getObjCoefficients(clp), n)
	lo, up := goSlice(C.Clp_getColLower(clp), n), goSlice(C.Clp_getColUpper(clp), n)
	var integer []C.char
	if p := C.Clp_integerInformation(clp); p != nil && n > 0 {
		integer = unsafe.Slice(p, n)
	}
	buf := (*C.char)(C.malloc(C.size_t(C.Clp_lengthNames(clp) + 1)))
	defer C.free(unsafe.Pointer(buf))
	for j := 0; j < n; j++ {
		C.Clp_columnName(clp, C.int(j), buf)
		m.AddCol(C.GoString(buf), fromCoin(lo[j]), fromCoin(up[j]), obj[j], integer != nil && integer[j] != 0)
	}
	rows := make([][]Term, k)
	if n > 0 {
		starts := unsafe.Slice(C.Clp_getVectorStarts(clp), n+1)
		lengths := unsafe.Slice(C.Clp_getVectorLengths(clp), n)
		nnz := int(starts[n])
		if nnz > 0 {
			idx := unsafe.Slice(C.Clp_getIndices(clp), nnz)
			val := goSlice(C.Clp_getElements(clp), nnz)
			for j := 0; j < n; j++ {
				for p := int(starts[j]); p < int(starts[j])+int(lengths[j]); p++ {
					rows[idx[p]] = append(rows[idx[p]], Term{Col: j, Coef: val[p]})
				}
			}
		}
	}
	rlo, rup := goSlice(C.Clp_getRowLower(clp), k), goSlice(C.Clp_getRowUpper(clp), k)
	for i := 0; i < k; i++ {
		C.Clp_rowName(clp, C.int(i), buf)
		m.AddRow(C.GoString(buf), fromCoin(rlo[i]), fromCoin(rup[i]), rows[i])
	}
	return m, nil
}

func fromCoin(v float64) float64 {
	switch {
	case v >= 1e30:
		return math.Inf(1)
	case v <= -1e30:
		return math.Inf(-1)
	}
	return v
}

// WriteMPS writes m as an MPS file at path (which must end in .mps).
// Names are made MPS-safe and unique. Fixed MPS has no objective sense,
// so a maximising model is written as "minimise −f": a reader finds the
// objective value −f. ObjOffset is not written.
func WriteMPS(m *Model, path string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if !strings.HasSuffix(path, ".mps") {
		return errors.New("solver: MPS path must end in .mps")
	}
	cbc := C.Cbc_newModel()
	defer C.Cbc_deleteModel(cbc)
	a := m.arrays()
	if m.Sense == Maximize {
		for i := range a.obj {
			a.obj[i] = -a.obj[i]
		}
	}
	C.Cbc_loadProblem(cbc, a.numCols, a.nRows, ptr(a.start), ptr(a.index), ptr(a.value),
		ptr(a.colLB), ptr(a.colUB), ptr(a.obj), ptr(a.rowLB), ptr(a.rowUB))
	for j, isInt := range m.Integer {
		if isInt {
			C.Cbc_setInteger(cbc, C.int(j))
		}
	}
	setNames := func(names []string, prefix string, set func(int, *C.char)) {
		for i, n := range uniqueNames(names, prefix) {
			cn := C.CString(n)
			set(i, cn)
			C.free(unsafe.Pointer(cn))
		}
	}
	setNames(m.ColNames, "C", func(i int, n *C.char) { C.Cbc_setColName(cbc, C.int(i), n) })
	setNames(m.RowNames, "R", func(i int, n *C.char) { C.Cbc_setRowName(cbc, C.int(i), n) })
	// COIN-OR appends ".mps" itself.
	cp := C.CString(strings.TrimSuffix(path, ".mps"))
	defer C.free(unsafe.Pointer(cp))
	C.Cbc_writeMps(cbc, cp)
	// Debian's COIN-OR is built with zlib and writes path.gz; plain MPS
	// is what other tools (and the cbc command) expect.
	if _, err := os.Stat(path + ".gz"); err == nil {
		return gunzipFile(path+".gz", path)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("solver: writing %s failed", path)
	}
	return nil
}

func gunzipFile(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Remove(src)
}

// mpsFault says why CLP could not read an MPS file, in words: its
// reader returns only a count (positive: lines in error) or a negative
// code (the sections could not be read). An MPS file opens with a NAME
// or ROWS section (comments start with '*').
func mpsFault(path string, rc int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if isGzip(b) {
		if rc > 0 {
			return fmt.Sprintf("CLP's reader found %d lines in error in the decompressed model", rc)
		}
		return "CLP's reader could not read its sections after decompressing it"
	}
	first := ""
	for _, line := range strings.Split(string(b), "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "*") {
			first = t
			break
		}
	}
	switch {
	case first == "":
		return "the file is empty (an MPS model starts with a NAME or ROWS section)"
	case !strings.HasPrefix(first, "NAME") && !strings.HasPrefix(first, "ROWS"):
		if len(first) > 40 {
			first = first[:40] + "…"
		}
		return fmt.Sprintf("its first line %q is not a NAME or ROWS section, which an MPS model starts with", first)
	case rc > 0:
		return fmt.Sprintf("CLP's reader found %d lines in error", rc)
	}
	return "CLP's reader could not read its ROWS, COLUMNS, RHS and BOUNDS sections"
}

func isGzip(b []byte) bool { return len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b }
