package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestDocumentJudgedInEventTime (issue 8, fixNb item 3): EPCIS 2.0 does
// not require a document's events in time order, and they all arrive
// together, so capture judges them in event time. A document listing a
// shipment before its earlier-dated commissioning was refused 400 "lot
// not known". Lot PK: commissioned 10 t at the mine on 10-01; shipped
// whole to the port under X on 10-03; received there at 9.9 t on 10-04.
// Every order of the three is taken and stores the same lot: 9.9 t in
// stock at the port, 3 events, first 10-01, last 10-04. With containers:
// 4 t packed into C2 on 10-02, C2 shipped to the port on 10-03 and
// received there on 10-04, and 6 t shipped loose under Y on 10-05 — the
// commissioning listed after the packing, or the loose shipment before
// C2's receipt, the lot is 10 t: the C2 part of 4 t received at the
// port, 6 t in transit, 10 − 4 − 6 = 0 t at the mine. (A receipt listed
// before its shipment is judged by the store's back-dated check in the
// order listed, and may be refused 409 there; a container's move listed
// before its packing is refused 400, below.)
func TestDocumentJudgedInEventTime(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"port": "controlled_blending", "mine-PAK": "controlled_blending"}
	loose := []string{feedAt("PK", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15rShip("s1", "2025-10-03T00:00:00Z", "PK", "10", fix15rMine, fix15rPort, "X", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "PK", "9.9", fix15rPort, "X")}
	boxed := []string{feedAt("PK", "ree_concentrate", "PAK", 10, "Nd:5"),
		nbPack("p1", "2025-10-02T00:00:00Z", fix15rMine, "C2", "4000"),
		nbShipC("s1", "2025-10-03T00:00:00Z", "C2", fix15rMine, fix15rPort, "X"),
		nbRecvC("r1", "2025-10-04T00:00:00Z", "C2", fix15rPort, "X"),
		fix15rShip("s2", "2025-10-05T00:00:00Z", "PK", "6", fix15rMine, fix15rPort, "Y", "")}
	stored := func(t *testing.T, evs []string, order []int) (string, *critmin.Lot) {
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
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, list...))}); err != nil {
			t.Fatalf("order %v: %v", order, err)
		}
		l, err := db.FindLot(ctx, "urn:t:lot:PK")
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), l
	}
	t.Run("loose", func(t *testing.T) {
		want, l := stored(t, loose, []int{0, 1, 2})
		if !near(l.WetTonnes, 9.9) || l.Status != critmin.LotInStock || l.Location != fix15rPort || l.EventCount != 3 {
			t.Fatalf("in time order: %s; want 9.9 t in stock at the port, 3 events", want)
		}
		for _, order := range [][]int{{1, 0, 2}, {2, 1, 0}, {1, 2, 0}} {
			if got, _ := stored(t, loose, order); got != want {
				t.Errorf("order %v stored\n%s\nwant (time order)\n%s", order, got, want)
			}
		}
	})
	t.Run("in containers", func(t *testing.T) {
		want, l := stored(t, boxed, []int{0, 1, 2, 3, 4})
		var c2 *critmin.LotPart
		for i := range l.Parts {
			if l.Parts[i].BillOfLading == "urn:t:bol:X" {
				c2 = &l.Parts[i]
			}
		}
		// 10 t: 4 t received at the port in C2, 6 t at sea under Y.
		if !near(l.WetTonnes, 10) || c2 == nil || c2.Status != critmin.PartReceived || !near(c2.Mass(), 4) || !near(l.InTransitTonnes(), 6) {
			t.Fatalf("in time order: %s; want C2's 4 t received at the port and 6 t in transit", want)
		}
		for _, order := range [][]int{{1, 0, 2, 3, 4}, {0, 1, 2, 4, 3}} {
			if got, _ := stored(t, boxed, order); got != want {
				t.Errorf("order %v stored\n%s\nwant (time order)\n%s", order, got, want)
			}
		}
	})
	// What a container moved by its own identifier carries is read from
	// the packings listed before the move: C2's shipment listed before
	// its earlier-dated packing is refused 400 at its epcList, naming
	// the packing and saying to list it first, nothing stored.
	t.Run("container moved before its packing is listed", func(t *testing.T) {
		for _, order := range [][]int{{4, 3, 2, 1, 0}, {0, 2, 1, 3, 4}} {
			db, err := sqlite.Open(ctx, t.TempDir()+"/o.db")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			svc := ledger.NewService(db)
			svc.ClaimCheck = custody.CaptureClaimCheck(db)
			var list []string
			for _, i := range order {
				list = append(list, boxed[i])
			}
			_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, list...))})
			fs := critmin.ErrorFields(err)
			if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) == 0 || !strings.HasSuffix(fs[0].Pointer, "/epcList/0") ||
				!strings.Contains(fs[0].Reason, "packed or unpacked by event urn:t:ev:p1, dated 2025-10-02T00:00:00Z, listed later") || !strings.Contains(fs[0].Reason, "list event urn:t:ev:p1 before this one") {
				t.Errorf("order %v: %v (%+v); want 400 at the shipment's epcList naming packing p1", order, err, fs)
			}
			if _, err := db.FindLot(ctx, "urn:t:lot:PK"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
				t.Errorf("order %v: the lot was stored (%v)", order, err)
			}
		}
	})
}
