package ledger_test

import (
	"slices"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestAssayHoldersPerHolding (issue 9, fix9z): which holding of a lot an
// event's readings concern, the lot projected just after the event. Lot
// L, 20 t owned and held by SELL at the mine; s1 ships 5 t to Karachi
// (B/L K1), r1 receives them there for BUY (owning and possessing
// party). So 15 t (the body) stand at the mine and BUY's 5 t part at
// Karachi. On day 10, at one instant:
//   - aB, an assay at the mine (Nd 5 %), is the body's: Lot.Assays holds
//     it, no part does → [body];
//   - aP, an assay at Karachi (Nd 4 %), is the part's (fix15a): the
//     part's assays hold it, the body's do not → [part s1];
//   - mP, a moisture reading at Karachi (6 %), is the part's
//     (LotPart.MoistureEventID) → [part s1];
//   - aB2, a second assay at the mine (Nd 6 %) at the same instant, is the
//     body's again → [body]: it and aB are one quantity's two values.
//
// The shipment and the receipt measure the part → [part s1].
func TestAssayHoldersPerHolding(t *testing.T) {
	t.Parallel()
	const id, mine, port, sell, buy = "urn:lot:L", "urn:site:mine", "urn:site:karachi", "urn:party:SELL", "urn:party:BUY"
	assayEv := func(eid, loc string, nd float64) *critmin.Event {
		e := noBodyEv(id, eid, 10, "sampling", loc, "", "", nil)
		e.Mineral = &critmin.MineralFacts{Assays: []critmin.Assay{{Analyte: "Nd", Value: nd, Unit: "%", Basis: "dry", EventID: eid, At: at(10)}}}
		return e
	}
	six := 0.06
	moist := moistureEv(id, "mP", 10, "sensor_reporting", port, "", "", nil, &six)
	steps := []struct {
		ev   *critmin.Event
		want []string
	}{
		{partyCommission(id, mine, 20000, sell), []string{ledger.BodyHolder}},
		{noBodyEv(id, "s1", 2, "shipping", mine, port, "urn:bol:K1", kg(5000)), []string{ledger.PartHolder("s1")}},
		{partyEv(id, "r1", 5, "receiving", port, "", "urn:bol:K1", 5000, critmin.SourceDest{Type: "owning_party", ID: buy}, critmin.SourceDest{Type: "possessing_party", ID: buy}), []string{ledger.PartHolder("s1")}},
		{assayEv("aB", mine, 5), []string{ledger.BodyHolder}},
		{assayEv("aP", port, 4), []string{ledger.PartHolder("s1")}},
		{moist, []string{ledger.PartHolder("s1")}},
		{assayEv("aB2", mine, 6), []string{ledger.BodyHolder}},
	}
	lots := map[string]*critmin.Lot{id: {ID: id}}
	for _, s := range steps {
		ledger.Project(lots, s.ev)
		if got := ledger.AssayHolders(lots[id], s.ev.EventID); !slices.Equal(got, s.want) {
			t.Errorf("event %s: holders %v, want %v", s.ev.EventID, got, s.want)
		}
	}
	l := lots[id]
	if len(l.Parts) != 1 || l.Parts[0].Status != critmin.PartReceived {
		t.Fatalf("parts %+v, want BUY's 5 t part received at Karachi", l.Parts)
	}
}

// TestAssayHoldersSameSiteOtherParty (issue 9, fix9z; issue 15, fix15g):
// where the body and another party's part stand at one site, an assay
// naming that party as its source owning_party is of the part, one
// naming nobody of the body. Lot L, 20 t of SELL's at the mine; s1 ships
// 5 t to the port, r1 receives them back at the mine for BUY (they do
// not rejoin SELL's 15 t body). On day 10: aB (no party, Nd 5 %) →
// [body]; aP (source owning_party BUY, Nd 4 %) → [part s1].
func TestAssayHoldersSameSiteOtherParty(t *testing.T) {
	t.Parallel()
	const id, mine, port, sell, buy = "urn:lot:L", "urn:site:mine", "urn:site:port", "urn:party:SELL", "urn:party:BUY"
	assayEv := func(eid string, nd float64, sources ...critmin.SourceDest) *critmin.Event {
		e := noBodyEv(id, eid, 10, "sampling", mine, "", "", nil)
		e.Sources = sources
		e.Mineral = &critmin.MineralFacts{Assays: []critmin.Assay{{Analyte: "Nd", Value: nd, Unit: "%", Basis: "dry", EventID: eid, At: at(10)}}}
		return e
	}
	steps := []struct {
		ev   *critmin.Event
		want []string
	}{
		{partyCommission(id, mine, 20000, sell), []string{ledger.BodyHolder}},
		{noBodyEv(id, "s1", 2, "shipping", mine, port, "urn:bol:K1", kg(5000)), []string{ledger.PartHolder("s1")}},
		{partyEv(id, "r1", 5, "receiving", mine, "", "urn:bol:K1", 5000, critmin.SourceDest{Type: "owning_party", ID: buy}, critmin.SourceDest{Type: "possessing_party", ID: buy}), []string{ledger.PartHolder("s1")}},
		{assayEv("aB", 5), []string{ledger.BodyHolder}},
		{assayEv("aP", 4, critmin.SourceDest{Type: "owning_party", ID: buy}), []string{ledger.PartHolder("s1")}},
	}
	lots := map[string]*critmin.Lot{id: {ID: id}}
	for _, s := range steps {
		ledger.Project(lots, s.ev)
		if got := ledger.AssayHolders(lots[id], s.ev.EventID); !slices.Equal(got, s.want) {
			t.Errorf("event %s: holders %v, want %v", s.ev.EventID, got, s.want)
		}
	}
	if l := lots[id]; len(l.Parts) != 1 || l.Parts[0].Status != critmin.PartReceived {
		t.Fatalf("parts %+v, want BUY's 5 t part received at the mine beside SELL's body", l.Parts)
	}
}
