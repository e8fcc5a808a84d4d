package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// fix15zeLot is the new-user check's lot C1 (nu15g item 5) as the
// forms record it, on fix15qLot: NUB-3 (s3), 6 t shipped from Karachi
// (K) naming USSM as its source owning_party, names the carrier as its
// destination possessing_party (the Ship form's carrier); it is received
// at Houston (H), 5,990 kg, by the smelter (destination owning_party and
// possessing_party, the Receive form's). Events in declared are left
// out.
func fix15zeLot(declared ...string) []*critmin.Event {
	const id = "urn:lot:NU-B1"
	var evs []*critmin.Event
	for _, e := range fix15qLot(true) {
		if e.EventID == "s3" {
			e.Destinations = append(e.Destinations, critmin.SourceDest{Type: "possessing_party", ID: "urn:party:carrier"})
		}
		evs = append(evs, e)
	}
	r3 := noBodyEv(id, "r3", 7, "receiving", "urn:site:H", "", "NUB-3", kg(5990))
	r3.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:smelter"}, {Type: "possessing_party", ID: "urn:party:smelter"}}
	evs = append(evs, r3)
	var out []*critmin.Event
	for _, e := range evs {
		if !slicesContains(declared, e.EventID) {
			out = append(out, e)
		}
	}
	return out
}

// TestRetractedReceiptLeavesTheDispatchParties (issue 15, fix15ze; nu15g
// item 5): lot C1 (fix15zeLot) with USSM's 12 t receipt at K (r1)
// declared in error. NUB-3 named USSM as its source owner: USSM holds
// nothing at K, so the part is flagged (fromRetracted) and counted
// nowhere; its receipt r3 receives nothing (EPCIS 2.0 §7.4.1.2: the
// part's parties stand as its dispatch left them). So the part's owner
// is USSM (the dispatch's source owning_party), its custodian the
// carrier (the dispatch's destination possessing_party: it names no
// source possessing_party) — not the smelter, whom only the receipt
// that receives nothing named (it read "owner Illustrative Arizona
// Smelter, custodian Illustrative Arizona Smelter as its dispatch names
// them"). DeclarationDependents of r1 names NUB-3 from USSM's holding
// (the preview read the smelter's), 6 t from K.
func TestRetractedReceiptLeavesTheDispatchParties(t *testing.T) {
	t.Parallel()
	const id = "urn:lot:NU-B1"
	l := projectAll(id, fix15zeLot("r1")...)
	p := fix15qPart(t, l, "s3")
	if !p.FromRetracted || p.Status != critmin.PartReceived || p.ReceiptEventID != "r3" {
		t.Fatalf("NUB-3 part %+v; want flagged fromRetracted, marked received by r3", p)
	}
	if o, c := l.PartOwners(p), l.PartCustodians(p); len(o) != 1 || o[0] != "urn:party:ussm" || len(c) != 1 || c[0] != "urn:party:carrier" {
		t.Errorf("NUB-3 part owners %v, custodians %v; want USSM (its dispatch's source owner), the carrier (its dispatch's destination possessing party)", o, c)
	}
	deps := ledger.DeclarationDependents(id, fix15zeLot(), "r1")
	var ship *ledger.Dependent
	for i := range deps {
		if deps[i].Kind == ledger.DependentShipment {
			ship = &deps[i]
		}
	}
	if ship == nil || ship.EventID != "s3" || len(ship.Owners) != 1 || ship.Owners[0] != "urn:party:ussm" || math.Abs(ship.Tonnes-6) > 1e-9 || ship.From != "urn:site:K" {
		t.Errorf("DeclarationDependents of r1: %+v; want NUB-3 (s3), 6 t from K, USSM's", deps)
	}
}
