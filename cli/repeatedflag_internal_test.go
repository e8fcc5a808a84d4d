package cli

import (
	"bytes"
	"strings"
	"testing"
)

// listFlag is a flag meant to repeat (--tag a --tag b), as a multi-value
// flag of the CLI would be: it implements RepeatableFlag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }
func (l *listFlag) Repeatable() bool   { return true }

// TestRepeatedFlagRefused: a single-value flag given twice (--gap 0.1
// --gap 0.2) is a usage error naming the flag and both values — the flag
// package kept the last one silently — while a flag meant to repeat
// gathers every value, and one value of each still parses.
func TestRepeatedFlagRefused(t *testing.T) {
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
	for _, c := range []struct {
		args []string
		want string // "" when the arguments parse
	}{
		{[]string{"--gap", "0.1", "--gap", "0.2"}, `--gap is given more than once ("0.1", then "0.2")`},
		{[]string{"--gap=0.1", "-gap", "0.2"}, `--gap is given more than once`},
		{[]string{"--elastic", "--elastic=false"}, `--elastic is given more than once`},
		{[]string{"pos", "--name", "a", "--name", "a"}, `--name is given more than once`},
		{[]string{"--gap", "0.1", "--elastic", "--name", "a", "--tag", "x", "--tag", "y"}, ""},
	} {
		fs := flagSet(env, "t", "t")
		gap := fs.Float64("gap", 0.005, "")
		elastic := fs.Bool("elastic", false, "")
		fs.String("name", "d", "")
		var tags listFlag
		fs.Var(&tags, "tag", "")
		_, err := parse(fs, c.args)
		if c.want == "" {
			if err != nil || *gap != 0.1 || !*elastic || len(tags) != 2 || tags[0] != "x" || tags[1] != "y" {
				t.Errorf("%v: err %v gap %v elastic %v tags %v", c.args, err, *gap, *elastic, tags)
			}
			continue
		}
		if err == nil || !UsageError(err) || !strings.Contains(Describe(err), c.want) {
			t.Errorf("%v: %v; want a usage error with %q", c.args, err, c.want)
		}
	}
}
