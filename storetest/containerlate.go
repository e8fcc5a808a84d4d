package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// testContainerMovedOutOfOrderVerified: a container's movement captured
// after a later event of a lot it holds reaches the lot out of event-time
// order, and verify's replay must replay the lot from its records
// (sqldb.verifyReplayMode reads event_contents for this; before it wrote
// every record of any log naming a container).
//
// Lot CO, 10,000 kg at mb (Oct 1), is packed whole into S on Oct 2 and
// unpacked (a DELETE of its 10,000 kg) on Oct 10 at noon. Then S is shipped by its
// SSCC alone dated Oct 3, captured last: it held CO then (packed Oct 2,
// unpacked Oct 10), so its contents are the one CO line of 10,000 kg,
// dated before CO's latest event (Oct 10). Verify is clean, on the
// records' replay in event-time order. With the contents row deleted,
// verify fails.
func testContainerMovedOutOfOrderVerified(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	unpack := strings.Replace(ctPack("co-unpack", "DELETE", csBox, 10, "CO:10000"), "T00:00:00Z", "T12:00:00Z", 1)
	MustCapture(t, svc, ctDoc(csLot("CO"), ctPack("co-pack", "ADD", csBox, 2, "CO:10000"), unpack))
	MustCapture(t, svc, ctDoc(csMove("co-ship", "shipping", "in_transit", 3, "urn:t:site:mb")))
	var n int
	var kg float64
	if err := s.(*sqldb.DB).Write.QueryRowContext(context.Background(), `SELECT COUNT(*), COALESCE(SUM(quantity), 0) FROM event_contents WHERE event_id = 'urn:t:ev:co-ship' AND canon = 'urn:t:lot:CO'`).Scan(&n, &kg); err != nil || n != 1 || !ctNear(kg, 10000) {
		t.Errorf("contents of the Oct 3 shipment: %d rows of CO summing %v kg (%v); want 1 of 10,000 kg", n, kg, err)
	}
	// In event-time order CO is shipped from mb on Oct 3 and unpacked
	// from S at mb on Oct 10: in stock at mb, as capture projected it.
	if l := mustLot(t, s, "urn:t:lot:CO"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" {
		t.Errorf("CO: %s at %s; want in_stock at urn:t:site:mb", l.Status, l.Location)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
	// The contents row removed, the stored rows no longer show the
	// shipment reaching CO out of order: verify's replay, in projection
	// mode, meets it in the log and fails naming the lot — never a pass.
	tamper(t, s, `DELETE FROM event_contents`)
	sc, closeScratch, err := sqlite.OpenScratch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	rep, err := s.(*sqldb.DB).Verify(context.Background(), sc, nil)
	if err == nil && rep.OK() {
		t.Fatal("verify after the contents row of the late shipment was deleted: ok; want it to fail")
	}
	if err != nil && !strings.Contains(err.Error(), "lot urn:t:lot:CO is reached out of event-time order") {
		t.Errorf("verify after the contents row was deleted: %v; want the error to name lot CO reached out of order", err)
	}
}
