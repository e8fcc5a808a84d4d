package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestUsageLineNamesEveryFlag: the Usage line of a command's --help names
// every flag its list prints (nu39c item 8: `critmin serve --help` left out
// --force and --stockpile-running, -queue and -wait). Commands whose
// subcommands share one flag set are walked as the subcommands.
func TestUsageLineNamesEveryFlag(t *testing.T) {
	help := func(args ...string) string {
		var out, errb bytes.Buffer
		Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}, args)
		return out.String()
	}
	var walk [][]string
	for name := range commands() {
		walk = append(walk, []string{name})
		for _, sc := range subcommands[name] {
			walk = append(walk, []string{name, sc.name})
		}
	}
	flagRE := regexp.MustCompile(`(?m)^  -(\S+)`)
	for _, args := range walk {
		out := help(append(args, "--help")...)
		usage, _, _ := strings.Cut(out, "\n")
		// "[flags]" names them all.
		if !strings.HasPrefix(usage, "Usage: critmin") || strings.Contains(usage, "[flags]") {
			continue
		}
		for _, m := range flagRE.FindAllStringSubmatch(out, -1) {
			if !regexp.MustCompile(`--` + regexp.QuoteMeta(m[1]) + `\b`).MatchString(usage) {
				t.Errorf("%s --help: the Usage line %q does not name --%s", strings.Join(args, " "), usage, m[1])
			}
		}
	}
}
