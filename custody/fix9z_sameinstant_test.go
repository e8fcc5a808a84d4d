package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestSameInstantPerHolding (issue 9, fix9z): readings at one instant are
// one quantity's only when they concern one holding (ledger.AssayHolders).
// Lot L9Z, 10 t at mb (moisture 8 %, Nd2O3 none yet); s1 ships 4 t to
// Karachi (B/L K1), r1 receives them there for BUY. So the body (6 t)
// stands at mb and BUY's 4 t part at Karachi. At 2025-11-10 10:00 UTC:
//   - the body is assayed at mb, Nd2O3 12 %, weighed at 6,000 kg and read
//     at 8 % moisture; BUY's part at Karachi is assayed Nd2O3 11 %,
//     weighed at 4,000 kg and read at 9 % moisture (1 point from its 8 %,
//     within MoistureReadingLimit). Six readings, two per quantity, each
//     pair on two holdings: accepted (they were refused as "already has a
//     Nd2O3 concentration (dry) reading of 12 %"). The lot then holds the
//     body's 12 % and the part's 11 %: 6 × 0.92 × 12 % + 4 × 0.91 × 11 %
//     = 0.6624 + 0.4004 = 1.0628 t Nd2O3 (ledger.Contained);
//   - a second assay of the part at Karachi at that instant, Nd2O3 11.5 %,
//     contradicts the part's 11 %: refused, naming the first; nothing
//     stored (the part keeps 11 %). So does a second assay of the body at
//     mb (12.5 % against 12 %), and a second moisture of the part (10 %
//     against 9 %);
//   - the same 11 % again at Karachi (a re-sent reading) is accepted.
func TestSameInstantPerHolding(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	const lot, port, buy = "urn:t:lot:L9Z", "urn:t:site:karachi", "urn:t:party:BUY"
	at := func(id, when, site, extra string) string {
		return strings.Replace(objectEv(id, when, lot, "OBSERVE", extra), "urn:t:site:mb", site, 1)
	}
	moistureReport := func(pct string) string {
		return `, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": ` + pct + `, "uom": "P1"}]}]`
	}
	if err := capture(svc, commissionR("c9z", "2025-11-01T00:00:00Z", lot)); err != nil {
		t.Fatal(err)
	}
	ship := at("s1", "2025-11-02T00:00:00Z", "urn:t:site:mb", `, "bizStep": "shipping", "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K1"}]`)
	ship = strings.Replace(ship, `"quantityList": [{"epcClass": "`+lot+`"}]`, `"quantityList": [{"epcClass": "`+lot+`", "quantity": 4, "uom": "TNE"}]`, 1)
	recv := at("r1", "2025-11-05T00:00:00Z", port, `, "bizStep": "receiving", "disposition": "in_progress", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K1"}],
	 "destinationList": [{"type": "owning_party", "destination": "`+buy+`"}, {"type": "possessing_party", "destination": "`+buy+`"}]`)
	recv = strings.Replace(recv, `"quantityList": [{"epcClass": "`+lot+`"}]`, `"quantityList": [{"epcClass": "`+lot+`", "quantity": 4, "uom": "TNE"}]`, 1)
	if err := capture(svc, ship, recv); err != nil {
		t.Fatal(err)
	}
	const when = "2025-11-10T10:00:00Z"
	if err := capture(svc,
		at("aB", when, "urn:t:site:mb", assayReport("12")),
		at("aP", when, port, assayReport("11")),
		at("wB", when, "urn:t:site:mb", massReport("6000")),
		at("wP", when, port, massReport("4000")),
		at("mB", when, "urn:t:site:mb", moistureReport("8")),
		at("mP", when, port, moistureReport("9")),
	); err != nil {
		t.Fatalf("readings of the body and of BUY's part at one instant: %v", err)
	}
	check := func(name string) {
		t.Helper()
		l, err := db.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := ledger.Contained(l, "Nd2O3"); !ok || !near(c, 1.0628) {
			t.Errorf("%s: Nd2O3 contained %v t (%v), want 6 × 0.92 × 12 %% + 4 × 0.91 × 11 %% = 1.0628 t", name, c, ok)
		}
	}
	check("accepted")
	for _, c := range []struct {
		name, ev, first, holding string
	}{
		// The refusal names the holding (fix9ab L3): the part by the
		// shipment s1 that made it, or the body.
		{"a second assay of the part", at("aP2", when, port, assayReport("11.5")), "urn:t:ev:aP", "Both readings are of the part shipped by event urn:t:ev:s1."},
		{"a second assay of the body", at("aB2", when, "urn:t:site:mb", assayReport("12.5")), "urn:t:ev:aB", "Both readings are of the lot's body."},
		{"a second moisture of the part", at("mP2", when, port, moistureReport("10")), "urn:t:ev:mP", "Both readings are of the part shipped by event urn:t:ev:s1."},
	} {
		err := capture(svc, c.ev)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "(event "+c.first+")") || !strings.Contains(err.Error(), c.holding) {
			t.Errorf("%s at the same instant: %v, want a conflict naming %s and %q", c.name, err, c.first, c.holding)
		}
		check(c.name)
	}
	if err := capture(svc, at("aP3", when, port, assayReport("11"))); err != nil {
		t.Errorf("the part's 11 %% again: %v", err)
	}
}
