package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A declaration in error around a commissioned instance (a bag by
// SGTIN, commissioned with an ObjectEvent ADD and its own ILMD) reads
// it as material, as capture does (ledger.Holdings.Material, fixQx):
// the declaration checks of containers (fedRunsStranded,
// containerEventsStranded) read what a container holds by the same
// holdings (builder decl).

// testDeclaredPackingOfBag: the bag commissioned at mb on Oct 1 (PAK, no
// quantity), packed by childEPCs into C1 at mb on Oct 2, [C1] shipped
// mb → hou under B1 on Oct 3 and received at hou on Oct 4.
//   - "no run": declaring the packing in error is taken: C1 travelled
//     empty, the bag never left mb — in stock at mb, not at hou.
//   - "fed run": a run at hou on Oct 5 fed [C1] whole took the bag (the
//     bag consumed, a parent of OP-qd-run). Declaring the packing would
//     leave the run fed an empty C1 — the bag stood at mb — so it is
//     refused 409 naming urn:t:ev:qd-run, nothing stored; the bag stays
//     consumed.
func testDeclaredPackingOfBag(t *testing.T, open Opener) {
	const mb, hou, b1 = "urn:t:site:mb", "urn:t:site:hou", "urn:t:bol:B1"
	for _, fed := range []bool{false, true} {
		name := "no run"
		if fed {
			name = "fed run"
		}
		t.Run(name, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			pack := strings.Replace(cpPackAt("qd-pack", "ADD", cbC1, mb, 2), `"parentID": "`+cbC1+`"`, `"parentID": "`+cbC1+`", "childEPCs": ["`+qxBag+`"]`, 1)
			MustCapture(t, svc, ctDoc(qxBagAt("qd-bag", mb, "PAK"), pack))
			MustCapture(t, svc, ctDoc(saLeave("qd-ship", "shipping", b1, mb, "all", hou, 3, []string{cbC1})))
			MustCapture(t, svc, ctDoc(ctRecvAt("qd-recv", b1, hou, 4, []string{cbC1})))
			bag := canonID(t, s, qxBag)
			if l := mustLot(t, s, bag); l.Status != critmin.LotInStock || l.Location != hou {
				t.Fatalf("bag shipped in C1: %s at %s, want in stock at hou", l.Status, l.Location)
			}
			if fed {
				MustCapture(t, svc, ctDoc(cpRunAt("qd-run", hou, 5, []string{cbC1})))
				if l := mustLot(t, s, bag); l.Status != critmin.LotConsumed {
					t.Fatalf("bag in C1 fed whole: status %s, want consumed", l.Status)
				}
				refusedNaming(t, s, svc, "the bag's packing declared under the run", []string{ydDeclared(pack)}, "urn:t:ev:qd-run")
				if l := mustLot(t, s, bag); l.Status != critmin.LotConsumed {
					t.Errorf("after the refusal: bag %s, want consumed", l.Status)
				}
				if !qxBagEdge(t, s, "OP-qd-run") {
					t.Errorf("after the refusal: the bag is not a parent of OP-qd-run")
				}
			} else {
				MustCapture(t, svc, ctDoc(ydDeclared(pack)))
				if l := mustLot(t, s, bag); l.Status != critmin.LotInStock || l.Location != mb {
					t.Errorf("the bag's packing declared: %s at %s, want in stock at mb", l.Status, l.Location)
				}
			}
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}
