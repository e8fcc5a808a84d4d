package refinery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestConversionFactorNamesClosedMonthPassedOver (nu12 item 3, the mass
// balance's side): October is closed accounting Cu only. A category of
// Nd+Pr asks for October: RecoveryFor says ErrNotAccounted (ENOTFOUND),
// and ConversionFactor gives the declared 0.7 with a source that names
// the closed month — before, it answered ok false exactly as for a month
// never closed. A Cu category whose product no stream carries (commodity
// cu_cathode) gets the declared factor with the reason too. The Cu
// category of the conc (cu_conc) gets the measured factor: feed 100 t ×
// 1 % = 1 t, conc 8 t × 10 % = 0.8 t, about 0.816 after reconciliation.
func TestConversionFactorNamesClosedMonthPassedOver(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	site := "urn:critmin:test:site:flot"
	p := decode(t, `{"site":"`+site+`","period":"2025-10","elements":["Cu"],"nodes":[{"id":"flotation"}],"streams":[
   {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "kind": "product", "commodity": "cu_conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "kind": "residue", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`)
	if _, _, err := refinery.ClosePeriod(ctx, db, p, op, "", key, at); err != nil {
		t.Fatal(err)
	}
	_, err := refinery.RecoveryFor(ctx, db, site, "Nd+Pr", "2025-10")
	if !errors.Is(err, refinery.ErrNotAccounted) || critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("RecoveryFor Nd+Pr: %v, want ENOTFOUND wrapping ErrNotAccounted", err)
	}
	oct := critmin.ClaimPeriod{From: "2025-10-01", To: "2025-11-01"}
	cf := refinery.ConversionFactors{Store: db}
	for _, c := range []struct {
		cat  critmin.MaterialCategory
		want float64
		src  string
	}{
		{critmin.MaterialCategory{Elements: []string{"Nd", "Pr"}, Product: "ndpr_oxide", ConversionFactor: 0.7}, 0.7, "declared (element Nd is not accounted in closed period 2025-10"},
		{critmin.MaterialCategory{Elements: []string{"Cu"}, Product: "cu_cathode", ConversionFactor: 0.6}, 0.6, "declared (closed period 2025-10 of " + site + " has no product stream of commodity cu_cathode"},
		{critmin.MaterialCategory{Elements: []string{"Cu"}, Product: "cu_conc", ConversionFactor: 0.6}, 0.816, "refinery period 2025-10 close record"},
	} {
		f, src, ok, err := cf.ConversionFactor(ctx, site, c.cat, oct)
		if err != nil || !ok || !strings.HasPrefix(src, c.src) {
			t.Errorf("%v: %g %q %v %v, want source %q", c.cat.Elements, f, src, ok, err, c.src)
		}
		near(t, c.cat.Product, f, c.want, 0.02)
	}
	// A month never closed: the declared factor, no source (ok false).
	if _, _, ok, err := cf.ConversionFactor(ctx, site, critmin.MaterialCategory{Elements: []string{"Cu"}, Product: "cu_conc"}, critmin.ClaimPeriod{From: "2025-09-01", To: "2025-10-01"}); ok || err != nil {
		t.Errorf("open month: ok %v err %v", ok, err)
	}
}
