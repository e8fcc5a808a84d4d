package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestBodyDoesNotTakeOverPartOfOtherParty (issue 15, fix15c3 item 3):
// a receipt's owning_party and possessing_party concern what it received
// (CBV 2.0 §7.5). Lot L1, 30 t at MINE owned and held by FWO; B/L A ships
// 10 t to HOU, B/L B the rest with no quantity (20 t). A is received at
// HOU at 9,900 kg naming owner BUY1; then B at 18,900 kg naming owner
// BUY2. The body (18.9 t, BUY2's) comes to the site of the BUY1 part:
// the parties differ, so the part does not rejoin (it read one 28.8 t
// entry owned by BUY2). standsAt lists HOU 18.9 + 9.9 = 28.8 t with
// each party's holding: BUY2 18.9 t (the body), BUY1 9.9 t (the part);
// custody is not named by either receipt: FWO holds both, so the
// custodian list is FWO alone.
func TestBodyDoesNotTakeOverPartOfOtherParty(t *testing.T) {
	t.Parallel()
	const id, mine, hou = "urn:lot:L1", "urn:site:MINE", "urn:site:HOU"
	const fwo, buy1, buy2 = "urn:party:FWO", "urn:party:BUY1", "urn:party:BUY2"
	commission := partyCommission(id, mine, 30000, fwo)
	evs := []*critmin.Event{commission,
		partyEv(id, "sa", 2, "shipping", mine, hou, "A", 10000),
		partyEv(id, "sb", 3, "shipping", mine, hou, "B", 0),
		partyEv(id, "ra", 5, "receiving", hou, "", "A", 9900, critmin.SourceDest{Type: "owning_party", ID: buy1}),
		partyEv(id, "rb", 6, "receiving", hou, "", "B", 18900, critmin.SourceDest{Type: "owning_party", ID: buy2})}
	lots, _ := ledger.Replay([]string{id}, evs)
	l := lots[id]
	if len(l.Parts) != 1 || l.Parts[0].Status != critmin.PartReceived || l.PartOwner(l.Parts[0]) != buy1 {
		t.Fatalf("parts %+v; want the A part received, BUY1's (not rejoined into BUY2's body)", l.Parts)
	}
	if l.Owner != buy2 || l.Custodian != fwo || math.Abs(l.WetTonnes-28.8) > 1e-9 {
		t.Fatalf("lot owner %q custodian %q, %v t; want BUY2 (the body's), FWO, 18.9 + 9.9 = 28.8 t", l.Owner, l.Custodian, l.WetTonnes)
	}
	st := ledger.StandsAt(l)
	if len(st) != 1 || st[0].Site != hou || math.Abs(st[0].WetTonnes-28.8) > 1e-9 || !st[0].Body || st[0].Owner != buy2+", "+buy1 || st[0].Custodian != fwo {
		t.Fatalf("standsAt %+v; want HOU 28.8 t, body, owners BUY2, BUY1, custodian FWO", st)
	}
	h := st[0].Holdings
	if len(h) != 2 || h[0].Owner != buy2 || math.Abs(h[0].WetTonnes-18.9) > 1e-9 || h[1].Owner != buy1 || math.Abs(h[1].WetTonnes-9.9) > 1e-9 || h[1].Custodian != fwo {
		t.Fatalf("holdings at HOU %+v; want BUY2 18.9 t, BUY1 9.9 t (held by FWO)", h)
	}
	// Once BUY1 buys the body too (an event at HOU naming BUY1 owner),
	// the parties agree and the part rejoins: one holding, 28.8 t.
	evs = append(evs, &critmin.Event{EventID: "sale", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "holding", EventTime: at(8), BizLocation: hou,
		Quantities:   []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: id}},
		Destinations: []critmin.SourceDest{{Type: "owning_party", ID: buy1}}})
	lots, _ = ledger.Replay([]string{id}, evs)
	l = lots[id]
	if st := ledger.StandsAt(l); len(l.Parts) != 1 || l.Parts[0].Status != critmin.PartRejoined || len(st) != 1 || len(st[0].Holdings) != 1 || st[0].Owner != buy1 || math.Abs(st[0].WetTonnes-28.8) > 1e-9 {
		t.Fatalf("after the body's sale to BUY1: parts %+v, standsAt %+v; want the part rejoined, HOU 28.8 t BUY1's", l.Parts, st)
	}
}
