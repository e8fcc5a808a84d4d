package commercial_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// TestPriceCSVWithByteOrderMarkIsRead: Excel's "CSV UTF-8" begins with a
// byte-order mark; the header's first cell is still "series" (it was
// refused: `line 1/series: price CSV has no "series" column`).
func TestPriceCSVWithByteOrderMarkIsRead(t *testing.T) {
	body := "\ufeffseries,date,value,unit,source,frequency\n" +
		"LME-CU,2025-10-01,9900,USD/t,LME (illustrative),daily\n"
	got, err := commercial.ImportPriceCSV(strings.NewReader(body), commercial.PriceSeries{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "LME-CU" || len(got[0].Points) != 1 {
		t.Fatalf("import = %+v", got)
	}
}
