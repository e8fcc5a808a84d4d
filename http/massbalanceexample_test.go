package http_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/refinery"
)

// TestMassBalanceExampleReplaysToday (issue 9, fix9g): the README's
// worked example, docs/examples/mass-balance.sh, replayed against a
// server today — whatever today is — gives the figures the README states.
// Its claim periods are this month and the next, and its events are dated
// now, so no claim falls in an ended period (which ISO 22095-2 and
// critmin refuse). The arithmetic, tonnes of Nd+Pr:
//
//	credit PK: 100 dmt × (4 % + 1 %) × 0.9 = 4.5 (Pakistan); run R1's
//	  products hold O1 2 × 80 % = 1.6 + O1B 3.7 × (64 % + 16 %) = 2.96,
//	  4.56 ≥ 4.5, so the credit is not bounded (fix9c)
//	claim O1: 2 t × (60 % + 20 %) = 1.6 ≤ 4.5: accepted, 2.9 left
//	claim O2: 5 t × 80 % = 4.0 > 2.9: refused, shortfall 1.1, nothing stored
//	claim O3: 0.5 t × 80 % = 0.4 ≤ 2.9: accepted, 2.5 left; CN2 credits
//	          min(10 × 5 % × 0.9 = 0.45, 0.4 in O3) = 0.4 (China: a run
//	          credits no more than its products hold); DFARS fails
//	          (physical China)
//	this month, PAK: opening 0, credits 4.5, claims 1.6 + 0.4 = 2, closing 2.5
//	next month, PAK: opening 2.5, nothing expired yet (the month is
//	  open: expiry is at its end), 2.5 expires at period end (a
//	  projection), closing 2.5
func TestMassBalanceExampleReplaysToday(t *testing.T) {
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the example needs %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "docs/examples/mass-balance.sh") {
		t.Fatal("README's worked example does not name docs/examples/mass-balance.sh")
	}
	// Wired as critmin serve wires it (cli/serve.go): claims checked at
	// capture (MustServe captures through custody.NewService), conversion
	// factors from closed refinery months.
	ts := MustServe(t, false, nil)
	ts.SetConversionSource(refinery.ConversionFactors{Store: ts.Store})
	// The script's requests come from curl, another process: nothing in
	// this one orders them after the line above, and the race detector
	// says so. One request from this process does (socket I/O is a
	// synchronisation point for it), as serve's start-up does by setting
	// the source before it listens.
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/lots?limit=1", operatorSecret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/lots: %d", resp.StatusCode)
	}
	cmd := exec.Command("bash", filepath.Join("..", "docs", "examples", "mass-balance.sh"))
	cmd.Env = append(os.Environ(), "CRITMIN_URL="+ts.URL, "CRITMIN_TOKEN="+operatorSecret)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := string(out)
	var codes []string
	for _, l := range strings.Split(got, "\n") {
		if regexp.MustCompile(`^\d{3}$`).MatchString(l) {
			codes = append(codes, l)
		}
	}
	if strings.Join(codes, " ") != "202 200 202 400 202" {
		t.Errorf("statuses %v, want 202 200 202 400 202 (feeds, declaration, O1, O2 refused, O3)\n%s", codes, got)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`over-claim refused: site urn:example:mb:\d+, category ree, period \d{4}-\d{2}: lot urn:example:lot:\d+:O2 claims 4 t Nd\+Pr of Pakistan origin but the balance holds 2\.9 t \(shortfall 1\.1 t\)`),
		regexp.MustCompile(`"rule": "dfars-covered-countries",\s+"status": "fail"`),
		regexp.MustCompile(`"rule": "mass-balance-claim",\s+"status": "pass"`),
		regexp.MustCompile(`(?m)^urn:example:mb:\d+,(\d{4}-\d{2}),ree,Nd\+Pr,0\.9,PAK,0,4\.5,2,0,0,2\.5,,balance,,,,,,,$`),
		regexp.MustCompile(`(?m)^urn:example:mb:\d+,(\d{4}-\d{2}),ree,Nd\+Pr,0\.9,PAK,2\.5,0,0,0,2\.5,2\.5,,balance,,,,,,,$`),
		regexp.MustCompile(`(?m)^urn:example:mb:\d+,(\d{4}-\d{2}),ree,Nd\+Pr,0\.9,CHN,0,0\.39,0,0,0,0\.39,,balance,,,,,,,$`),
	} {
		if !want.MatchString(got) {
			t.Errorf("output lacks %s\n%s", want, got)
		}
	}
}
