package custody_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestDeclarationBoundsAccepted (nuq9): the bounds' edges are accepted —
// a factor of exactly critmin.MinConversionFactor (0.001) and 1, a
// leap-year period of 366 days (2024-01-01 to 2025-01-01), and a gap
// between periods when no credit carries forward (carryForward 0: each
// period's balance stands alone, the gap's input is listed outside any
// period, fixKk) — and their neighbours refused at the member.
func TestDeclarationBoundsAccepted(t *testing.T) {
	ok := func() *critmin.MassBalanceDeclaration {
		d := declaration("urn:t:site:mb")
		d.Categories[0].ConversionFactor = critmin.MinConversionFactor
		d.Categories[1].ConversionFactor = 1
		d.Periods = []critmin.ClaimPeriod{{ID: "2024", From: "2024-01-01", To: "2025-01-01"}}
		return d
	}
	if err := custody.ValidateDeclaration(ok()); err != nil {
		t.Errorf("factor 0.001, factor 1, a 366-day period: %v", err)
	}
	gap := ok()
	gap.CarryForward = 0
	gap.Periods = append(gap.Periods, critmin.ClaimPeriod{ID: "2025-03", From: "2025-03-01", To: "2025-04-01"})
	if err := custody.ValidateDeclaration(gap); err != nil {
		t.Errorf("a gap with carryForward 0: %v", err)
	}
	for _, c := range []struct {
		name    string
		edit    func(d *critmin.MassBalanceDeclaration)
		pointer string
	}{
		{"factor just under 0.001", func(d *critmin.MassBalanceDeclaration) { d.Categories[0].ConversionFactor = 0.000999 }, "/categories/0/conversionFactor"},
		{"a gap with carryForward 1", func(d *critmin.MassBalanceDeclaration) {
			d.CarryForward = 1
			d.Periods = append(d.Periods, critmin.ClaimPeriod{ID: "2025-03", From: "2025-03-01", To: "2025-04-01"})
		}, "/periods/1/from"},
		{"a gap in a rolling-average window", func(d *critmin.MassBalanceDeclaration) {
			d.Method, d.CarryForward = critmin.MassBalanceRollingAverage, 2
			d.Periods = append(d.Periods, critmin.ClaimPeriod{ID: "2025-03", From: "2025-03-01", To: "2025-04-01"})
		}, "/periods/1/from"},
	} {
		d := ok()
		c.edit(d)
		err := custody.ValidateDeclaration(d)
		var fe []critmin.FieldError
		if e, isErr := err.(*critmin.Error); isErr {
			fe = e.Fields
		}
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fe) != 1 || fe[0].Pointer != c.pointer {
			t.Errorf("%s: %v (%+v), want one EINVALID at %s", c.name, err, fe, c.pointer)
		}
	}
}
