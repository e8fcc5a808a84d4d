package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// A term sheet is checked for completeness when the contract is created,
// not when its final invoice is due (issue 13's new-user check: a sheet
// without an Ag splitting limit was accepted, invoiced provisionally, and
// then could neither settle nor be changed). Each case changes one field of
// testdata/cu-conc.json and must be refused naming it.
func TestTermSheetCompleteness(t *testing.T) {
	base := mustFile(t, "testdata/cu-conc.json")
	for _, c := range []struct{ name, from, to, field string }{
		{"no Ag splitting limit (payable)", `{"analyte": "Ag", "limit": 5, "unit": "g/t"}`, `{"analyte": "Agx", "limit": 5, "unit": "g/t"}`, "/assay_exchange/limits"},
		{"no As splitting limit (penalty)", `{"analyte": "As", "limit": 0.03, "unit": "%"}`, `{"analyte": "Asx", "limit": 0.03, "unit": "%"}`, "/assay_exchange/limits"},
		{"limit in an unknown unit", `{"analyte": "As", "limit": 0.03, "unit": "%"}`, `{"analyte": "As", "limit": 0.03, "unit": "lb"}`, "/assay_exchange/limits/3/unit"},
		{"buyer is the seller", `"urn:critmin:party:buyer"`, `"urn:critmin:party:seller"`, "/buyer"},
		{"unknown commodity", `"copper_concentrate"`, `"coper_concentrate"`, "/commodity"},
		{"bad id", `"id": "`, `"id": "a b/`, "/id"},
	} {
		body := strings.Replace(base, c.from, c.to, 1)
		if body == base {
			t.Fatalf("%s: %q not in the test file", c.name, c.from)
		}
		_, err := commercial.ParseTermSheet([]byte(body))
		if !hasField(err, c.field) {
			t.Errorf("%s: err = %v, want one naming %s", c.name, err, c.field)
		}
	}
	// The unchanged sheet passes (the cases above fail for their change).
	if _, err := commercial.ParseTermSheet([]byte(base)); err != nil {
		t.Fatal(err)
	}
}

// A stored contract's price series must exist, in the unit the contract
// prices in: FWO-USSM-CU-2025 pays Cu on DEMO-LME-CU in USD/t. Saved
// before the prices are imported it is refused naming
// /payables/0/price/series; quoted in another unit, /payables/0/price/unit.
func TestContractSeriesChecked(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	body := mustFile(t, "demo/cu-2025.json")
	noSeries := strings.Replace(body, `"FWO-USSM-CU-2025"`, `"CU-NOSERIES"`, 1)
	noSeries = strings.Replace(noSeries, `"DEMO-LME-CU"`, `"DEMO-LME-CUX"`, 1)
	if _, err := s.SaveContract(ctx, []byte(noSeries)); !hasField(err, "/payables/0/price/series") {
		t.Errorf("unknown series: err = %v", err)
	}
	ps, err := s.PriceSeries(ctx, "DEMO-LME-CU")
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(body, `"FWO-USSM-CU-2025"`, `"CU-OTHERUNIT"`, 1)
	other = strings.Replace(other, `"`+ps.Unit+`"`, `"USD/lb"`, 1)
	// The TC basis (basis_unit, required with basis_price) in the same
	// unit, so that the stored series' unit is what refuses the sheet.
	other = strings.Replace(other, `"basis_unit": "USD/t"`, `"basis_unit": "USD/lb"`, 1)
	if other == strings.Replace(body, `"FWO-USSM-CU-2025"`, `"CU-OTHERUNIT"`, 1) {
		t.Fatalf("unit %q not in demo/cu-2025.json", ps.Unit)
	}
	if _, err := s.SaveContract(ctx, []byte(other)); !hasField(err, "/payables/0/price/unit") {
		t.Errorf("series in %s, contract in USD/lb: err = %v", ps.Unit, err)
	}
	if _, err := s.Contract(ctx, "CU-NOSERIES"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("a refused contract was stored: %v", err)
	}
}
