package commercial

import (
	"testing"

	"github.com/shopspring/decimal"
)

// fix13t item 6b: a note line's formula writes each amount with its own
// sign: −2 653.96 now, −2 644.89 invoiced, difference −2 653.96 −
// (−2 644.89) = −9.07 USD. Before: "-2653.96 now − -2644.89 invoiced".
func TestNoteFormulaSigns(t *testing.T) {
	now, was := decimal.RequireFromString("-2653.96"), decimal.RequireFromString("-2644.89")
	got := noteFormula(now, was, now.Sub(was), "USD")
	if want := "now −2,653.96, invoiced −2,644.89, difference −9.07 USD"; got != want {
		t.Errorf("formula %q, want %q", got, want)
	}
	got = noteFormula(decimal.RequireFromString("1000"), decimal.RequireFromString("900.5"), decimal.RequireFromString("99.5"), "USD")
	if want := "now 1,000.00, invoiced 900.50, difference +99.50 USD"; got != want {
		t.Errorf("formula %q, want %q", got, want)
	}
}
