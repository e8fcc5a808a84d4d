package cli

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// dispatched reads, from this package's source, the subcommands each
// function dispatches: the string cases of its `switch args[0]`. It is
// what the code runs (also `switch sub` where sub := args[0]), whatever any help text or list says.
func dispatched(t *testing.T) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					sw, ok := n.(*ast.SwitchStmt)
					if !ok {
						return true
					}
					// switch args[0], or switch sub (sub := args[0]).
					if id, ok := sw.Tag.(*ast.Ident); !ok || id.Name != "sub" {
						ix, ok := sw.Tag.(*ast.IndexExpr)
						if !ok {
							return true
						}
						if id, isID := ix.X.(*ast.Ident); !isID || id.Name != "args" {
							return true
						}
						if lit, ok := ix.Index.(*ast.BasicLit); !ok || lit.Value != "0" {
							return true
						}
					}
					for _, st := range sw.Body.List {
						for _, e := range st.(*ast.CaseClause).List {
							if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								if s, err := strconv.Unquote(lit.Value); err == nil && !isHelp(s) && s != "-h" {
									out[fn.Name.Name] = append(out[fn.Name.Name], s)
								}
							}
						}
					}
					return true
				})
			}
		}
	}
	return out
}

// TestHelpWalksEveryDispatchedSubcommand (nu15f item 8: `critmin
// --help` and `critmin refinery --help` left out void-record, which the
// code runs): for every command, each subcommand its run function
// dispatches must be listed on the command's line of `critmin --help`,
// in the command's own --help (and in its Usage line when that names
// subcommands), and answer its own --help. The subcommands come from the
// source, not from a list kept beside the help, so a subcommand added to
// a switch and not to the help fails here.
func TestHelpWalksEveryDispatchedSubcommand(t *testing.T) {
	help := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}, args)
		return out.String() + errb.String(), err
	}
	top, err := help("--help")
	if err != nil {
		t.Fatal(err)
	}
	subs := dispatched(t)
	checked := 0
	for name, c := range commands() {
		fn := runtime.FuncForPC(reflect.ValueOf(c.run).Pointer()).Name()
		fn = fn[strings.LastIndex(fn, ".")+1:]
		// A command of the subcommands table runs only the names the
		// table holds (subcommandHelp refuses others): those are its
		// reachable subcommands, beside any its switch dispatches.
		list := subs[fn]
		for _, sc := range subcommands[name] {
			if !slicesContains(list, sc.name) {
				list = append(list, sc.name)
			}
		}
		if len(list) == 0 {
			continue
		}
		checked++
		line := regexp.MustCompile(`(?m)^ {2}\s+` + regexp.QuoteMeta(name) + ` ([^\n]*)$`).FindStringSubmatch(top)
		own, err := help(name, "--help")
		if err != nil {
			t.Errorf("%s --help: %v", name, err)
		}
		usage := regexp.MustCompile(`Usage: critmin ` + regexp.QuoteMeta(name) + ` (\S*\|\S*)`).FindStringSubmatch(own)
		for _, s := range list {
			if line == nil || !slicesContains(strings.Split(line[1], " | "), s) {
				t.Errorf("critmin --help: the %s line does not list %s (%v)", name, s, line)
			}
			if !strings.Contains(own, "\n  "+s+" ") && !strings.Contains(own, "\n  "+name+" "+s+" ") {
				t.Errorf("%s --help does not list %s", name, s)
			}
			if usage != nil && !slicesContains(strings.Split(usage[1], "|"), s) {
				t.Errorf("%s --help: the Usage line %q does not name %s", name, usage[0], s)
			}
			if out, err := help(name, s, "--help"); err != nil || !strings.Contains(out, "Usage: critmin") {
				t.Errorf("%s %s --help: %v %q", name, s, err, out)
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d commands with subcommands found in the source; the walk is broken", checked)
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}
