package critmin_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestCSVReaderDropsLeadingByteOrderMark: Excel's "CSV UTF-8" starts with
// EF BB BF; the first header cell must read "series", not "\ufeffseries".
// A mark later in the file is data and stays.
func TestCSVReaderDropsLeadingByteOrderMark(t *testing.T) {
	for _, in := range []string{"\ufeffseries,date\nA,\ufeffx\n", "series,date\nA,\ufeffx\n"} {
		rows, err := critmin.NewCSVReader(strings.NewReader(in)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "series" || rows[1][1] != "\ufeffx" {
			t.Fatalf("%q read as %q", in, rows)
		}
	}
	if got := string(critmin.TrimBOM([]byte("\ufeffa"))); got != "a" {
		t.Fatalf("TrimBOM: %q", got)
	}
}
