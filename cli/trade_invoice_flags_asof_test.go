package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// Issue 13 (fix13j, 1): as of a day before an invoice was issued it did
// not exist. The demo copper final is issued on 2025-11-05: shown as of
// 2025-09-01 it says not issued (before: "open: 15,391.84 USD unpaid").
func TestTradeInvoiceShowAsOfBeforeIssueSaysNotIssued(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	fin := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	out, _, err := run(t, env, "trade", "invoice", "show", fin, "--as-of", "2025-09-01")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "status as of 2025-09-01: not issued as of 2025-09-01 (issued 2025-11-05)") || strings.Contains(out, "unpaid") {
		t.Errorf("show as of 2025-09-01:\n%s\nwant not issued, nothing unpaid", out)
	}
	// Its lines carry their per-dmt figures: the less-provisional line
	// −113 938.96 ÷ 54.6 dmt = −2 086.794139 per dmt.
	if !strings.Contains(out, "−2086.794139") {
		t.Errorf("show: want the less-provisional line's per dmt −2086.794139:\n%s", out)
	}
}

// Issue 13 (fix13j, 6): a flag trade invoice accepts works, else it is
// refused naming it. list --format json --out FILE writes the list as
// JSON to FILE (before: a text table on stdout); --format xml is refused;
// --out on issue, --contract on show and --kind on list are not flags of
// those subcommands.
func TestTradeInvoiceFlagsAreHonouredOrRefused(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "invoices.json")
	out, _, err := run(t, env, "trade", "invoice", "list", "--format", "json", "--out", file, "--as-of", "2025-09-05")
	if err != nil {
		t.Fatal(err)
	}
	if out != "" {
		t.Errorf("with --out, stdout %q; want nothing", out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Invoices []map[string]any `json:"invoices"`
		AsOf     string           `json:"as_of"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("--out file is not JSON: %v\n%s", err, b)
	}
	// As of 2025-09-05: the four provisional invoices of 2 and 3 Sep
	// (REE ×2, SB, CU); the NdPr one (28 Oct) and both finals are later.
	if got.AsOf != "2025-09-05" || len(got.Invoices) != 4 {
		t.Errorf("as_of %q, %d invoices; want 2025-09-05 and 4", got.AsOf, len(got.Invoices))
	}
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"list", "--format", "xml"}, "--format"},
		{[]string{"issue", "--contract", "X", "--lot", "L", "--kind", "final", "--out", file}, "--out"},
		{[]string{"show", "INV-X", "--contract", "X"}, "--contract"},
		{[]string{"list", "--kind", "final"}, "--kind"},
		{[]string{"list", "--as-of", "2025-02-30"}, "--as-of"},
	} {
		_, _, err := run(t, env, append([]string{"trade", "invoice"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("trade invoice %v: %v; want an error naming %s", c.args, err, c.flag)
		}
	}
}

// Issue 13 (fix13j, 6): trade exposure offered --format csv and printed
// text; trade agreement printed text for any --format. Both refuse a
// format they do not write, naming --format.
func TestTradeFormatFlagsRefuseWhatTheyDoNotWrite(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"trade", "exposure", "--as-of", "2025-10-15", "--format", "csv"},
		{"trade", "agreement", "--format", "xml"},
		{"trade", "settle", "--terms", "FWO-USSM-CU-2025", "--lot", commercial.DemoCopperLot, "--format", "csv"},
		{"trade", "contract", "list", "--format", "json"},
	} {
		_, _, err := run(t, env, args...)
		if err == nil || !strings.Contains(err.Error(), "--format") && !strings.Contains(err.Error(), "format") {
			t.Errorf("%v: %v; want an error naming --format", args, err)
		}
	}
}

// Issue 13 (fix13j, 6): the import flags of trade prices are not flags
// of prices list (they were accepted and ignored).
func TestTradePricesListRefusesImportFlags(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "init"); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, env, "trade", "prices", "list", "--series", "LME-CU")
	if err == nil || !strings.Contains(err.Error(), "--series is not a flag of trade prices list") {
		t.Errorf("prices list --series: %v; want refused naming --series", err)
	}
}
