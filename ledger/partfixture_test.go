package ledger_test

import "github.com/critmin/critmin"

// Shared set-ups of the ledger's part tests (issue 15): lots shipped in
// parts between sites and received with or without parties. They hold no
// figure of their own: each test states and checks its figures.

// partyEv is noBodyEv with kgs kilograms (0: no quantity) and parties
// (owning_party, possessing_party; CBV 2.0 §7.5) appended to its
// destinations.
func partyEv(id, eid string, day int, step, loc, dest, bol string, kgs float64, parties ...critmin.SourceDest) *critmin.Event {
	var q *float64
	if kgs > 0 {
		q = kg(kgs)
	}
	e := noBodyEv(id, eid, day, step, loc, dest, bol, q)
	e.Destinations = append(e.Destinations, parties...)
	return e
}

// partyCommission is lot id commissioned at site on day 1, kgs
// kilograms, owned and held by party; no mineral facts.
func partyCommission(id, site string, kgs float64, party string) *critmin.Event {
	return &critmin.Event{EventID: "c", Type: critmin.ObjectEvent, Action: "ADD", BizStep: "commissioning", EventTime: at(1), BizLocation: site,
		Quantities:   []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: id, Quantity: kg(kgs), UOM: "KGM"}},
		Destinations: []critmin.SourceDest{{Type: "owning_party", ID: party}, {Type: "possessing_party", ID: party}}}
}

// moistureEv is noBodyEv carrying moisture (a fraction; nil: none).
func moistureEv(id, eid string, day int, step, loc, dest, bol string, kgs, moisture *float64) *critmin.Event {
	e := noBodyEv(id, eid, day, step, loc, dest, bol, kgs)
	if moisture != nil {
		e.Mineral = &critmin.MineralFacts{Moisture: moisture}
	}
	return e
}
