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

// TestDeclaredReceiptUnderSharedDispatchRefused (issue 15, fix15zg;
// new-user check nu15h): lot P9, 12 t at the mine for FWO; s1 ships 6 t
// to the port under B/L P9-a, received there for USSM (r1, 6 t); s2
// ships 4 t under P9-b, received for the smelter (r2, 4 t); s3 ships
// 5 t from the port under P9-c naming no party: pro rata 5 / 10 of each
// holding, 3 t of USSM's part and 2 t of the smelter's (fix15zb).
//   - Declaring r2 alone is refused 409 naming s3 (fix15zc).
//   - Declaring r1 alone was taken (202): without it only the smelter's
//     4 t stand at the port, s3's 5 t overdraw them, s3 is flagged as
//     taking nothing, the smelter's 2 t silently come back (4 t) and the
//     5 t shipped are counted nowhere. It is refused 409 naming s3, and
//     custody.DrawsRedrawnBy(r1) names s3 (the preview's dependent).
//     Nothing is stored: USSM holds 6 − 3 = 3 t at the port, the smelter
//     4 − 2 = 2 t.
//   - Declaring r1 and s3 together is taken.
func TestDeclaredReceiptUnderSharedDispatchRefused(t *testing.T) {
	ctx := context.Background()
	const ussm, fwo, smelter = "urn:t:party:ussm", "urn:t:party:fwo", "urn:t:party:smelter"
	r1 := fix15oRecvFor("r1", "2025-10-03T00:00:00Z", "P9", "6", fix15rPort, "P9-a", ussm)
	r2 := fix15oRecvFor("r2", "2025-10-05T00:00:00Z", "P9", "4", fix15rPort, "P9-b", smelter)
	s3 := fix15rShip("s3", "2025-10-06T00:00:00Z", "P9", "5", fix15rPort, fix15rQuay, "P9-c", "")
	db := store(t, doc(nil, fix15oOwned("P9", 12, fwo),
		fix15rShip("s1", "2025-10-02T00:00:00Z", "P9", "6", fix15rMine, fix15rPort, "P9-a", ""), r1,
		fix15rShip("s2", "2025-10-04T00:00:00Z", "P9", "4", fix15rMine, fix15rPort, "P9-b", ""), r2, s3))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	left := func(when string) {
		t.Helper()
		l, err := db.FindLot(ctx, "urn:t:lot:P9")
		if err != nil {
			t.Fatal(err)
		}
		a, _ := ledger.ShippedPart(l, "urn:t:ev:s1")
		b, _ := ledger.ShippedPart(l, "urn:t:ev:s2")
		if math.Abs(a.LeftTonnes()-3) > 1e-9 || math.Abs(b.LeftTonnes()-2) > 1e-9 {
			t.Errorf("%s: USSM %v t, smelter %v t left at the port; want 3 t and 2 t", when, a.LeftTonnes(), b.LeftTonnes())
		}
	}
	left("as captured")
	evR1, err := db.FindEventsByID(ctx, "urn:t:ev:r1")
	if err != nil || len(evR1) != 1 {
		t.Fatalf("r1: %v %v", evR1, err)
	}
	full, err := ledger.DecodeStored(evR1[0].Raw, evR1[0].Context)
	if err != nil {
		t.Fatal(err)
	}
	full.EventID = evR1[0].EventID
	rs, err := custody.DrawsRedrawnBy(ctx, db, full)
	if err != nil || len(rs) != 1 || rs[0].Event.EventID != "urn:t:ev:s3" || math.Abs(rs[0].Draw.Tonnes-5) > 1e-9 {
		t.Errorf("DrawsRedrawnBy(r1) %+v, %v; want the shipment s3, 5 t", rs, err)
	}
	for _, decl := range []string{r1, r2} {
		_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15zcDeclared(t, decl)...))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "recorded shipment urn:t:ev:s3") || strings.HasPrefix(decl, r1) && !strings.Contains(err.Error(), "taking nothing instead") {
			t.Errorf("%.60s… declared alone: %v; want 409 naming the shipment s3", decl, err)
		}
	}
	left("after the refusals")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15zcDeclared(t, r1, s3)...))}); err != nil {
		t.Fatalf("r1 and s3 declared together: %v; want taken", err)
	}
}
