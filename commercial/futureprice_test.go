package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// TestFuturePriceDayRefused: with the service's clock at 2 Mar 2026 18:00
// UTC (import day 2026-03-02), a row dated 2030-01-02 — or 2026-03-03,
// the next day — is refused as an import and as a correction (EINVALID
// naming "line N/date" and the import day), and nothing of the file is
// stored, not even its valid row. A row dated on the import day itself is
// accepted. Before, the 2030 price was stored and would price any period
// that reached it.
func TestFuturePriceDayRefused(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	s.Now = func() time.Time { return time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC) }
	before, err := s.PriceSeries(ctx, "DEMO-LME-CU")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, line, day string }{
		{"series,date,value\nDEMO-LME-CU,2026-02-27,9000\nDEMO-LME-CU,2030-01-02,9100\n", "line 3/date", "2030-01-02"},
		{"series,date,value\nDEMO-LME-CU,2026-03-03,9000\n", "line 2/date", "2026-03-03"},
	} {
		for name, imp := range map[string]func(context.Context, *strings.Reader) ([]*commercial.PriceSeries, error){
			"import": func(ctx context.Context, r *strings.Reader) ([]*commercial.PriceSeries, error) {
				return s.ImportPrices(ctx, r, commercial.PriceSeries{})
			},
			"correction": func(ctx context.Context, r *strings.Reader) ([]*commercial.PriceSeries, error) {
				return s.ImportPriceCorrections(ctx, r, commercial.PriceSeries{})
			},
		} {
			_, err := imp(ctx, strings.NewReader(c.file))
			if !hasField(err, c.line) || !strings.Contains(err.Error(), c.day+" is after the import day 2026-03-02") {
				t.Errorf("%s of %s: err = %v, want EINVALID at %s naming the import day", name, c.day, err, c.line)
			}
		}
	}
	after, err := s.PriceSeries(ctx, "DEMO-LME-CU")
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Points) != len(before.Points) {
		t.Fatalf("refused files stored %d points", len(after.Points)-len(before.Points))
	}
	got, err := s.ImportPrices(ctx, strings.NewReader("series,date,value\nDEMO-LME-CU,2026-03-02,9000\n"), commercial.PriceSeries{})
	if err != nil {
		t.Fatalf("a price of the import day: %v", err)
	}
	if n := len(got[0].Points); n != len(before.Points)+1 {
		t.Errorf("a price of the import day: %d points, want %d", n, len(before.Points)+1)
	}
}
