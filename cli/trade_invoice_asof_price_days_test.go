package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// Issue 13 (fix13i, 4): `trade invoice list --as-of D` lists the invoices
// as they stood on D, so an invoice issued after D is left out. The demo
// copper final is issued on 2025-11-05 and the antimony final on
// 2025-11-10: as of 2025-11-05 the first is listed (issued that day), the
// second is not.
func TestTradeInvoiceListAsOfLeavesOutLaterInvoices(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	sb := commercial.InvoiceID("FWO-USSM-SB-2025", commercial.DemoAntimonyLot, commercial.Final)
	list, _, err := run(t, env, "trade", "invoice", "list", "--as-of", "2025-11-05")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, cu) || strings.Contains(list, sb) {
		t.Errorf("as of 2025-11-05: want %s listed and %s (issued 2025-11-10) left out:\n%s", cu, sb, list)
	}
}

// Issue 13 (fix13i, 4): a price import of one day says "1 day", not
// "1 days".
func TestTradePriceImportCountsOneDay(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "init"); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "p.csv")
	if err := os.WriteFile(csv, []byte("series,date,value,unit,currency,source,frequency\nT-ONE,2025-10-01,9800,USD/t,USD,test,daily\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "prices", "import", csv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "series T-ONE: 1 day (") {
		t.Errorf("import message %q, want \"1 day\"", out)
	}
}
