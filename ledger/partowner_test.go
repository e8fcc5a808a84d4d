package ledger_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestPartOwnerAtReceipt (issue 15, fix15o): ownership and custody pass
// at the receipt for what was received (CBV 2.0 §7.5 source/destination
// types owning_party, possessing_party). Lot K9, 30 t at mine M owned
// and held by FWO. D1 ships 10 t to Houston (H), received there with
// destination owning_party USSM and possessing_party PORT: the part
// is USSM's, held by PORT; the 20 t body at M stays FWO's.
//   - standsAt: M 20 t (body) FWO/FWO; H 10 t (part) USSM/PORT;
//   - D2 ships 5 t of the body to H, received with no party named: that
//     part keeps the parties it left with (FWO, copied at its dispatch,
//     so a later change of the body's owner does not reach it), and H
//     reads both owners, in the order the parts were shipped;
//   - D3 ships 5 t from H (of the USSM part, first in first out, held
//     by PORT) back to M, received at M naming owner USSM: the receipt's
//     owner concerns the 5 t it received, not the body (CBV 2.0 §7.5),
//     so the part, USSM's and held by PORT, does not rejoin FWO's 15 t body
//     (issue 15, fix15c3; it rejoined and the body's 15 t became
//     USSM's): M holds 15 t FWO/FWO and 5 t USSM/PORT
//     (docs/identity.md, "Parts moved"); the D2 part at H stays FWO's.
func TestPartOwnerAtReceipt(t *testing.T) {
	t.Parallel()
	const id, mine, hou = "urn:lot:K9", "urn:site:M", "urn:site:H"
	const fwo, ussm, port = "urn:party:FWO", "urn:party:USSM", "urn:party:PORT"
	commission := partyCommission(id, mine, 30000, fwo)
	evs := []*critmin.Event{commission,
		partyEv(id, "d1", 2, "shipping", mine, hou, "D1", 10000),
		partyEv(id, "r1", 3, "receiving", hou, "", "D1", 10000, critmin.SourceDest{Type: "owning_party", ID: ussm}, critmin.SourceDest{Type: "possessing_party", ID: port})}
	lots, _ := ledger.Replay([]string{id}, evs)
	l := lots[id]
	if l.Owner != fwo || l.Custodian != fwo {
		t.Fatalf("lot owner %q custodian %q: want the body's, FWO", l.Owner, l.Custodian)
	}
	if p := l.Parts[0]; p.Owner != ussm || p.Custodian != port || l.PartOwner(p) != ussm || l.PartCustodian(p) != port {
		t.Fatalf("part %+v: want owner USSM, custodian PORT", p)
	}
	st := ledger.StandsAt(l)
	if len(st) != 2 || st[0].Owner != fwo || st[0].Custodian != fwo || st[1].Site != hou || st[1].Owner != ussm || st[1].Custodian != port {
		t.Fatalf("standsAt %+v: want M FWO/FWO, H USSM/PORT", st)
	}
	// D2: 5 t to H, received naming no party: the part keeps the lot's
	// (FWO), and H holds parts of two owners.
	evs = append(evs, partyEv(id, "d2", 4, "shipping", mine, hou, "D2", 5000), partyEv(id, "r2", 5, "receiving", hou, "", "D2", 5000))
	lots, _ = ledger.Replay([]string{id}, evs)
	l = lots[id]
	if p := l.Parts[1]; l.PartOwner(p) != fwo || l.PartCustodian(p) != fwo {
		t.Fatalf("part D2 %+v: owner %q; want FWO (none named at its receipt)", p, l.PartOwner(p))
	}
	if st := ledger.StandsAt(l); len(st) != 2 || st[1].Owner != ussm+", "+fwo || st[1].Custodian != port+", "+fwo {
		t.Fatalf("standsAt %+v: want H owned by USSM, FWO", st)
	}
	// D3: 5 t of the USSM part back to M, received there naming USSM as
	// owner: it stays apart from FWO's body.
	evs = append(evs, partyEv(id, "d3", 6, "shipping", hou, mine, "D3", 5000),
		partyEv(id, "r3", 7, "receiving", mine, "", "D3", 5000, critmin.SourceDest{Type: "owning_party", ID: ussm}))
	lots, _ = ledger.Replay([]string{id}, evs)
	l = lots[id]
	if p := l.Parts[2]; p.Status != critmin.PartReceived || p.Owner != ussm || p.Custodian != port || l.Owner != fwo || l.Custodian != fwo {
		t.Fatalf("after D3 received: part %+v, lot owner %q custodian %q; want received apart (USSM, PORT), the lot FWO, FWO", p, l.Owner, l.Custodian)
	}
	if st := ledger.StandsAt(l); len(st) < 1 || st[0].Site != mine || len(st[0].Holdings) != 2 || st[0].Holdings[0].Owner != fwo || st[0].Holdings[0].WetTonnes != 15 ||
		st[0].Holdings[1].Owner != ussm || st[0].Holdings[1].Custodian != port || st[0].Holdings[1].WetTonnes != 5 {
		t.Fatalf("standsAt %+v: want M holding FWO's 15 t (the body, 30 − 10 − 5) and USSM's 5 t", st)
	}
	if p := l.Parts[1]; l.PartOwner(p) != fwo {
		t.Fatalf("part D2 %+v reads owner %q after the body's changed; want FWO, its own", p, l.PartOwner(p))
	}
}
