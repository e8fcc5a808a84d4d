package ledger_test

import (
	"slices"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// legNames names legs by their event (a packing leg "pack <container>"),
// FromLot as "lot".
func legNames(g ledger.HoldingLegs, idx []int) []string {
	var out []string
	for _, i := range idx {
		switch {
		case i == ledger.FromLot:
			out = append(out, "lot")
		case g.Legs[i].Container != "":
			out = append(out, "pack "+g.Legs[i].Container)
		default:
			out = append(out, g.Legs[i].EventID)
		}
	}
	return out
}

// legOf is the index of the leg of event eid (a shipping leg), -2 when
// there is none.
func legOf(g ledger.HoldingLegs, eid string) int {
	for i, l := range g.Legs {
		if l.EventID == eid && l.Container == "" {
			return i
		}
	}
	return -2
}

// TestRunLegsFollowTheHoldingTaken (issue 15, fix15r: the genealogy drew
// every voyage of a lot into its run). Lot A, 30 t at mine M:
//   - t1 (day 2) ships 12 t to port K under B/L T1, received there for
//     party U (r1); t2 (day 3) ships 5 t to K under T2, received for S
//     (r2): two parts on two voyages;
//   - pk (day 6) packs 8 t of A into container C at K, naming no party:
//     it concerns both parts there (U's and S's), one packing leg each;
//   - s1 (day 7) ships container C and 6 t of A from K to Houston H
//     under S1, naming U as its source owning_party: an onward part of
//     U's part (T1's), after U's packing leg; received at H (r3);
//   - rl (day 9) ships from H to refinery R under R1 stating no
//     quantity: what stands at H (the 6 t), received at R (r4);
//   - d3 (day 9) ships 3 t straight from M to R under D3, received (r5);
//   - run (day 11) at R takes 9 t: the 6 t part (R1's) and the 3 t part
//     (D3's), first in first out;
//   - s2 (day 12) ships 5 t from K to H under S2: after the run;
//   - mrun (day 13) at M takes 2 t of the body, which never moved.
//
// What the run took came by T1 → pack C → S1 → R1 and by D3: Fed[run] =
// {R1, D3}; the legs reaching it are T1, the packing of T1's part, S1,
// R1 and D3, each after the one before. T2 (S's 5 t, which stayed at K),
// S's packing leg and S2 (shipped after the run) do not reach it. The
// mine's run was fed by no leg (FromLot).
func TestRunLegsFollowTheHoldingTaken(t *testing.T) {
	t.Parallel()
	const id, mine, port, hou, ref = "urn:lot:A", "urn:site:M", "urn:site:K", "urn:site:H", "urn:site:R"
	u := critmin.SourceDest{Type: "owning_party", ID: "urn:party:U"}
	s := critmin.SourceDest{Type: "owning_party", ID: "urn:party:S"}
	pack := &critmin.Event{EventID: "pk", Type: critmin.AggregationEvent, Action: "ADD", BizStep: "packing", EventTime: at(6), BizLocation: port,
		ParentID: "urn:c:C", Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: id, Quantity: kg(8000), UOM: "KGM"}}}
	s1 := partyEv(id, "s1", 7, "shipping", port, hou, "S1", 6000)
	s1.EPCs = []critmin.EPCRef{{Role: critmin.RoleEPC, EPC: "urn:c:C"}}
	s1.Sources = []critmin.SourceDest{u}
	run := func(eid string, day int, loc string, kgs float64) *critmin.Event {
		return &critmin.Event{EventID: eid, Type: critmin.TransformationEvent, EventTime: at(day), BizLocation: loc,
			Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(kgs), UOM: "KGM"}, {Role: critmin.RoleOutput, EPCClass: "urn:lot:P" + eid, Quantity: kg(100), UOM: "KGM"}}}
	}
	evs := []*critmin.Event{partyCommission(id, mine, 30000, "urn:party:F"),
		partyEv(id, "t1", 2, "shipping", mine, port, "T1", 12000), partyEv(id, "t2", 3, "shipping", mine, port, "T2", 5000),
		partyEv(id, "r1", 4, "receiving", port, "", "T1", 12000, u), partyEv(id, "r2", 5, "receiving", port, "", "T2", 5000, s),
		pack, s1, partyEv(id, "r3", 8, "receiving", hou, "", "S1", 6000),
		partyEv(id, "rl", 9, "shipping", hou, ref, "R1", 0), partyEv(id, "d3", 9, "shipping", mine, ref, "D3", 3000),
		partyEv(id, "r4", 10, "receiving", ref, "", "R1", 6000), partyEv(id, "r5", 10, "receiving", ref, "", "D3", 3000),
		run("run", 11, ref, 9000), partyEv(id, "s2", 12, "shipping", port, hou, "S2", 5000), run("mrun", 13, mine, 2000)}
	// The ledger's own view: the run took of the R1 and D3 parts.
	lots, _ := ledger.Replay([]string{id}, evs)
	sc, ok := ledger.RunInputScopes(lots[id], "run")
	if !ok || len(sc) != 2 || sc[0].ShipEventID != "rl" || sc[1].ShipEventID != "d3" {
		t.Fatalf("run input scopes %+v, want the parts of rl and d3", sc)
	}

	g := ledger.LotLegs(id, evs)
	if got := legNames(g, g.Fed["run"]); !slices.Equal(got, []string{"rl", "d3"}) {
		t.Errorf("run fed by %v, want [rl d3]", got)
	}
	if got := legNames(g, g.Reaching("run")); !slices.Equal(got, []string{"t1", "pack urn:c:C", "s1", "rl", "d3"}) {
		t.Errorf("legs reaching the run %v, want [t1 pack urn:c:C s1 rl d3]", got)
	}
	before := func(eid string) []string { return legNames(g, g.Legs[legOf(g, eid)].Before) }
	for eid, want := range map[string][]string{"t1": {"lot"}, "s1": {"pack urn:c:C"}, "rl": {"s1"}, "d3": {"lot"}, "t2": {"lot"}} {
		if got := before(eid); !slices.Equal(got, want) {
			t.Errorf("leg %s comes after %v, want %v", eid, got, want)
		}
	}
	// U's packing leg follows T1; S's follows T2.
	var packs []string
	for _, l := range g.Legs {
		if l.Container != "" {
			packs = append(packs, legNames(g, l.Before)...)
		}
	}
	if !slices.Equal(packs, []string{"t1", "t2"}) {
		t.Errorf("packing legs after %v, want one after t1 and one after t2", packs)
	}
	if legOf(g, "s2") < 0 || legOf(g, "t2") < 0 {
		t.Errorf("legs %+v: s2 and t2 are legs of the lot's holdings too", g.Legs)
	}
	if got := legNames(g, g.Fed["mrun"]); !slices.Equal(got, []string{"lot"}) {
		t.Errorf("the mine's run fed by %v, want [lot]: its body never moved", got)
	}
	if r := g.Reaching("mrun"); len(r) != 0 {
		t.Errorf("legs reaching the mine's run %v, want none", legNames(g, r))
	}
}

// TestRunLegsContainerVoyage (issue 15, fix15r): a lot packed whole into
// container C2 at mine M (day 2); the vessel's shipping event (v, day 3)
// names the container only, no quantity of the lot, and so does a second
// vessel's (w, day 4: transhipped); the lot is received at refinery R
// (day 5, its own line) and a run there takes it (day 6). The run was
// fed by w, after v, after the packing, after the lot: lot → pack C2 → v
// → w → run (w does not go back to the packing).
func TestRunLegsContainerVoyage(t *testing.T) {
	t.Parallel()
	const id, mine, ref = "urn:lot:B", "urn:site:M", "urn:site:R"
	pack := &critmin.Event{EventID: "pk", Type: critmin.AggregationEvent, Action: "ADD", BizStep: "packing", EventTime: at(2), BizLocation: mine,
		ParentID: "urn:c:C2", Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: id, Quantity: kg(10000), UOM: "KGM"}}}
	v := &critmin.Event{EventID: "v", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit", EventTime: at(3), BizLocation: mine,
		EPCs: []critmin.EPCRef{{Role: critmin.RoleEPC, EPC: "urn:c:C2"}}, BizTransactions: []critmin.BizTransaction{{Type: "bol", ID: "V"}}}
	w := &critmin.Event{EventID: "w", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit", EventTime: at(4), BizLocation: "urn:site:K",
		EPCs: []critmin.EPCRef{{Role: critmin.RoleEPC, EPC: "urn:c:C2"}}, BizTransactions: []critmin.BizTransaction{{Type: "bol", ID: "W"}}}
	run := &critmin.Event{EventID: "run", Type: critmin.TransformationEvent, EventTime: at(6), BizLocation: ref,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id}, {Role: critmin.RoleOutput, EPCClass: "urn:lot:PB", Quantity: kg(100), UOM: "KGM"}}}
	g := ledger.LotLegs(id, []*critmin.Event{noBodyCommission(id, mine, 10000), pack, v, w, noBodyEv(id, "r", 5, "receiving", ref, "", "W", kg(10000)), run})
	if got := legNames(g, g.Reaching("run")); !slices.Equal(got, []string{"pack urn:c:C2", "v", "w"}) {
		t.Fatalf("legs reaching the run %v, want [pack urn:c:C2 v w]", got)
	}
	if got := legNames(g, g.Fed["run"]); !slices.Equal(got, []string{"w"}) {
		t.Errorf("run fed by %v, want [w]", got)
	}
	if got := legNames(g, g.Legs[legOf(g, "w")].Before); !slices.Equal(got, []string{"v"}) {
		t.Errorf("leg w after %v, want [v]", got)
	}
	if i := legOf(g, "v"); g.Legs[i].BillOfLading != "V" || !slices.Equal(legNames(g, g.Legs[i].Before), []string{"pack urn:c:C2"}) {
		t.Errorf("leg v %+v, want B/L V after the packing", g.Legs[i])
	}
	if got := legNames(g, g.Legs[0].Before); !slices.Equal(got, []string{"lot"}) {
		t.Errorf("packing after %v, want the lot itself", got)
	}
}
