package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestLotMadeLaterInDocument (issue 8, fixNb item 3): a document's events
// are judged in the order listed — what each finds is what the events
// listed before it recorded, in the capture checks and the store's
// projection alike — so an event listed before the commissioning of its
// lot, though dated after it, is refused 400 at its epcClass saying the
// lot is made later in this document by that event, with its step and
// time, and to list it first (it read only "lot not known: no event
// recorded lot …", as for a mistyped lot). Lot PK: commissioned 10 t at
// the mine on 10-01 (event urn:t:ev:PK); shipped whole to the port under
// X on 10-03; received there at 9.9 t on 10-04. In time order the
// document is taken (9.9 t in stock at the port, 3 events); with the
// shipment, or a packing of 4 t on 10-02, listed first it is refused
// whole and nothing is stored.
func TestLotMadeLaterInDocument(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"port": "controlled_blending", "mine-PAK": "controlled_blending"}
	evs := []string{feedAt("PK", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15rShip("s1", "2025-10-03T00:00:00Z", "PK", "10", fix15rMine, fix15rPort, "X", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "PK", "9.9", fix15rPort, "X"),
		nbPack("p1", "2025-10-02T00:00:00Z", fix15rMine, "C2", "4000")}
	capture := func(t *testing.T, order ...int) (error, *critmin.Lot) {
		t.Helper()
		db, err := sqlite.Open(ctx, t.TempDir()+"/o.db")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		svc := ledger.NewService(db)
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		var list []string
		for _, i := range order {
			list = append(list, evs[i])
		}
		_, cerr := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, list...))})
		l, err := db.FindLot(ctx, "urn:t:lot:PK")
		if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Fatal(err)
		}
		return cerr, l
	}
	if err, l := capture(t, 0, 1, 2); err != nil || l == nil || !near(l.WetTonnes, 9.9) || l.Status != critmin.LotInStock || l.Location != fix15rPort || l.EventCount != 3 {
		t.Fatalf("in time order: %v, lot %+v; want 9.9 t in stock at the port, 3 events", err, l)
	}
	for _, c := range []struct {
		name  string
		order []int
		step  string
	}{
		{"shipment listed first", []int{1, 0, 2}, "shipping"},
		{"packing listed first", []int{3, 0}, "packing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err, l := capture(t, c.order...)
			fs := critmin.ErrorFields(err)
			if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) == 0 || !strings.HasPrefix(fs[0].Pointer, "/epcisBody/eventList/0/") || !strings.HasSuffix(fs[0].Pointer, "/0/epcClass") {
				t.Fatalf("%v (%+v); want 400 at event 0's epcClass", err, fs)
			}
			for _, want := range []string{"lot not known", "made later in this document, by event urn:t:ev:PK (commissioning, dated 2025-10-01T00:00:00Z), listed after this one",
				"an event of step " + c.step + " cannot act on it yet", "list event urn:t:ev:PK before this one"} {
				if !strings.Contains(fs[0].Reason, want) {
					t.Errorf("reason %q; want it to say %q", fs[0].Reason, want)
				}
			}
			if l != nil {
				t.Errorf("the lot was stored: %+v", l)
			}
		})
	}
}
