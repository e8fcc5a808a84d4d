package commercial_test

import (
	"context"
	"testing"
)

// TestOutturnIsNotCountedAgainAfterAnOnwardLeg: a lot received at the
// discharge port and then trucked on to the plant is weighed twice, but it
// was received once: the second receipt is the same material weighed
// again, not a second part of the outturn (docs/trade.md: parts are the
// receipts "before any onward shipment"). nu13c: a lot received at
// Houston (98 000 kg at 9 %), departing (CBV bizStep departing), then
// received at the plant (98 000 kg at 9 %) settled on 98 + 98 = 196 wmt.
// Demo copper terms, final at discharge: 98 × (1 − 9 %) = 89.18 dmt,
// 98 wmt — whether the onward leg is recorded with a departure or only
// as a receipt somewhere else.
func TestOutturnIsNotCountedAgainAfterAnOnwardLeg(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-ONWARD", func(m map[string]any) { delete(m, "assay_exchange") })
	at := func(ev map[string]any, site string) map[string]any {
		ev["bizLocation"] = map[string]any{"id": "urn:critmin:test:site:" + site}
		return ev
	}
	for _, c := range []struct {
		name, tag string
		departs   bool
	}{
		{"departing between the receipts", "d13hb001", true},
		{"received again elsewhere", "d13hb002", false},
	} {
		lot := "urn:critmin:test:lot:" + c.tag
		id := func(n string) string { return "urn:uuid:" + c.tag + "0000-4000-8000-00000000000" + n }
		later := []map[string]any{at(weighing(lot, id("3"), "receiving", "2025-10-04T10:00:00Z", 98000, 9), "houston")}
		if c.departs {
			later = append(later, at(weighing(lot, id("4"), "departing", "2025-10-06T10:00:00Z", 98000, 0), "houston"))
		}
		later = append(later, at(weighing(lot, id("5"), "receiving", "2025-10-08T10:00:00Z", 98000, 9), "plant"))
		outturnLot(t, s, lot, c.tag, later...)
		v, _, err := s.Value(ctx, "T-ONWARD", lot)
		if err != nil {
			t.Fatal(err)
		}
		if v.Final == nil {
			t.Fatalf("%s: no final settlement: %s", c.name, v.Missing)
		}
		eq(t, c.name+" wmt", v.Final.WMT, "98")
		eq(t, c.name+" dmt", v.Final.DMT, "89.18")
	}
}
