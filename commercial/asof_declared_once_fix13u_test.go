package commercial_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// fix13u item 1: as of a day before an error declaration, the event it
// retracts counts once, and the declaration (the same eventID recorded
// again with an errorDeclaration) is no event. The demo copper lot's
// receipt urn:critmin:demo:event:017 (59 000 kg, 2025-10-04 10:00 −05:00)
// is declared in error on 2025-10-05 09:00 −05:00 and corrected by
// corr-001 (59 900 kg, dated like it). As of 2025-10-04 the declaration
// is not yet made, so the lot was received in 2 parts:
//
//	59 t (017) + 59.9 t (corr-001) = 118.9 wmt
//
// Before the fix the declaration counted as a third part (59 + 59 + 59.9
// = 177.9 wmt "received in 3 parts"). As of 2025-10-06 017 is retracted
// and the discharge is corr-001 alone: 59.9 wmt.
func TestAsOfCountsDeclaredEventOnce(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	contract := commercial.DemoContractFor[commercial.DemoCopperLot]
	v, _, err := s.ValueAsOf(ctx, contract, commercial.DemoCopperLot, asOfDay(t, "2025-10-04").Add(24*60*60*1e9-1))
	if err != nil {
		t.Fatal(err)
	}
	dis := v.Facts.Discharge
	if dis == nil {
		t.Fatal("as of 2025-10-04: no discharge weighing")
	}
	eq(t, "discharge wmt as of 2025-10-04", dis.WMT, "118.9")
	if len(dis.Parts) != 2 {
		t.Fatalf("as of 2025-10-04: %d parts %+v, want 2 (017 and corr-001)", len(dis.Parts), dis.Parts)
	}
	seen := map[string]bool{}
	for _, p := range dis.Parts {
		if seen[p.EventID] {
			t.Errorf("event %s counted twice as a part", p.EventID)
		}
		seen[p.EventID] = true
	}
	v, _, err = s.ValueAsOf(ctx, contract, commercial.DemoCopperLot, asOfDay(t, "2025-10-06"))
	if err != nil {
		t.Fatal(err)
	}
	if dis = v.Facts.Discharge; dis == nil {
		t.Fatal("as of 2025-10-06: no discharge weighing")
	}
	eq(t, "discharge wmt as of 2025-10-06", dis.WMT, "59.9")
}
