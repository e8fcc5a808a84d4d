package commercial_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// An analyte is paid by at most one payable or the basket: a rare-earth
// term sheet paying NdPr oxide (Nd2O3 + Pr6O11) at 100 % and Nd2O3 again
// at 100 % would pay each kg of Nd2O3 twice (200 % of it), so it is
// refused naming the second payable's analyte; likewise a basket with
// Nd2O3 beside a separate Nd2O3 payable, and an element paid once as a
// metal (Nd) and once as its oxide (Nd2O3).
func TestAnalytePaidOnce(t *testing.T) {
	head := `{"id": "REE-X", "commodity": "ree_concentrate", "seller": "urn:s", "buyer": "urn:b", "currency": "USD",
	"delivery": {"incoterm": "CIF", "place": "Houston"}, "payment": {"provisional_pct": 90, "provisional_days": 10, "final_days": 30},
	"qp": {"event": "arrival", "month": 0}, "provisional_price": {"rule": "last_published"}, `
	ndpr := `{"element": "NdPr", "analytes": ["Nd2O3", "Pr6O11"], "grade_unit": "%", "payable_pct": 100, "price": {"series": "NDPR", "unit": "USD/kg"}}`
	nd := `{"element": "Nd", "analytes": ["Nd2O3"], "grade_unit": "%", "payable_pct": 100, "price": {"series": "ND", "unit": "USD/kg"}}`
	ndMetal := `{"element": "Nd", "grade_unit": "%", "payable_pct": 100, "price": {"series": "ND", "unit": "USD/kg"}}`
	basket := `"basket": {"basis": "TREO", "payable_pct": 30, "unit": "USD/kg", "oxides": [
		{"oxide": "Pr6O11", "price": {"series": "PR", "unit": "USD/kg"}}, {"oxide": "Nd2O3", "price": {"series": "ND", "unit": "USD/kg"}}]}`
	cases := []struct{ name, body, field, says string }{
		{"two payables", head + `"payables": [` + ndpr + `, ` + nd + `]}`, "/payables/1/analytes/0", "Nd2O3 is paid twice: payable /payables/0"},
		{"metal and oxide", head + `"payables": [` + ndpr + `, ` + ndMetal + `]}`, "/payables/1/element", "Nd (as Nd2O3) is paid twice"},
		{"basket and payable", head + `"payables": [` + nd + `], ` + basket + `}`, "/basket/oxides/1/oxide", "Nd2O3 is paid twice: payable /payables/0"},
		{"TREO payable beside a basket", head + `"payables": [{"element": "TREO", "grade_unit": "%", "payable_pct": 30, "price": {"series": "T", "unit": "USD/kg"}}], ` + basket + `}`, "/basket/oxides/0/oxide", "paid twice"},
		{"unknown element", head + `"payables": [{"element": "Xx", "grade_unit": "%", "payable_pct": 90, "price": {"series": "X", "unit": "USD/kg"}}]}`, "/payables/0/element", `"Xx"`},
		{"unknown penalty analyte", head + `"payables": [` + ndpr + `], "penalties": [{"analyte": "Zz", "threshold": 0.1, "step": 0.1, "rate": 1, "unit": "%"}]}`, "/penalties/0/analyte", `"Zz"`},
		{"unknown analyte", head + `"payables": [{"element": "NdPr", "analytes": ["Nd2O3", "Qq2O3"], "grade_unit": "%", "payable_pct": 90, "price": {"series": "X", "unit": "USD/kg"}}]}`, "/payables/0/analytes/1", `"Qq2O3"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := commercial.ParseTermSheet([]byte(tc.body))
			if !hasField(err, tc.field) {
				t.Fatalf("err = %v, want EINVALID naming %s", err, tc.field)
			}
			if !strings.Contains(err.Error(), tc.says) && !fieldSays(err, tc.field, tc.says) {
				t.Errorf("err = %v, want it to say %q", err, tc.says)
			}
		})
	}
	// Each oxide once, in separate payables or the basket alone, is fine.
	for _, ok := range []string{
		head + `"payables": [` + ndpr + `]}`,
		head + basket + `}`,
		head + `"payables": [` + nd + `, {"element": "Pr", "analytes": ["Pr6O11"], "grade_unit": "%", "payable_pct": 100, "price": {"series": "PR", "unit": "USD/kg"}}]}`,
	} {
		if _, err := commercial.ParseTermSheet([]byte(ok)); err != nil {
			t.Errorf("refused a sheet paying each oxide once: %v", err)
		}
	}
}

// fieldSays reports whether the error's field at pointer gives a reason
// containing s.
func fieldSays(err error, pointer, s string) bool {
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == pointer && strings.Contains(f.Reason, s) {
			return true
		}
	}
	return false
}
