package commercial

import (
	"testing"

	"github.com/shopspring/decimal"
)

// perGram and grams return an error for a mass not in the table (dmt,
// empty, a zero PriceUnit), never a division by zero; a valid unit still
// converts: 4.5 USc/lb = 0.045 USD per 453.59237 g, so 453.59237 g of
// payable metal cost 0.045 USD.
func TestPerGramNeverPanics(t *testing.T) {
	for _, u := range []PriceUnit{{}, {Currency: "USD", Factor: one, Mass: "dmt"}, {Currency: "USD", Mass: "furlong"}} {
		if _, err := u.perGram(hundred); err == nil {
			t.Errorf("%+v: perGram gave no error", u)
		}
		if _, err := u.grams(); err == nil {
			t.Errorf("%+v: grams gave no error", u)
		}
	}
	u, err := ParsePriceUnit("USc/lb", "/u")
	if err != nil {
		t.Fatal(err)
	}
	g, err := u.perGram(decimal.RequireFromString("4.5"))
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Mul(decimal.RequireFromString("453.59237")).Round(9); !got.Equal(decimal.RequireFromString("0.045")) {
		t.Errorf("4.5 USc/lb × 453.59237 g = %s USD, want 0.045", got)
	}
}
