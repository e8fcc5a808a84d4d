package commercial_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// A quotational period whose to is before its from is refused naming its
// to, and only that: its share (1) still counts, so no false "shares add
// up to 0, not 1" at /qp/periods (before, the period was skipped and its
// share with it). Shares that really miss 1 (0.5 + 0.3 = 0.8) are still
// refused at /qp/periods even when a period's dates are bad.
func TestQPBadDatesKeepTheirShare(t *testing.T) {
	base := mustFile(t, "testdata/cu-conc.json")
	month := `"qp": {"event": "shipment", "month": 1, "options": [0, 1, 2], "declared_by": "buyer"}`
	_, err := commercial.ParseTermSheet([]byte(strings.Replace(base, month, `"qp": {"periods": [{"from": "2025-10-31", "to": "2025-10-01", "share": 1}]}`, 1)))
	if !hasField(err, "/qp/periods/0/to") {
		t.Fatalf("err = %v, want one naming /qp/periods/0/to", err)
	}
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == "/qp/periods" {
			t.Errorf("false share error: %s: %s", f.Pointer, f.Reason)
		}
	}
	_, err = commercial.ParseTermSheet([]byte(strings.Replace(base, month, `"qp": {"periods": [{"from": "2025-10-31", "to": "2025-10-01", "share": 0.5}, {"from": "2025-11-01", "to": "2025-11-30", "share": 0.3}]}`, 1)))
	if !hasField(err, "/qp/periods") || !strings.Contains(critmin.ErrorMessage(err)+fieldReasons(err), "0.8") {
		t.Errorf("shares 0.5 + 0.3: err = %v, want /qp/periods saying 0.8", err)
	}
}

func fieldReasons(err error) string {
	var b strings.Builder
	for _, f := range critmin.ErrorFields(err) {
		b.WriteString(f.Reason + "; ")
	}
	return b.String()
}
