package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// fix15oOwned is feedAt with the lot owned by owner (its commissioning's
// destination owning_party).
func fix15oOwned(lot string, t float64, owner string) string {
	return strings.Replace(feedAt(lot, "ree_concentrate", "PAK", t, "Nd:5"), `"ilmd"`, `"destinationList": [{"type": "owning_party", "destination": "`+owner+`"}], "ilmd"`, 1)
}

// fix15oRecvFor receives t tonnes of lot under bol at site for owner.
func fix15oRecvFor(id, at, lot, t, site, bol, owner string) string {
	return strings.TrimSuffix(fix15rRecv(id, at, lot, t, site, bol), "}") + `, "destinationList": [{"type": "owning_party", "destination": "` + owner + `"}]}`
}

// TestNoQuantityShipmentFromEmptiedSiteRefused (issue 15, fix15o item
// 1; the new-user check's lot H1): lot E, 10 t at the mine for FWO; 4 t
// shipped to the port on B1 and received there for USSM; a shipment
// from the port stating no quantity (B2) ships USSM's 4 t on. Nothing of
// E stands at the port after it; the body, 6 t, stands at the mine.
//   - another shipment from the port dated later, stating no quantity
//     (B9), is refused (409) naming the port and that nothing of the lot
//     stands there then; it was taken and moved the 6 t body at the mine
//     in transit port → mine. Nothing is stored; the preview
//     (Validate) refuses it too; the lot stays 10 t, its body 6 t in
//     stock at the mine;
//   - with 2 t stated it is refused too (nothing stood: 2 > 0);
//   - a shipment of 4 t from the port dated before B2 (back-dated,
//     after the receipt) would leave B2 shipping nothing: refused at
//     its eventTime.
func TestNoQuantityShipmentFromEmptiedSiteRefused(t *testing.T) {
	ctx := context.Background()
	const lot = "urn:t:lot:E"
	db := store(t, doc(nil, fix15oOwned("E", 10, "urn:t:party:fwo"),
		fix15rShip("s1", "2025-10-02T00:00:00Z", "E", "4", fix15rMine, fix15rPort, "B1", ""),
		fix15oRecvFor("r1", "2025-10-03T00:00:00Z", "E", "4", fix15rPort, "B1", "urn:t:party:ussm"),
		fix15nShipNoQty("s2", "2025-10-05T00:00:00Z", "E", fix15rPort, fix15rRefin, "B2")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	check := func(when string) {
		t.Helper()
		l, err := db.FindLot(ctx, lot)
		if err != nil || l.Status == critmin.LotInTransit || !ledger.BodyStands(l, fix15rMine) || !near(l.RemainingWetTonnes(), 6) || !near(l.WetTonnes, 10) || len(l.Parts) != 2 {
			t.Fatalf("%s: lot %+v, %v; want 10 t, its 6 t body in stock at the mine, 2 parts", when, l, err)
		}
	}
	check("fixture")
	for _, c := range []struct{ name, ev, want string }{
		{"no quantity", fix15nShipNoQty("s9", "2025-10-08T00:00:00Z", "E", fix15rPort, fix15rMine, "B9"), "nothing of it stands at " + fix15rPort + " at 2025-10-08T00:00:00Z"},
		{"2 t", fix15rShip("s9", "2025-10-08T00:00:00Z", "E", "2", fix15rPort, fix15rMine, "B9", ""), "only 0 t of its 10 t stood there then"},
		{"4 t before B2", fix15rShip("s9", "2025-10-04T00:00:00Z", "E", "4", fix15rPort, fix15rMine, "B9", ""), "nothing of the lot would stand there then"},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, c.ev))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want 409 with %q", c.name, err, c.want)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:s9"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: the refused shipment was stored: %v", c.name, err)
		}
		errs, err := svc.Validate(ctx, []byte(doc(nil, c.ev)))
		if err != nil || len(errs) != 1 || len(errs[0]) == 0 || !strings.Contains(errs[0][0].Reason, c.want) {
			t.Errorf("%s: validated %+v, %v; want refused with %q", c.name, errs, err, c.want)
		}
		check(c.name)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15nShipNoQty("s8", "2025-10-08T00:00:00Z", "E", fix15rMine, fix15rPort, "B8")))}); err != nil {
		t.Errorf("no quantity from the mine, where the 6 t body stands: %v; want taken", err)
	}
}

// TestNamedOwnerShipsAtMostItsHolding (issue 15, fix15o item 2): lot F,
// 10 t for FWO; 4 t shipped to the port and received there for USSM;
// the rest (no quantity, 6 t) shipped there and received at 6 t naming
// no party: FWO's 6 t body and USSM's 4 t part stand at the port. A
// shipment naming USSM as its source owning_party ships USSM's holding
// only: 5 t > 4 × 1.005 = 4.02 t: refused (409) naming USSM's 4 t and
// the owners there (it was judged against 10 t, taken, and took 1 t of
// FWO's body under USSM's name); nothing stored. 4 t is taken.
func TestNamedOwnerShipsAtMostItsHolding(t *testing.T) {
	ctx := context.Background()
	const ussm, fwo = "urn:t:party:ussm", "urn:t:party:fwo"
	db := store(t, doc(nil, fix15oOwned("F", 10, fwo),
		fix15rShip("s1", "2025-10-02T00:00:00Z", "F", "4", fix15rMine, fix15rPort, "B1", ""),
		fix15oRecvFor("r1", "2025-10-03T00:00:00Z", "F", "4", fix15rPort, "B1", ussm),
		fix15nShipNoQty("s2", "2025-10-04T00:00:00Z", "F", fix15rMine, fix15rPort, "B2"),
		fix15rRecv("r2", "2025-10-05T00:00:00Z", "F", "6", fix15rPort, "B2")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	named := func(tonnes string) string {
		return fix15rShip("s3", "2025-10-06T00:00:00Z", "F", tonnes, fix15rPort, fix15rMine, "B3", `, "sourceList": [{"type": "owning_party", "source": "`+ussm+`"}]`)
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, named("5")))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), ussm+" held only 4 t there then") || !strings.Contains(err.Error(), fwo) {
		t.Errorf("5 t naming USSM: %v; want 409 naming USSM's 4 t and the owners there (FWO, USSM)", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:s3"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused shipment was stored: %v", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, named("4")))}); err != nil {
		t.Fatalf("4 t naming USSM: %v; want taken", err)
	}
	l, _ := db.FindLot(ctx, "urn:t:lot:F")
	if math.Abs(l.RemainingWetTonnes()-6) > 1e-9 || len(l.Parts) != 2 || l.PartOwner(l.Parts[1]) != ussm || len(l.Parts[1].Owners) != 0 {
		t.Errorf("after 4 t naming USSM: body %v t, parts %+v; want FWO's 6 t body, the shipped part USSM's alone", l.RemainingWetTonnes(), l.Parts)
	}
}
