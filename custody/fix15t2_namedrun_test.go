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

// TestRunNamingAbsentPartyRefused (issue 15, fix15t2 items 1 and 3):
// lot F of TestNamedOwnerShipsAtMostItsHolding, each party holding
// what it owns (possessing_party too) — FWO's 6 t body and USSM's 4 t
// part at the port. A refinery run at the port taking 3 t of
// F and naming X, who holds nothing there, as its source owning_party —
// or as its possessing_party alone — is refused (409) as a shipment so
// named is, naming X and the owners there (it was taken, and took 3 t
// of FWO's body: 6 − 3 = 3 t); nothing stored. Naming USSM, 3 t ≤ 4 t,
// it is taken of USSM's part: 4 − 3 = 1 t left, FWO's body 6 t.
func TestRunNamingAbsentPartyRefused(t *testing.T) {
	ctx := context.Background()
	const ussm, fwo, x = "urn:t:party:ussm", "urn:t:party:fwo", "urn:t:party:x"
	held := func(ev, party string) string { // party holds what it owns (possessing_party too)
		return strings.Replace(ev, `{"type": "owning_party", "destination": "`+party+`"}`,
			`{"type": "owning_party", "destination": "`+party+`"}, {"type": "possessing_party", "destination": "`+party+`"}`, 1)
	}
	db := store(t, doc(nil, held(fix15oOwned("F", 10, fwo), fwo),
		fix15rShip("s1", "2025-10-02T00:00:00Z", "F", "4", fix15rMine, fix15rPort, "B1", ""),
		held(fix15oRecvFor("r1", "2025-10-03T00:00:00Z", "F", "4", fix15rPort, "B1", ussm), ussm),
		fix15nShipNoQty("s2", "2025-10-04T00:00:00Z", "F", fix15rMine, fix15rPort, "B2"),
		fix15rRecv("r2", "2025-10-05T00:00:00Z", "F", "6", fix15rPort, "B2")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	named := func(kind, party string) string {
		return strings.Replace(runT("x1", "x1", "2025-10-06T00:00:00Z", "port", "F", 3, "OX", 1, ""), `"bizLocation"`,
			`"sourceList": [{"type": "`+kind+`", "source": "`+party+`"}], "bizLocation"`, 1)
	}
	for _, kind := range []string{"owning_party", "possessing_party"} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, named(kind, x)))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), x+" held nothing of the lot there then") || !strings.Contains(err.Error(), fwo) || !strings.Contains(err.Error(), ussm) {
			t.Errorf("run naming %s X: %v; want 409 naming X and the owners there (FWO, USSM)", kind, err)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:x1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Fatalf("the refused run (%s X) was stored: %v", kind, err)
		}
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, named("owning_party", ussm)))}); err != nil {
		t.Fatalf("run naming USSM: %v; want taken", err)
	}
	l, _ := db.FindLot(ctx, "urn:t:lot:F")
	if math.Abs(l.RemainingWetTonnes()-6) > 1e-9 || len(l.Parts) != 1 || math.Abs(l.Parts[0].LeftTonnes()-1) > 1e-9 {
		t.Errorf("after 3 t naming USSM: body %v t, parts %+v; want FWO's 6 t body, USSM's part 4 − 3 = 1 t", l.RemainingWetTonnes(), l.Parts)
	}
}
