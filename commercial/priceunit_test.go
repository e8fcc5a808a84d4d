package commercial_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// A price per dmt (of concentrate) is not a price of metal: before, a
// payable priced "USD/dmt" was accepted and settling it divided by the
// grams in a "dmt" (none in the table) — a panic "decimal division by 0"
// and 500s on settle, invoices and NSR. Every place a price unit is
// read refuses it, naming the field.
func TestPerDMTPriceUnitRefused(t *testing.T) {
	base := mustFile(t, "testdata/cu-conc.json")
	for _, c := range []struct{ name, from, to, field string }{
		{"payable fixed", `"price": {"series": "CU", "unit": "USD/t"}`, `"price": {"fixed": 2000, "unit": "USD/dmt"}`, "/payables/0/price/unit"},
		{"payable series", `"price": {"series": "CU", "unit": "USD/t"}`, `"price": {"series": "CU", "unit": "USD/dmt"}`, "/payables/0/price/unit"},
		{"product basis", `"price": {"series": "CU", "unit": "USD/t"}`, `"basis": "product", "price": {"fixed": 2000, "unit": "USD/dmt"}`, "/payables/0/price/unit"},
		{"TC basis", `"basis_unit": "USD/t"`, `"basis_unit": "USD/dmt"`, "/tc/basis_unit"},
		{"RC unit", `"unit": "USc/lb"`, `"unit": "USD/dmt"`, "/rc/0/unit"},
	} {
		body := strings.Replace(base, c.from, c.to, 1)
		if body == base {
			t.Fatalf("%s: %s not in the test term sheet", c.name, c.from)
		}
		if _, err := commercial.ParseTermSheet([]byte(body)); !hasField(err, c.field) {
			t.Errorf("%s: err = %v, want EINVALID naming %s", c.name, err, c.field)
		}
	}
	basket := `{"id": "B", "commodity": "ree_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "basket": {"basis": "TREO", "payable_pct": 50, "unit": "USD/dmt", "oxides": [{"oxide": "Nd2O3", "share": 0.2, "price": {"fixed": 60, "unit": "USD/dmt"}}]}}`
	if _, err := commercial.ParseTermSheet([]byte(basket)); !hasField(err, "/basket/unit") {
		t.Errorf("basket per dmt: err = %v, want EINVALID naming /basket/unit", err)
	}
	// A price series in USD/dmt is refused at import, named by line and column.
	csv := "series,date,value,unit,source,frequency\nX,2025-10-01,2000,USD/dmt,s,daily\n"
	if _, err := commercial.ImportPriceCSV(strings.NewReader(csv), commercial.PriceSeries{}); !hasField(err, "line 2/unit") {
		t.Errorf("series per dmt: err = %v, want one naming line 2/unit", err)
	}
	if _, err := commercial.ParsePriceUnit("USD/dmt", "/u"); !hasField(err, "/u") {
		t.Errorf("ParsePriceUnit(USD/dmt): err = %v", err)
	}
}

// A term sheet read as stored (not through ParseTermSheet: a row saved
// before the check) with a per-dmt unit in each place a unit is
// converted settles to an EINVALID error, never a panic.
func TestStoredPerDMTUnitSettlesToError(t *testing.T) {
	lot := &commercial.LotFacts{Lot: "l", BLDate: day("2025-09-02"), Loading: commercial.Weighing{WMT: d("1"), MoisturePct: d("0")},
		Assays: map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}}}
	body := `{"id": "RC", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "price": {"fixed": 9000, "unit": "USD/t"}, "participation": {"basis": 8000, "up_share": 0.1, "down_share": 0.1}}],
	  "rc": [{"element": "Cu", "rate": 4.5, "unit": "USc/lb"}]}`
	for name, spoil := range map[string]func(*commercial.TermSheet){
		"payable": func(ts *commercial.TermSheet) { ts.Payables[0].Price.Unit = "USD/dmt" },
		"rc":      func(ts *commercial.TermSheet) { ts.RC[0].Unit = "USD/dmt" },
		"empty":   func(ts *commercial.TermSheet) { ts.Payables[0].Price.Unit = "" },
	} {
		ts := MustTerms(t, body)
		spoil(ts)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: Settle panicked: %v", name, r)
				}
			}()
			_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional})
			var e *critmin.Error
			if !errors.As(err, &e) || e.Code != critmin.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", name, err)
			}
		}()
	}
	// The unspoiled sheet settles: 96.5 % × 24 % = 23.16 % → 231 600 g/dmt
	// ÷ 10⁶ g/t × 9000 USD/t = 2084.40 USD/dmt payable.
	st, err := commercial.Settle(MustTerms(t, body), lot, commercial.SettleOptions{Kind: commercial.Provisional})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "payable Cu", lineAmount(t, st.Lines, "payable:Cu"), "2084.4")
}
