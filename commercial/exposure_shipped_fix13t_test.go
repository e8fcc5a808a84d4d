package commercial_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// fix13t item 5: a lot shipped under a contract (B/L of 2 Sep 2025) with
// no provisional invoice yet is priced exposure all the same, marked not
// yet invoiced. Lot EXP-SHIP: 100 wmt at 9 % = 91 dmt, Cu 24 %, Au 4 g/t,
// under the demo copper contract (the only one that can invoice it):
//
//	Cu payable min(96.5 % × 24, 24 − 1) = 23 %: 0.23 × 91 t = 20.93 t = 20 930 kg
//	Au payable min(90 % × 4, 4 − 1) = 3 g/t: 3 × 91 = 273 g = 0.273 kg
//
// Before the fix the exposure listed invoiced lots only: this lot was
// left out.
func TestExposureIncludesShippedNotInvoiced(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:EXP-SHIP"
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	ex, err := s.Exposure(ctx, asOfDay(t, "2025-11-03"), "")
	if err != nil {
		t.Fatal(err)
	}
	var got *commercial.ExposureLot
	for i := range ex.Lots {
		if ex.Lots[i].Lot == lot {
			got = &ex.Lots[i]
		}
	}
	if got == nil {
		t.Fatalf("lot %s shipped under %s, not invoiced: not in the exposure", lot, commercial.DemoContractFor[commercial.DemoCopperLot])
	}
	if !got.NotInvoiced || got.NotValued != "" || got.Contract != commercial.DemoContractFor[commercial.DemoCopperLot] {
		t.Errorf("lot %+v, want not invoiced, valued, under the demo copper contract", got)
	}
	eq(t, "dmt", got.DMT, "91")
	eq(t, "Cu payable kg", got.Payable["Cu"], "20930")
	eq(t, "Au payable kg", got.Payable["Au"], "0.273")
	// Before its B/L the lot was not shipped: not exposure.
	ex, err = s.Exposure(ctx, asOfDay(t, "2025-09-01"), "")
	if err == nil {
		for _, l := range ex.Lots {
			if l.Lot == lot {
				t.Errorf("as of 2025-09-01, before its B/L, the lot is exposure: %+v", l)
			}
		}
	}
}
