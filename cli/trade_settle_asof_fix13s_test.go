package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// TestTradeSettleAsOf (fix13s item 3): trade settle --as-of gives the
// settlement as the records stood on that day. The demo copper lot as of
// 2025-09-05 has its provisional invoice only (113 938.96 USD, issued
// 2025-09-03; the final is issued 2025-11-05); a day that is not a date,
// one after today and one before the lot's loading weighing are refused
// naming --as-of / as_of, the last "no settlement as of".
func TestTradeSettleAsOf(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "settle", "--terms", "FWO-USSM-CU-2025", "--lot", commercial.DemoCopperLot, "--as-of", "2025-09-05", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		AsOf     string            `json:"as_of"`
		Invoices []json.RawMessage `json:"invoices"`
		Prov     json.Number       `json:"provisional_amount"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if v.AsOf != "2025-09-05" || len(v.Invoices) != 1 || v.Prov.String() != "113938.96" {
		t.Errorf("as of 2025-09-05: as_of %q, %d invoices, provisional_amount %s; want 2025-09-05, 1, 113938.96", v.AsOf, len(v.Invoices), v.Prov)
	}
	if out, _, err := run(t, env, "trade", "settle", "--terms", "FWO-USSM-CU-2025", "--lot", commercial.DemoCopperLot, "--as-of", "2025-09-05"); err != nil || !strings.Contains(out, "as of 2025-09-05") {
		t.Errorf("text as of 2025-09-05: %v\n%s", err, out)
	}
	for _, c := range []struct{ day, want string }{{"2025-13-01", "--as-of"}, {"2999-01-01", "as_of"}, {"2020-01-01", "no settlement as of 2020-01-01"}} {
		_, _, err := run(t, env, "trade", "settle", "--terms", "FWO-USSM-CU-2025", "--lot", commercial.DemoCopperLot, "--as-of", c.day)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--as-of %s: %v; want refused, saying %q", c.day, err, c.want)
		}
	}
}
