package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// The demo REE lot through the CLI: settle prints one JSON object with the
// issue's fields, the final invoice issues, shows with its lines and
// exports to XLSX; bad input names the field.
func TestTradeCLI(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:demo:lot:REE-2025-002"
	out, _, err := run(t, env, "trade", "settle", "--terms", "FWO-USSM-REE-2025", "--lot", lot, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("settle output is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"dmt", "nsr_per_dmt", "lot_value", "provisional_amount", "final_balance"} {
		if _, ok := v[k].(float64); !ok {
			t.Errorf("settle JSON: %s = %v, want a number", k, v[k])
		}
	}
	lines, _ := v["lines"].([]any)
	for _, l := range lines {
		if f, _ := l.(map[string]any)["formula"].(string); f == "" {
			t.Errorf("line without a formula: %v", l)
		}
	}
	if out, _, err = run(t, env, "trade", "invoice", "issue", "--contract", "FWO-USSM-REE-2025", "--lot", lot, "--kind", "final"); err != nil || !strings.Contains(out, "issued final invoice") {
		t.Fatalf("issue: %v %s", err, out)
	}
	id := strings.Fields(out)[3]
	id = strings.TrimSuffix(id, ":")
	if out, _, err = run(t, env, "trade", "invoice", "show", id); err != nil || !strings.Contains(out, "Less provisional invoice") {
		t.Errorf("show: %v %s", err, out)
	}
	xlsx := filepath.Join(dir, "inv.xlsx")
	if _, _, err = run(t, env, "trade", "invoice", "show", id, "--format", "xlsx", "--out", xlsx); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(xlsx); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Errorf("xlsx: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"id": "X", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "CIF", "place": "Houston"}, "payment": {"provisional_pct": 90}, "qp": {"month": 1}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 101, "price": {"fixed": 1, "unit": "USD/t"}}]}`), 0o644)
	if _, _, err := run(t, env, "trade", "contract", "add", bad); err == nil || !strings.Contains(err.Error(), "/payables/0/payable_pct") {
		t.Errorf("bad term sheet: err = %v", err)
	}
	// Agreement amounts at the currency's minor unit: committed 6 000 000 +
	// 1 500 000 + 2 500 000 = 10 000 000.00 USD; copper shipped 129 330.80.
	if out, _, err := run(t, env, "trade", "agreement", "--as-of", "2025-12-01"); err != nil || !strings.Contains(out, "10,000,000.00") || !strings.Contains(out, "129,330.80") || !strings.Contains(out, "headline 500,000,000.00 USD") {
		t.Errorf("agreement: %v\n%s", err, out)
	}
	// No sheet values a Cu-only feed: the table is printed with each
	// sheet's reason, and the command fails naming them, one sentence each.
	out, _, err = run(t, env, "trade", "nsr", "--terms", "FWO-USSM-REE-2025,FWO-USSM-CU-2025", "--grades", "Cu=24%", "--as-of", "2025-11-28")
	if d := cli.Describe(err); err == nil || !strings.Contains(d, "no term sheet values the feed. FWO-USSM-REE-2025: the feed has no TREO assay") || !strings.Contains(d, "contract needs. FWO-USSM-CU-2025: the feed has no Au assay") || !strings.Contains(out, "no Au assay") {
		t.Errorf("nsr valued by no sheet: err %q, output:\n%s", d, out)
	}
	if _, _, err = run(t, env, "trade", "nsr", "--terms", "FWO-USSM-REE-2025,FWO-USSM-CU-2025", "--grades", "Cu=24%,Au=4g/t", "--as-of", "2025-11-28"); err != nil {
		t.Errorf("nsr valued by the copper sheet: %v", err)
	}
	// The CLI refuses what the API refuses (one validator, in the domain).
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"trade", "nsr", "--terms", "FWO-USSM-CU-2025", "--grades", "Cu=120%"}, "grades"},
		{[]string{"trade", "nsr", "--terms", "FWO-USSM-CU-2025", "--grades", "Cu=-1%"}, "negative"},
		{[]string{"trade", "nsr", "--terms", "FWO-USSM-CU-2025", "--grades", "Cu=24%", "--step", "150"}, "step"},
		{[]string{"trade", "nsr", "--terms", "FWO-USSM-CU-2025", "--grades", "Cu=24%", "--step", "-10"}, "step"},
		{[]string{"trade", "pay", "--invoice", "nope", "--amount", "1", "--on", "2025-11-20"}, "invoice"},
	} {
		if _, _, err := run(t, env, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want one naming %s", c.args, err, c.want)
		}
	}
	if out, _, err := run(t, env, "trade", "--help"); err != nil || !strings.Contains(out, "Usage: critmin trade") {
		t.Errorf("help: %v", err)
	}
}

// Issue 13 new-user check, item 6g: the settle text prints each line's
// per-dmt figure as the JSON gives it (to 6 places, e.g. 366.260038), not
// rounded to 4 places without saying so (366.26).
func TestTradeSettleTextFullFigures(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	args := []string{"trade", "settle", "--terms", "FWO-USSM-CU-2025", "--lot", "https://id.gs1.org/01/09520123456788/10/CU2025001"}
	js, _, err := run(t, env, append(args, "--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	var v struct {
		Lines []struct {
			Label  string      `json:"label"`
			PerDMT json.Number `json:"per_dmt"`
		} `json:"lines"`
	}
	if err := dec.Decode(&v); err != nil || len(v.Lines) == 0 {
		t.Fatalf("settle JSON: %v", err)
	}
	text, _, err := run(t, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	long := 0
	for _, l := range v.Lines {
		if i := strings.Index(string(l.PerDMT), "."); i >= 0 && len(l.PerDMT)-i-1 > 4 {
			long++
		}
		found := false
		for _, row := range strings.Split(text, "\n") {
			// Negative amounts read with the minus sign of all trade
			// text (commercial.Money).
			if strings.HasPrefix(row, l.Label) && strings.Contains(row, " "+strings.Replace(string(l.PerDMT), "-", "−", 1)+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("line %s: per dmt %s not printed as is:\n%s", l.Label, l.PerDMT, text)
		}
	}
	if long == 0 {
		t.Errorf("no line with more than 4 decimal places per dmt: the test proves nothing")
	}
}
