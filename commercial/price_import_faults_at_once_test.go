package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user check (fix13h, 2): a price file whose series state
// a unit in EUR with currency USD, or a unit per dmt, had those faults
// reported only once its row faults were mended. Every fault of the
// file is now reported at once, by line, and nothing is stored.
func TestPriceImportReportsUnitAndRowFaultsTogether(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	body := "series,date,value,unit,currency,source,frequency\n" +
		"NEW-EUR,2025-10-01,1,EUR/t,USD,s,daily\n" + // line 2: unit in EUR, currency USD
		"NEW-EUR,2025-10-02,x,EUR/t,USD,s,daily\n" + // line 3: not a number
		"NEW-DMT,2025-10-01,5,USD/dmt,,s,daily\n" + // line 4: not a price unit
		"NEW-DMT,2025-13-01,6,USD/dmt,,s,daily\n" // line 5: no month 13
	_, err := s.ImportPrices(ctx, strings.NewReader(body), commercial.PriceSeries{})
	var ptrs []string
	for _, f := range critmin.ErrorFields(err) {
		ptrs = append(ptrs, f.Pointer)
	}
	if want := []string{"line 2/currency", "line 3/value", "line 4/unit", "line 5/date"}; strings.Join(ptrs, ",") != strings.Join(want, ",") {
		t.Errorf("faults %v, want %v (err %v)", ptrs, want, err)
	}
	for _, id := range []string{"NEW-EUR", "NEW-DMT"} {
		if _, err := s.PriceSeries(ctx, id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("series %s stored from a file with faults: %v", id, err)
		}
	}
	// The same through ImportPriceCSV (no store).
	_, err = commercial.ImportPriceCSV(strings.NewReader(body), commercial.PriceSeries{})
	if n := len(critmin.ErrorFields(err)); n != 4 {
		t.Errorf("ImportPriceCSV: %d faults, want 4 (%v)", n, err)
	}
}
