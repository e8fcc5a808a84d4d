package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMassBalanceDeclareBoundsCLI (nuq9): `critmin massbalance declare`
// refuses a conversion factor below 0.001 (1e-320), a gap between claim
// periods while credits carry forward, naming the member; the site keeps its one stored version.
func TestMassBalanceDeclareBoundsCLI(t *testing.T) {
	good := `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": FACTOR}],
	 "periods": [PERIODS]}`
	oct := `{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}`
	decl := func(factor, periods string) string {
		return strings.Replace(strings.Replace(good, "FACTOR", factor, 1), "PERIODS", periods, 1)
	}
	env := mbStoreCLI(t, mbDocCLIEvents(), decl("0.9", oct))
	dir := filepath.Dir(env["CRITMIN_DB"])
	show := func() string {
		out, _, err := run(t, env, "massbalance", "show", "--site", "urn:t:site:mb")
		if err != nil {
			t.Fatalf("show: %v %s", err, out)
		}
		return out
	}
	before := show()
	for _, c := range []struct{ name, body, words string }{
		{"subnormal factor", decl("1e-320", oct), "/categories/0/conversionFactor: 1e-320 is below the minimum 0.001"},
		// October ends 2025-11-01, the next period starts 2025-12-01.
		{"gap", decl("0.9", `{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-12", "from": "2025-12-01", "to": "2026-01-01"}`), "/periods/1/from: 2025-12-01 leaves a gap"},
	} {
		f := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(f, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := runAt(t, env, declaredOct20, "massbalance", "declare", "--site", "urn:t:site:mb", "--file", f); err == nil || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: %v, want %q", c.name, err, c.words)
		}
		if after := show(); after != before {
			t.Errorf("%s: a refused declaration changed the stored one:\n%s\n%s", c.name, before, after)
		}
	}
}
