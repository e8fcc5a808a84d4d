package ledger_test

import (
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// fix15qLot is the new-user check's lot NU-B1 (issue 15, fix15q), as the
// forms record it: 30,000 kg commissioned at Loe Shilman (LS) for the
// miner at 8 % moisture; 12 t shipped LS→Karachi (K) under NUB-1 and
// received there, 12,000 kg, new owner USSM; 5 t shipped LS→K under
// NUB-2 and received, 5,000 kg, new owner the smelter (smelter false:
// left out); 6,000 kg shipped from K under NUB-3 naming USSM as its
// source owning_party. Events in declared are left out (declared in
// error: every projection ignores them, Replay).
func fix15qLot(smelter bool, declared ...string) []*critmin.Event {
	const id, ls, k = "urn:lot:NU-B1", "urn:site:LS", "urn:site:K"
	m := 0.08
	c := noBodyCommission(id, ls, 30000)
	c.Mineral.Moisture = &m
	c.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:miner"}}
	r1 := noBodyEv(id, "r1", 3, "receiving", k, "", "NUB-1", kg(12000))
	r1.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:ussm"}}
	r2 := noBodyEv(id, "r2", 5, "receiving", k, "", "NUB-2", kg(5000))
	r2.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:smelter"}}
	evs := []*critmin.Event{c, noBodyEv(id, "s1", 2, "shipping", ls, k, "NUB-1", kg(12000)), r1}
	if smelter {
		evs = append(evs, noBodyEv(id, "s2", 4, "shipping", ls, k, "NUB-2", kg(5000)), r2)
	}
	evs = append(evs, fix15gNamed(noBodyEv(id, "s3", 6, "shipping", k, "urn:site:H", "NUB-3", kg(6000)), "urn:party:ussm"))
	var out []*critmin.Event
	for _, e := range evs {
		if !slicesContains(declared, e.EventID) {
			out = append(out, e)
		}
	}
	return out
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fix15qPart is lot l's part shipped by event ship.
func fix15qPart(t *testing.T, l *critmin.Lot, ship string) critmin.LotPart {
	t.Helper()
	p, ok := ledger.ShippedPart(l, ship)
	if !ok {
		t.Fatalf("lot %s has no part shipped by %s: %+v", l.ID, ship, l.Parts)
	}
	return p
}

// standingTonnes is Σ StandsAt's wet tonnes of l.
func standingTonnes(l *critmin.Lot) float64 {
	var s float64
	for _, st := range ledger.StandsAt(l) {
		s += st.WetTonnes
	}
	return s
}

// TestNamedShipmentFromARetractedReceipt (issue 15, fix15q): lot NU-B1
// (fix15qLot). USSM's 12 t receipt at K is declared in error
// (incorrect_data); replayed without it:
//   - NUB-1 is at sea again, 12 t (owner back to the miner's);
//   - NUB-3 named USSM as its source owner, and USSM holds nothing at K:
//     it takes of nobody's holding — flagged (fromRetracted), USSM's, 6 t,
//     counted nowhere. It took the smelter's 5 t part (shippedOnTonnes 6,
//     dry (5 − 6) × 0.92 = −0.92 t) and named the smelter as owner;
//   - the smelter's NUB-2 part keeps 5 t, shipped on 0, dry 5 × 0.92 =
//     4.6 t;
//   - the body 30 − 12 − 5 = 13 t at LS; in transit 12 t (not 12 + 6 =
//     18); standing 13 (LS) + 5 (K) = 18 t; 18 + 12 = 30 t, the lot's
//     mass (it read 13 t remaining · 18 t in transit: 31 t);
//   - the lot's dry mass 30 × 0.92 = 27.6 t;
//   - CheckHoldings holds; DeclarationDependents of r1 names NUB-3,
//     flagged, USSM's, 6 t from K.
//
// Without the smelter's part (one owner at K) the same declaration
// leaves nothing at K: NUB-3 is flagged as docs/identity.md says, 18 t
// remain at LS, 12 t in transit (18 + 12 = 30).
func TestNamedShipmentFromARetractedReceipt(t *testing.T) {
	t.Parallel()
	const id = "urn:lot:NU-B1"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	l := projectAll(id, fix15qLot(true, "r1")...)
	if err := ledger.CheckHoldings(l); err != nil {
		t.Errorf("CheckHoldings: %v", err)
	}
	p1, p2, p3 := fix15qPart(t, l, "s1"), fix15qPart(t, l, "s2"), fix15qPart(t, l, "s3")
	if p1.Status != critmin.PartInTransit || !near(p1.Tonnes, 12) || p1.FromRetracted {
		t.Errorf("NUB-1 part %+v; want 12 t in transit, counted", p1)
	}
	if p2.ShippedOnTonnes != 0 || !near(p2.LeftTonnes(), 5) || !near(p2.DryTonnes(l.Moisture), 4.6) || l.PartOwner(p2) != "urn:party:smelter" {
		t.Errorf("NUB-2 part: shipped on %v t, left %v t, dry %v t, owner %s; want 0, 5, 5 × 0.92 = 4.6 t, the smelter",
			p2.ShippedOnTonnes, p2.LeftTonnes(), p2.DryTonnes(l.Moisture), l.PartOwner(p2))
	}
	if !p3.FromRetracted || !near(p3.Tonnes, 6) || l.PartOwner(p3) != "urn:party:ussm" || p3.From != "urn:site:K" {
		t.Errorf("NUB-3 part %+v (owner %s); want 6 t from K flagged fromRetracted, USSM's", p3, l.PartOwner(p3))
	}
	if !near(l.WetTonnes, 30) || !near(l.RemainingWetTonnes(), 13) || !near(ledger.AtSea(l), 12) || !near(standingTonnes(l), 18) || !near(l.DryTonnes, 27.6) {
		t.Errorf("lot %v t (%v dry): remaining %v t, in transit %v t, standing %v t; want 30 t (27.6 dry), 13, 12, 13 + 5 = 18",
			l.WetTonnes, l.DryTonnes, l.RemainingWetTonnes(), ledger.AtSea(l), standingTonnes(l))
	}
	if st, ok := ledger.StandingAt(l, "urn:site:K"); !ok || !near(st.WetTonnes, 5) || len(st.Holdings) != 1 || st.Holdings[0].Owner != "urn:party:smelter" {
		t.Errorf("at K: %+v; want the smelter's 5 t alone", st)
	}
	deps := ledger.DeclarationDependents(id, fix15qLot(true), "r1")
	if len(deps) != 1 || deps[0].EventID != "s3" || !deps[0].Flagged || len(deps[0].Owners) != 1 || deps[0].Owners[0] != "urn:party:ussm" || !near(deps[0].Tonnes, 6) || deps[0].From != "urn:site:K" {
		t.Errorf("DeclarationDependents of r1: %+v; want NUB-3 (s3), 6 t from K, USSM's, flagged", deps)
	}

	one := projectAll(id, fix15qLot(false, "r1")...)
	if p := fix15qPart(t, one, "s3"); !p.FromRetracted || !near(one.RemainingWetTonnes(), 18) || !near(ledger.AtSea(one), 12) || ledger.CheckHoldings(one) != nil {
		t.Errorf("one owner: NUB-3 %+v, remaining %v t, in transit %v t, %v; want flagged, 18, 12", p, one.RemainingWetTonnes(), ledger.AtSea(one), ledger.CheckHoldings(one))
	}
}

// TestReceiptOfADeclaredShipment (issue 15, fix15q): lot NU-B1
// (fix15qLot) with its NUB-1 shipment declared in error instead. Its
// receipt at K (12,000 kg under NUB-1, new owner USSM) receives nothing:
// the lot stays 30 t (it read a 12 t lot at K: the receipt moved the
// body there and set its mass), its body 30 − 5 = 25 t at LS, the
// smelter's 5 t at K; NUB-3, naming USSM, who holds nothing at K, is
// flagged; nothing in transit; 25 + 5 = 30 t. DeclarationDependents of
// s1 names the receipt r1 (receives nothing, 12 t) and NUB-3 (flagged).
func TestReceiptOfADeclaredShipment(t *testing.T) {
	t.Parallel()
	const id = "urn:lot:NU-B1"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	l := projectAll(id, fix15qLot(true, "s1")...)
	if !near(l.WetTonnes, 30) || l.Location != "urn:site:LS" || l.Owner != "urn:party:miner" || !near(l.RemainingWetTonnes(), 25) || !near(standingTonnes(l), 30) || !near(ledger.AtSea(l), 0) {
		t.Errorf("lot %v t at %s (owner %s): remaining %v t, standing %v t, in transit %v t; want 30 t at LS (the miner's), 25, 25 + 5 = 30, 0",
			l.WetTonnes, l.Location, l.Owner, l.RemainingWetTonnes(), standingTonnes(l), ledger.AtSea(l))
	}
	if p := fix15qPart(t, l, "s3"); !p.FromRetracted || l.PartOwner(p) != "urn:party:ussm" {
		t.Errorf("NUB-3 %+v; want flagged, USSM's", p)
	}
	if err := ledger.CheckHoldings(l); err != nil {
		t.Errorf("CheckHoldings: %v", err)
	}
	deps := ledger.DeclarationDependents(id, fix15qLot(true), "s1")
	if len(deps) != 2 || deps[0].EventID != "s3" || !deps[0].Flagged || deps[1].EventID != "r1" || !deps[1].Nothing || !near(deps[1].Tonnes, 12) || deps[1].To != "urn:site:K" {
		t.Errorf("DeclarationDependents of s1: %+v; want NUB-3 flagged, then the receipt r1 of 12 t at K receiving nothing", deps)
	}
}

// TestDeclarationKeepsADependentShipmentFlagged (issue 15, fix15q): lot
// L8, 20 t at A. 10 t shipped A→D under X (its destination D) were
// received at K (10,000 kg); 8 t shipped on from K to H under Y and
// received at H (8,000 kg). The receipt at K is declared in error: X is
// bound for D again, and nothing of L8 stands at K when Y leaves. Y is
// flagged, 8 t, counted nowhere (it left no part at all: the lot page
// and API dropped it while its shipment page still read "in transit,
// 8 t"), and its receipt at H receives nothing (the lot stays at A, not
// moved to H as an 8 t lot). The lot: 20 t, body 10 t at A, 10 t in
// transit (X), 10 + 10 = 20; dependents of the receipt: Y flagged, its
// receipt at H receiving nothing.
func TestDeclarationKeepsADependentShipmentFlagged(t *testing.T) {
	t.Parallel()
	const id, a, d, k, h = "urn:lot:L8", "urn:site:A", "urn:site:D", "urn:site:K", "urn:site:H"
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-9 }
	evs := []*critmin.Event{noBodyCommission(id, a, 20000), noBodyEv(id, "x", 2, "shipping", a, d, "X", kg(10000)),
		noBodyEv(id, "rk", 3, "receiving", k, "", "X", kg(10000)), noBodyEv(id, "y", 4, "shipping", k, h, "Y", kg(8000)),
		noBodyEv(id, "rh", 6, "receiving", h, "", "Y", kg(8000))}
	l := projectAll(id, evs[0], evs[1], evs[3], evs[4])
	y, ok := ledger.ShippedPart(l, "y")
	if !ok || !y.FromRetracted || !near(y.Tonnes, 8) || y.ReceiptEventID != "rh" {
		t.Errorf("Y: %+v %v; want 8 t flagged, received by rh", y, ok)
	}
	if !near(l.WetTonnes, 20) || l.Location != a || !near(l.RemainingWetTonnes(), 10) || !near(ledger.AtSea(l), 10) || !near(standingTonnes(l)+ledger.AtSea(l), 20) {
		t.Errorf("lot %v t at %s: remaining %v t, in transit %v t, standing %v t; want 20 t at A, 10, 10, 10 + 10 = 20",
			l.WetTonnes, l.Location, l.RemainingWetTonnes(), ledger.AtSea(l), standingTonnes(l))
	}
	if err := ledger.CheckHoldings(l); err != nil {
		t.Errorf("CheckHoldings: %v", err)
	}
	deps := ledger.DeclarationDependents(id, evs, "rk")
	if len(deps) != 2 || deps[0].EventID != "y" || !deps[0].Flagged || !near(deps[0].Tonnes, 8) || deps[1].EventID != "rh" || !deps[1].Nothing {
		t.Errorf("DeclarationDependents of rk: %+v; want Y flagged (8 t), its receipt rh receiving nothing", deps)
	}
}

// TestCheckHoldingsFailsLoudly (issue 15, fix15q): lot NU-B1 as the
// ledger left it before the fix, after USSM's receipt at K was declared
// in error (30 t at 8 %): the body 13 t at LS, NUB-1 12 t in transit,
// the smelter's NUB-2 part received 5 t with 6 t shipped on of it,
// NUB-3 6 t in transit. CheckHoldings names the part below zero (5 − 6
// = −1 t) and the views' sum: 13 (remaining) + 12 + 6 (in transit) + 0
// (NUB-2 left, clamped) = 31 t, not 30 (ledger.CheckLotBalance words
// each term). With NUB-3 flagged and the
// smelter's part whole, it holds: 13 + 12 + 5 = 30.
func TestCheckHoldingsFailsLoudly(t *testing.T) {
	t.Parallel()
	m := 0.08
	bad := &critmin.Lot{ID: "urn:lot:NU-B1", Quantity: 30000, UOM: "KGM", WetTonnes: 30, Moisture: &m, Location: "urn:site:LS", Status: critmin.LotInStock,
		Parts: []critmin.LotPart{
			{Tonnes: 12, Status: critmin.PartInTransit, From: "urn:site:LS", To: "urn:site:K", ShipEventID: "s1"},
			{Tonnes: 5, ReceivedTonnes: 5, Status: critmin.PartReceived, From: "urn:site:LS", To: "urn:site:K", ShipEventID: "s2", ShippedOnTonnes: 6},
			{Tonnes: 6, Status: critmin.PartInTransit, From: "urn:site:K", ShipEventID: "s3", OnwardOf: "s2"}}}
	err := ledger.CheckHoldings(bad)
	if err == nil || !strings.Contains(err.Error(), "the part shipped by event s2 is overdrawn by 1.000 t at urn:site:K") || !strings.Contains(err.Error(), "13.000 t standing at its sites + 0.000 t at no known site + 18.000 t in transit + 0.000 t consumed by runs = 31.000 t, not its mass of 30.000 t") {
		t.Errorf("CheckHoldings of the lot before the fix: %v; want NUB-2 at −1 t and 31 t of 30 t named", err)
	}
	good := *bad
	good.Parts = append([]critmin.LotPart(nil), bad.Parts...)
	good.Parts[1].ShippedOnTonnes = 0
	good.Parts[2].FromRetracted, good.Parts[2].OnwardOf = true, ""
	if err := ledger.CheckHoldings(&good); err != nil {
		t.Errorf("CheckHoldings with NUB-3 flagged: %v", err)
	}
}

// TestCheckLotBalanceRejoinedTakes (issue 8, n8b item 1): lot RA 10 t,
// its 6 t part received at khi, all 6 t taken by a run there, then
// rejoined by the body's arrival with 4 t. Passing the part's 6 t taken
// to the body: body 10 − 6 = 4 t standing, 6 t consumed, 4 + 6 = 10 t —
// it holds. Left on the rejoined part (the defect): 10 t standing, the
// body's taken 0 t below the rejoined 6 t — refused, naming both.
func TestCheckLotBalanceRejoinedTakes(t *testing.T) {
	t.Parallel()
	good := &critmin.Lot{ID: "urn:lot:RA", Quantity: 10000, UOM: "KGM", WetTonnes: 10, TakenTonnes: 6, Location: "urn:site:khi", Status: critmin.LotInStock,
		Parts: []critmin.LotPart{{Tonnes: 6, ReceivedTonnes: 6, TakenTonnes: 6, Status: critmin.PartRejoined, From: "urn:site:mb", To: "urn:site:khi", ShipEventID: "s1"}}}
	if err := ledger.CheckLotBalance(good); err != nil {
		t.Errorf("the rejoined part's takes passed to the body: %v", err)
	}
	if b := ledger.BalanceOf(good); b.Standing != 4 || b.Consumed != 6 || b.InTransit != 0 {
		t.Errorf("balance %+v; want 4 t standing, 6 t consumed, 0 t in transit", b)
	}
	bad := *good
	bad.TakenTonnes = 0
	err := ledger.CheckLotBalance(&bad)
	if err == nil || !strings.Contains(err.Error(), "runs took 6.000 t of parts that rejoined its body, but its body counts 0.000 t taken by runs") {
		t.Errorf("the defect: %v; want it named", err)
	}
}

// TestCheckLotBalanceNotANumber: a lot whose wet mass reads NaN (a
// stored row edited by hand: PostgreSQL keeps NaN in a double precision
// column) passed every rule, because NaN < x and NaN > x are both false
// and |NaN − x| > tol is false too. Rule 0 refuses it, naming the
// figure; so with +Inf for a part's received tonnes, and with NaN on a
// consumed lot, which the other rules skip.
func TestCheckLotBalanceNotANumber(t *testing.T) {
	t.Parallel()
	base := critmin.Lot{ID: "urn:lot:NA", Quantity: 10000, UOM: "KGM", WetTonnes: 10, Location: "urn:site:khi", Status: critmin.LotInStock}
	if err := ledger.CheckLotBalance(&base); err != nil {
		t.Fatalf("10 t standing at khi: %v", err)
	}
	nan := base
	nan.WetTonnes = math.NaN()
	if err := ledger.CheckLotBalance(&nan); err == nil || !strings.Contains(err.Error(), "its wet mass is NaN, not a finite number") {
		t.Errorf("wet mass NaN: %v; want it named", err)
	}
	consumed := nan
	consumed.Status = critmin.LotConsumed
	if err := ledger.CheckLotBalance(&consumed); err == nil {
		t.Error("a consumed lot with wet mass NaN passed")
	}
	inf := base
	inf.Parts = []critmin.LotPart{{Tonnes: 4, ReceivedTonnes: math.Inf(1), Status: critmin.PartReceived, From: "urn:site:mb", To: "urn:site:khi", ShipEventID: "s1"}}
	if err := ledger.CheckLotBalance(&inf); err == nil || !strings.Contains(err.Error(), "received tonnes is +Inf, not a finite number") {
		t.Errorf("part received +Inf: %v; want it named", err)
	}
}
