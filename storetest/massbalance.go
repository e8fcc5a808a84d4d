package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testMassBalance stores a site's mass-balance declaration, reads it back
// whole as version 1, stores a second version beside it (the first is
// kept, unchanged), and finds nothing for another site.
func testMassBalance(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if _, err := s.FindMassBalance(ctx, "urn:t:site:mb"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("fresh store: %v, want ENOTFOUND", err)
	}
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", Method: critmin.MassBalanceCredit, CarryForward: 2,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.92}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}},
		DeclaredAt: time.Date(2025, 9, 30, 12, 0, 0, 0, time.UTC)}
	if err := s.SaveMassBalance(ctx, d); err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 {
		t.Errorf("first declaration is version %d, want 1", d.Version)
	}
	got, err := s.FindMassBalance(ctx, d.Site)
	if err != nil || !reflect.DeepEqual(got, d) {
		t.Fatalf("read back %+v, %v; want %+v", got, err, d)
	}
	d2 := *d
	d2.Method, d2.CarryForward, d2.EffectiveFrom = critmin.MassBalanceRollingAverage, 0, "2025-11-01"
	if err := s.SaveMassBalance(ctx, &d2); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindMassBalance(ctx, d.Site); err != nil || got.Version != 2 || got.Method != critmin.MassBalanceRollingAverage || got.CarryForward != 0 || got.EffectiveFrom != "2025-11-01" {
		t.Errorf("latest declaration %+v, %v; want version 2", got, err)
	}
	vs, err := s.MassBalanceVersions(ctx, d.Site)
	if err != nil || len(vs) != 2 || !reflect.DeepEqual(vs[0], d) || vs[1].Version != 2 {
		t.Errorf("versions %+v, %v; want the first kept unchanged and the second", vs, err)
	}
	if _, err := s.MassBalanceVersions(ctx, "urn:t:site:other"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("versions of another site: %v", err)
	}
	if _, err := s.FindMassBalance(ctx, "urn:t:site:other"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("other site: %v", err)
	}
}
