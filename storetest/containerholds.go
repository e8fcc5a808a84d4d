package storetest

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// testContainerHoldsAsFed (new-user check n8e-7): a store reads what a
// container holds now by the rule capture gives a run fed it whole
// (critmin.ContainerHoldingsStore), so that the container page shows
// what the ledger counts.
//
//	A (Pakistan, 10,000 kg) and B (China, 6,000 kg) at mb; on Oct 2,
//	6,000 kg of A and 4,000 kg of B packed into C (A 4 t loose, B 2 t
//	loose). C holds A 6 t + B 4 t.
//	Run R1 (Oct 3) takes "A 7,000 kg" by line: A's loose 4 t first,
//	then 7 − 4 = 3 t out of C, which holds A 6 − 3 = 3 t + B 4 t
//	(PackedIn's replay agrees here).
//	Run R2 (Oct 5) fed C whole takes A 3 t + B 4 t and empties C: it
//	holds nothing (PackedIn read B 4 − 2 = 2 t: the feed of B's 4 t
//	taken as B's loose 2 t first, then 2 t out of C; n8e s1).
func testContainerHoldsAsFed(t *testing.T, open Opener) {
	s := open(t)
	cs, ok := s.(critmin.ContainerHoldingsStore)
	if !ok {
		t.Fatal("the store does not read what a container holds (critmin.ContainerHoldingsStore)")
	}
	const box = "urn:epc:id:sscc:0614141.3300000001"
	holds := func(when string, want map[string]float64) {
		t.Helper()
		got, err := cs.ContainerHolds(context.Background(), box)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		have := map[string]float64{}
		for _, q := range got {
			if q.Quantity == nil {
				t.Errorf("%s: line of %s without a quantity", when, q.EPCClass)
				continue
			}
			w, err := units.ToTonnes(*q.Quantity, q.UOM)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			have[epcis.Canonical(q.EPCClass)] += w
		}
		if len(have) != len(want) {
			t.Errorf("%s: C holds %v; want %v", when, have, want)
			return
		}
		for lot, w := range want {
			if !ctNear(have["urn:t:lot:"+lot], w) {
				t.Errorf("%s: C holds %v; want %v", when, have, want)
				return
			}
		}
	}
	cfaCapture(t, s, "lots and packing", ctDoc(cfLot("A", "PAK", 10000, "Nd:10"), cfLot("B", "CHN", 6000, "Nd:5"),
		ctPack("pk", "ADD", box, 2, "A:6000", "B:4000")))
	holds("packed", map[string]float64{"A": 6, "B": 4})
	cfaCapture(t, s, "R1 by line", ctDoc(cfRun("R1", 3, nil, []string{"A:7000"}, "O1", 100)))
	holds("after R1's line of A 7 t", map[string]float64{"A": 3, "B": 4})
	cfaCapture(t, s, "R2 fed C whole", ctDoc(cfRun("R2", 5, []string{box}, nil, "O2", 100)))
	cfaTaken(t, s, "after R2", "A", 10)
	cfaTaken(t, s, "after R2", "B", 4)
	holds("after R2 fed it whole", map[string]float64{})
}
