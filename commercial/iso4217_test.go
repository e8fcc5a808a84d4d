package commercial_test

import (
	"testing"

	"github.com/critmin/critmin/commercial"
)

// ISO 4217 List One minor units, not a hand-picked 20: Bahrain's dinar
// (3), Kuwait's (3), the Chilean Unidad de Fomento (4), the yen (0) and
// the dollar (2); a code with minor unit N.A. (gold, XAU) and a made-up
// one (XYZ) are unknown. Before, BHD, KWD and CLF were refused.
func TestISO4217MinorUnits(t *testing.T) {
	for code, want := range map[string]int32{"BHD": 3, "KWD": 3, "CLF": 4, "JPY": 0, "USD": 2, "ISK": 0, "TND": 3, "UYW": 4, "XOF": 0} {
		if got, ok := commercial.CurrencyMinorUnits(code); !ok || got != want {
			t.Errorf("%s: %d, %v; want %d", code, got, ok, want)
		}
	}
	for _, code := range []string{"XAU", "XXX", "XYZ", "usd", ""} {
		if _, ok := commercial.CurrencyMinorUnits(code); ok {
			t.Errorf("%s is known, want unknown", code)
		}
	}
}

// A contract in Bahraini dinars rounds each line to the fils (3 places):
//
//	1.234 wmt at 0 % moisture = 1.234 dmt;
//	Cu 24 % less the 1-unit minimum deduction = 23 % (binds: 96.5 % × 24
//	= 23.16) → 0.23 t/dmt × 3400.1234 BHD/t = 782.028382 BHD/dmt;
//	line 782.028382 × 1.234 = 965.023023388 → 965.023 BHD;
//	TC −12.3456 × 1.234 = −15.2344704 → −15.234 BHD;
//	value 965.023 − 15.234 = 949.789 BHD (in USD's 2 places it would be
//	965.02 − 15.23 = 949.79).
func TestThreeDecimalCurrencySettles(t *testing.T) {
	ts := MustTerms(t, `{"id": "BHD-1", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "BHD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "min_deduction": 1, "price": {"fixed": "3400.1234", "unit": "BHD/t"}}],
	  "tc": {"base": "12.3456"}}`)
	lot := &commercial.LotFacts{Lot: "l", BLDate: day("2025-09-02"), Loading: commercial.Weighing{WMT: d("1.234"), MoisturePct: d("0")},
		Assays: map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}}}
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "payable Cu", lineAmount(t, st.Lines, "payable:Cu"), "965.023")
	eq(t, "TC", lineAmount(t, st.Lines, "tc"), "-15.234")
	eq(t, "value", st.Value, "949.789")
}
