package epcis_test

import (
	"strings"
	"testing"
)

// TestOverLimitQuantityEchoReadable (issue 15, fix15zi): a quantity over
// the limit was quoted as "100000000000000000000 is over the limit" (a
// bare run of 21 digits) and one written out in 301 digits as Go's
// "1e+300", which the person did not write. A plain numeral is quoted
// with its thousands grouped (10^20 = 100,000,000,000,000,000,000); a
// long one as a power of ten, 1 × 10³⁰⁰; one written with an exponent as
// written ("1e300"). The mass case is the same: 10^20 kg is over the
// 10^12 kg limit.
func TestOverLimitQuantityEchoReadable(t *testing.T) {
	long := "1" + strings.Repeat("0", 300)
	for _, c := range []struct{ qty, uom, want string }{
		{"100000000000000000000", "P1", "/epcisBody/eventList/0/quantityList/0/quantity: 100,000,000,000,000,000,000 is over the limit of"},
		{long, "P1", "/epcisBody/eventList/0/quantityList/0/quantity: 1 × 10³⁰⁰ is over the limit of"},
		{"1e300", "P1", "/epcisBody/eventList/0/quantityList/0/quantity: 1e300 is over the limit of"},
		{long, "KGM", "/epcisBody/eventList/0/quantityList/0/quantity: 1 × 10³⁰⁰ KGM is over the mass limit"},
		{"100000000000000000000", "KGM", "/epcisBody/eventList/0/quantityList/0/quantity: 100,000,000,000,000,000,000 KGM is over the mass limit"},
	} {
		got := decodeErr(t, oneEvent(`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": `+c.qty+`, "uom": "`+c.uom+`"}]`))
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%.30s %s:\n got %q\nwant %q…", c.qty, c.uom, got, c.want)
		}
	}
}
