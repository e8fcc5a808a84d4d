package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// A contract's faults are reported at once: the sheet's own (the TC
// basis in USD/kg while the Cu payable is priced in USD/lb) and its price
// series' (the Cu payable in USD/lb while series DEMO-LME-CU is quoted in
// USD/t). Before, the series unit fault was reported only once the TC
// basis unit was fixed. Nothing is stored.
func TestContractFaultsReportedAtOnce(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	body := strings.Replace(mustFile(t, "demo/cu-2025.json"), `"price": {"series": "DEMO-LME-CU", "unit": "USD/t"}`, `"price": {"series": "DEMO-LME-CU", "unit": "USD/lb"}`, 1)
	body = strings.Replace(body, `"basis_unit": "USD/t"`, `"basis_unit": "USD/kg"`, 1)
	body = strings.Replace(body, `"id": "FWO-USSM-CU-2025"`, `"id": "T-FAULTS"`, 1)
	_, err := s.SaveContract(ctx, []byte(body))
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	if !fieldSays(err, "/tc/basis_unit", "USD/kg") || !fieldSays(err, "/payables/0/price/unit", "quoted in USD/t") {
		t.Errorf("fields %v, want /tc/basis_unit and /payables/0/price/unit together", critmin.ErrorFields(err))
	}
	if _, err := s.Contract(ctx, "T-FAULTS"); err == nil {
		t.Errorf("a refused contract was stored")
	}
}
