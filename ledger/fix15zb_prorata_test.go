package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// twoOwnersAtPort is lot L, 20 t of SELL's at the mine; s1 ships 6 t to
// the port (B/L a), received there for A (r1, moisture 10 %); s2 ships
// 4 t (B/L b), received there for B (r2, moisture 20 %). The 10 t body
// stays at the mine; at the port A holds 6 t (5.4 t dry) and B 4 t
// (3.2 t dry).
func twoOwnersAtPort(t *testing.T) map[string]*critmin.Lot {
	t.Helper()
	const id, mine, port = "urn:lot:L", "urn:site:mine", "urn:site:port"
	ten, twenty := 0.10, 0.20
	r1 := partyEv(id, "r1", 3, "receiving", port, "", "urn:bol:a", 6000, critmin.SourceDest{Type: "owning_party", ID: "urn:party:A"})
	r1.Mineral = &critmin.MineralFacts{Moisture: &ten}
	r2 := partyEv(id, "r2", 5, "receiving", port, "", "urn:bol:b", 4000, critmin.SourceDest{Type: "owning_party", ID: "urn:party:B"})
	r2.Mineral = &critmin.MineralFacts{Moisture: &twenty}
	lots := map[string]*critmin.Lot{id: {ID: id}}
	for _, ev := range []*critmin.Event{
		partyCommission(id, mine, 20000, "urn:party:SELL"),
		noBodyEv(id, "s1", 2, "shipping", mine, port, "urn:bol:a", kg(6000)), r1,
		noBodyEv(id, "s2", 4, "shipping", mine, port, "urn:bol:b", kg(4000)), r2,
	} {
		ledger.Project(lots, ev)
	}
	l := lots[id]
	if len(l.Parts) != 2 || l.Parts[0].LeftTonnes() != 6 || l.Parts[1].LeftTonnes() != 4 {
		t.Fatalf("parts %+v; want A's 6 t and B's 4 t received at the port", l.Parts)
	}
	return lots
}

func nearT(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestOwnerlessDispatchTakesProRata (issue 15, fix15zb item 1): at the
// port A holds 6 t at 10 % (5.4 t dry) and B 4 t at 20 % (3.2 t dry)
// (twoOwnersAtPort). s3, a 5 t shipment from the port naming no source
// party, takes of both owners pro rata, as a weighing there splits: each
// gives 5 / 10 = half of what it holds — A 3 t wet (2.7 t dry), B 2 t wet
// (1.6 t dry), dry shares 2.7 : 1.6 = 5.4 : 3.2 —, leaving A 3 t and B
// 2 t. The shipped part is both owners' (Owners A, B), carved 3 t of s1
// and 2 t of s2, at (3 × 0.10 + 2 × 0.20) / 5 = 14 % moisture. Before, it
// took the owners in turn: A 5 t, B nothing (A 1 t left, B 4 t).
func TestOwnerlessDispatchTakesProRata(t *testing.T) {
	t.Parallel()
	lots := twoOwnersAtPort(t)
	ledger.Project(lots, noBodyEv("urn:lot:L", "s3", 8, "shipping", "urn:site:port", "urn:site:rotterdam", "urn:bol:c", kg(5000)))
	l := lots["urn:lot:L"]
	if len(l.Parts) != 3 {
		t.Fatalf("parts %+v; want the two received and the 5 t shipped on", l.Parts)
	}
	a, b, s := l.Parts[0], l.Parts[1], l.Parts[2]
	if !nearT(a.ShippedOnTonnes, 3) || !nearT(a.LeftTonnes(), 3) || !nearT(b.ShippedOnTonnes, 2) || !nearT(b.LeftTonnes(), 2) {
		t.Errorf("A gave %v t (%v t left), B %v t (%v t left); want A 3 t (3 t left), B 2 t (2 t left)", a.ShippedOnTonnes, a.LeftTonnes(), b.ShippedOnTonnes, b.LeftTonnes())
	}
	if !nearT(a.DryTonnes(l.Moisture), 5.4-2.7) || !nearT(b.DryTonnes(l.Moisture), 3.2-1.6) {
		t.Errorf("dry left A %v t, B %v t; want 2.7 t and 1.6 t (half of each owner's dry mass)", a.DryTonnes(l.Moisture), b.DryTonnes(l.Moisture))
	}
	if len(s.OnwardFrom) != 2 || !nearT(s.OnwardFrom[0].Tonnes, 3) || !nearT(s.OnwardFrom[1].Tonnes, 2) || len(s.Owners) != 2 {
		t.Errorf("shipped part %+v; want 3 t of s1 and 2 t of s2, owners A and B", s)
	}
	if m := l.PartMoisture(s); m == nil || !nearT(*m, 0.14) {
		t.Errorf("shipped part moisture %v; want 14 %%", m)
	}
	if err := ledger.CheckHoldings(l); err != nil {
		t.Error(err)
	}
}

// TestWeighingAndOwnerlessDispatchShareAlike (issue 15, fix15zb item 1):
// a weighing at the port naming nobody and a dispatch naming nobody split
// among A's 6 t and B's 4 t (twoOwnersAtPort) by one rule: a 10.1 t
// weighing gives A 6.06 t, B 4.04 t (× 1.01 each); then 5.05 t shipped
// (half of 10.1) take A 3.03 t and B 2.02 t, leaving each half of its
// holding.
func TestWeighingAndOwnerlessDispatchShareAlike(t *testing.T) {
	t.Parallel()
	lots := twoOwnersAtPort(t)
	ledger.Project(lots, noBodyEv("urn:lot:L", "w", 7, "inspecting", "urn:site:port", "", "", kg(10100)))
	ledger.Project(lots, noBodyEv("urn:lot:L", "s3", 8, "shipping", "urn:site:port", "urn:site:rotterdam", "urn:bol:c", kg(5050)))
	l := lots["urn:lot:L"]
	a, b := l.Parts[0], l.Parts[1]
	if a.WeighedTonnes == nil || b.WeighedTonnes == nil || !nearT(*a.WeighedTonnes, 6.06) || !nearT(*b.WeighedTonnes, 4.04) {
		t.Fatalf("weighed A %v, B %v; want 6.06 t and 4.04 t", a.WeighedTonnes, b.WeighedTonnes)
	}
	if !nearT(a.ShippedOnTonnes, 3.03) || !nearT(b.ShippedOnTonnes, 2.02) {
		t.Errorf("shipped of A %v t, of B %v t; want 3.03 t and 2.02 t", a.ShippedOnTonnes, b.ShippedOnTonnes)
	}
}

// TestWeighedThereIsWhatStood (issue 15, fix15zb item 2): lot L 20 t at
// the mine; s1 ships 10 t to the port (B/L a), r1 receives them; s2
// ships 4 t on from the port; w weighs 6.1 t there on day 7. What was
// weighed of the part is the 6 t that stood there, read 6.1 t
// (LotPart.WeighedThereTonnes, on day 7); its mass is 6.1 + 4 = 10.1 t,
// 6.1 t left. The 4 t shipped on left before the weighing and carry none
// of it. A second part nothing of which stood at the port when weighed
// (s5's 2 t, received and shipped on in full) is not weighed by it: its
// line keeps no weighing. Before, the part read "weighed there 10.1 t"
// (WeighedTonnes, the 4 t gone counted) and the emptied part was marked
// weighed by w.
func TestWeighedThereIsWhatStood(t *testing.T) {
	t.Parallel()
	const id, mine, port, rdam = "urn:lot:L", "urn:site:mine", "urn:site:port", "urn:site:rotterdam"
	lots := map[string]*critmin.Lot{id: {ID: id}}
	for _, ev := range []*critmin.Event{
		partyCommission(id, mine, 20000, "urn:party:SELL"),
		noBodyEv(id, "s5", 2, "shipping", mine, port, "urn:bol:z", kg(2000)),
		noBodyEv(id, "r5", 3, "receiving", port, "", "urn:bol:z", kg(2000)),
		noBodyEv(id, "s6", 4, "shipping", port, rdam, "urn:bol:y", kg(2000)),
		noBodyEv(id, "s1", 4, "shipping", mine, port, "urn:bol:a", kg(10000)),
		noBodyEv(id, "r1", 5, "receiving", port, "", "urn:bol:a", kg(10000)),
		noBodyEv(id, "s2", 6, "shipping", port, rdam, "urn:bol:b", kg(4000)),
		noBodyEv(id, "w", 7, "inspecting", port, "", "", kg(6100)),
	} {
		ledger.Project(lots, ev)
	}
	l := lots[id]
	var emptied, p *critmin.LotPart
	for i := range l.Parts {
		switch l.Parts[i].ShipEventID {
		case "s5":
			emptied = &l.Parts[i]
		case "s1":
			p = &l.Parts[i]
		}
	}
	if p == nil || emptied == nil {
		t.Fatalf("parts %+v; want s5's and s1's", l.Parts)
	}
	if p.WeighEventID != "w" || p.WeighedThereTonnes == nil || !nearT(*p.WeighedThereTonnes, 6.1) || p.WeighedAt == nil || !p.WeighedAt.Equal(at(7)) {
		t.Errorf("s1's part weighed there %v on %v by %q; want 6.1 t on day 7 by w", p.WeighedThereTonnes, p.WeighedAt, p.WeighEventID)
	}
	if !nearT(p.Mass(), 10.1) || !nearT(p.LeftTonnes(), 6.1) {
		t.Errorf("s1's part %v t, %v t left; want 10.1 t, 6.1 t", p.Mass(), p.LeftTonnes())
	}
	if emptied.WeighEventID != "" || emptied.WeighedTonnes != nil {
		t.Errorf("s5's part, all shipped on before w, weighed %v by %q; want not weighed", emptied.WeighedTonnes, emptied.WeighEventID)
	}
	// 20 − 2 − 10 = 8 t body at the mine + 6.1 t at the port + 4 t and
	// 2 t in transit = 20.1 t.
	if !nearT(l.WetTonnes, 20.1) {
		t.Errorf("lot %v t; want 20.1 t", l.WetTonnes)
	}
}
