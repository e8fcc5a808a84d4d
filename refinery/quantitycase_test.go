package refinery_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/refinery"
)

// TestQuantityMemberCaseRefused: a quantity object's member names are
// exact, as every other member of a problem is (jsonstrict.Check):
// "Value", "SD", "Fixed" or "VALUE" — which encoding/json took for value,
// sd and fixed — are refused naming the member and the field it is not,
// wherever the quantity sits (a stream's mass, a grade in the grade map,
// an inventory's stock) and through every reader (a problem file or API
// body, a ledger flowsheet); a repeated member is still refused.
func TestQuantityMemberCaseRefused(t *testing.T) {
	stream := func(mass, grade string) string {
		return `{"elements":["Cu"],"nodes":[{"id":"n","inventory":{"opening_t":{"value":10,"sd":1},"closing_t":{"value":10,"sd":1}}}],"streams":[
{"id":"feed","to":"n","mass_t":` + mass + `,"grade_pct":{"Cu":` + grade + `}},{"id":"out","from":"n","mass_t":{"value":99,"sd":2}}]}`
	}
	ok := `{"value":1,"sd":0.03}`
	for _, c := range []struct{ name, body, ptr, says string }{
		{"Value in a mass", stream(`{"Value":100,"sd":2}`, ok), "/streams/0/mass_t/Value", `the field is "value"`},
		{"SD in a mass", stream(`{"value":100,"SD":2}`, ok), "/streams/0/mass_t/SD", `the field is "sd"`},
		{"VALUE in a grade", stream(`{"value":100,"sd":2}`, `{"VALUE":1,"sd":0.03}`), "/streams/0/grade_pct/Cu/VALUE", `the field is "value"`},
		{"Fixed in a grade", stream(`{"value":100,"sd":2}`, `{"value":1,"Fixed":true}`), "/streams/0/grade_pct/Cu/Fixed", `the field is "fixed"`},
		{"Value in a stock", strings.Replace(stream(`{"value":100,"sd":2}`, ok), `"opening_t":{"value":10`, `"opening_t":{"Value":10`, 1), "/nodes/0/inventory/opening_t/Value", `the field is "value"`},
		{"value twice", stream(`{"value":100,"value":90,"sd":2}`, ok), "/streams/0/mass_t/value", "given twice"},
	} {
		_, err := refinery.DecodeProblem(strings.NewReader(c.body))
		assertField(t, err, c.ptr, c.says)
		_, err = refinery.DecodeProblemUnvalidated(strings.NewReader(c.body))
		assertField(t, err, c.ptr, c.says)
	}
	// The exact names are read.
	if _, err := refinery.DecodeProblem(strings.NewReader(stream(`{"value":100,"sd":2}`, ok))); err != nil {
		t.Fatalf("exact names: %v", err)
	}
	// A Quantity decoded on its own (not inside a problem) refuses the
	// case variant too, naming it.
	var q refinery.Quantity
	if err := json.Unmarshal([]byte(`{"Value":100,"sd":2}`), &q); err == nil || !strings.Contains(err.Error(), `"Value"`) {
		t.Errorf("json.Unmarshal into a Quantity: %v; want the case variant refused", err)
	}
}
