package critmin_test

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// raceList is scripts/race.list read: the packages run whole under the
// race detector, the tests named per package, the storetest suites.
type raceList struct {
	whole    map[string]bool            // "./http"
	tests    map[string]map[string]bool // "./custody" → test names
	contract map[string]bool            // storetest suite names
}

func readRaceList(t *testing.T) raceList {
	t.Helper()
	f, err := os.Open("scripts/race.list")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := raceList{whole: map[string]bool{}, tests: map[string]map[string]bool{}, contract: map[string]bool{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		w := strings.Fields(sc.Text())
		if len(w) == 0 || strings.HasPrefix(w[0], "#") {
			continue
		}
		switch {
		case w[0] == "whole" && len(w) == 2:
			l.whole[w[1]] = true
		case w[0] == "test" && len(w) == 3:
			if l.tests[w[1]] == nil {
				l.tests[w[1]] = map[string]bool{}
			}
			l.tests[w[1]][w[2]] = true
		case w[0] == "contract" && len(w) == 2:
			l.contract[w[1]] = true
		default:
			t.Fatalf("scripts/race.list:%d: %q is not `whole PKG`, `test PKG NAME` or `contract NAME`", n, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return l
}

// concurrentFuncs parses the Go files of dir (test files, and the
// package's own files when withSource) and returns the top-level
// functions that start goroutines: a go statement, a sync.WaitGroup or
// errgroup, t.Parallel, `critmin bench load|soak` run through the CLI —
// or a call to such a function of the same package, followed to a fixed
// point.
func concurrentFuncs(t *testing.T, dir string, withSource bool) (map[string]bool, map[string]*ast.FuncDecl) {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	decls := map[string]*ast.FuncDecl{}
	for _, name := range files {
		if !withSource && !strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil {
				// Test files of an external test package may repeat a
				// helper's name; either starting goroutines marks it.
				if old, dup := decls[fd.Name.Name]; dup {
					fd = &ast.FuncDecl{Name: fd.Name, Body: &ast.BlockStmt{List: append(append([]ast.Stmt(nil), old.Body.List...), fd.Body.List...)}}
				}
				decls[fd.Name.Name] = fd
			}
		}
	}
	conc := map[string]bool{}
	for name, fd := range decls {
		if startsGoroutines(fd.Body) {
			conc[name] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for name, fd := range decls {
			if conc[name] {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					// x.Run names a method or another package's
					// function, never this package's Run.
					ast.Inspect(n.X, func(m ast.Node) bool { return visitIdent(m, conc, decls, &changed, name) })
					return false
				default:
					return visitIdent(n, conc, decls, &changed, name)
				}
			})
		}
	}
	return conc, decls
}

// visitIdent marks caller concurrent when n names a concurrent function
// of the package (called, or passed as a value).
func visitIdent(n ast.Node, conc map[string]bool, decls map[string]*ast.FuncDecl, changed *bool, caller string) bool {
	if id, ok := n.(*ast.Ident); ok && conc[id.Name] && decls[id.Name] != nil && !conc[caller] {
		conc[caller], *changed = true, true
		return false
	}
	return true
}

func startsGoroutines(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			found = true
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok {
				if (x.Name == "sync" && n.Sel.Name == "WaitGroup") || x.Name == "errgroup" {
					found = true
				}
			}
			if n.Sel.Name == "Parallel" {
				found = true
			}
		case *ast.CallExpr:
			found = found || runsBenchLoad(n.Args)
		case *ast.CompositeLit:
			found = found || runsBenchLoad(n.Elts)
		}
		return !found
	})
	return found
}

// TestRaceListCoversConcurrency: scripts/test runs every test once
// without the race detector and, under it, only what scripts/race.list
// names; every test that starts goroutines must be among those, or a
// data race in it would go unseen. In the packages not run whole, each
// Test function whose body (or a helper of its package it calls) starts
// goroutines must be listed by `test`, and each storetest suite that
// does by `contract`; every name listed must exist.
func TestRaceListCoversConcurrency(t *testing.T) {
	l := readRaceList(t)
	dirs := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata" || d.Name() == "wip" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pkgOf := func(dir string) string {
		if dir == "." {
			return "."
		}
		return "./" + filepath.ToSlash(dir)
	}
	for p := range l.whole {
		if !dirs[strings.TrimPrefix(p, "./")] {
			t.Errorf("scripts/race.list: whole %s: no tests there", p)
		}
	}
	checked := 0
	for dir := range dirs {
		pkg := pkgOf(dir)
		if l.whole[pkg] {
			if len(l.tests[pkg]) > 0 {
				t.Errorf("scripts/race.list: %s is run whole; its `test` lines are redundant", pkg)
			}
			continue
		}
		conc, decls := concurrentFuncs(t, dir, false)
		var missing []string
		for name := range conc {
			if strings.HasPrefix(name, "Test") && !l.tests[pkg][name] {
				missing = append(missing, name)
			}
			checked++
		}
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("scripts/race.list: %s starts goroutines; add `test %s %s`", m, pkg, m)
		}
		for name := range l.tests[pkg] {
			if fd := decls[name]; fd == nil || !strings.HasPrefix(name, "Test") {
				t.Errorf("scripts/race.list: test %s %s: no such test", pkg, name)
			}
		}
	}
	for pkg := range l.tests {
		if !dirs[strings.TrimPrefix(pkg, "./")] && pkg != "." {
			t.Errorf("scripts/race.list: %s holds no tests", pkg)
		}
	}

	// The storetest suites: their names are given by Run's table in
	// storetest/contract.go ({"Name", testFn}).
	conc, _ := concurrentFuncs(t, "storetest", true)
	suites := suiteNames(t)
	if len(suites) < 100 {
		t.Fatalf("read %d suites from storetest/contract.go's Run; the table's shape changed", len(suites))
	}
	listed := map[string]bool{}
	for name, fn := range suites {
		listed[name] = true
		if conc[fn] && !l.contract[name] {
			t.Errorf("scripts/race.list: suite %s (%s) starts goroutines; add `contract %s`", name, fn, name)
		}
		checked++
	}
	for name := range l.contract {
		if !listed[name] {
			t.Errorf("scripts/race.list: contract %s: no such suite in storetest.Run", name)
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

// suiteNames reads Run's table: suite name → the function it runs.
func suiteNames(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "storetest/contract.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "Run" {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok || len(cl.Elts) != 2 {
				return true
			}
			lit, ok1 := cl.Elts[0].(*ast.BasicLit)
			fn, ok2 := cl.Elts[1].(*ast.Ident)
			if ok1 && ok2 && lit.Kind == token.STRING {
				name, err := strconv.Unquote(lit.Value)
				if err == nil {
					out[name] = fn.Name
				}
			}
			return true
		})
	}
	return out
}

// runsBenchLoad: the arguments hold "bench", "load" (or "soak") in a row,
// a `critmin bench load|soak` run, whose clients are goroutines.
func runsBenchLoad(args []ast.Expr) bool {
	for i := 0; i+1 < len(args); i++ {
		a, ok1 := args[i].(*ast.BasicLit)
		b, ok2 := args[i+1].(*ast.BasicLit)
		if ok1 && ok2 && a.Value == `"bench"` && (b.Value == `"load"` || b.Value == `"soak"`) {
			return true
		}
	}
	return false
}
