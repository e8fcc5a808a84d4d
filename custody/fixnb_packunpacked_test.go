package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// The new-user finding of issue 8 (fixNb item 1): a packing takes at
// most what stands of the lot unpacked at its site at its time. Lot PK,
// 10 t at the mine (feedAt); 4 t packed into C2 there, C2 shipped to the
// port and received there: the 4 t at the port are all in C2, the 6 t
// at the mine all loose.

// nbPack packs kg of lot PK into container c at site (AggregationEvent ADD).
func nbPack(id, at, site, c, kg string) string {
	return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	 "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}, "parentID": "urn:t:container:` + c + `",
	 "childQuantityList": [{"epcClass": "urn:t:lot:PK", "quantity": ` + kg + `, "uom": "KGM"}]}`
}

// nbShipC ships container c (its epcList alone) from site from to to
// under bill of lading bol.
func nbShipC(id, at, c, from, to, bol string) string {
	return fix15rEv(id, at, "shipping", `"disposition": "in_transit", "epcList": ["urn:t:container:`+c+`"],
	 "readPoint": {"id": "`+from+`"}, "bizLocation": {"id": "`+from+`"}, "destinationList": [{"type": "location", "destination": "`+to+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
}

// nbRecvC receives container c at site under bill of lading bol.
func nbRecvC(id, at, c, site, bol string) string {
	return fix15rEv(id, at, "receiving", `"disposition": "in_progress", "epcList": ["urn:t:container:`+c+`"],
	 "bizLocation": {"id": "`+site+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
}

// nbLot is lot PK, 10 t at the mine, with events stored.
func nbLot(t *testing.T, evs ...string) (*ledger.Service, custody.Store) {
	t.Helper()
	db := store(t, doc(map[string]string{"port": "controlled_blending"}, append([]string{feedAt("PK", "ree_concentrate", "PAK", 10, "Nd:5")}, evs...)...))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	return svc, db
}

// TestPackingTakesWhatStandsUnpacked: a container's packings go where
// the container goes (a dispatch naming it puts them at sea, its
// receipt at the receipt's site), so what stands unpacked at a site is
// what stands there less what is packed in the containers there.
func TestPackingTakesWhatStandsUnpacked(t *testing.T) {
	ctx := context.Background()
	trip := []string{nbPack("p1", "2025-10-02T00:00:00Z", fix15rMine, "C2", "4000"),
		nbShipC("s1", "2025-10-03T00:00:00Z", "C2", fix15rMine, fix15rPort, "X"),
		nbRecvC("r1", "2025-10-04T00:00:00Z", "C2", fix15rPort, "X")}
	capture := func(svc *ledger.Service, evs ...string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, evs...))})
		return err
	}
	refused := func(t *testing.T, err error, what, pointer string, says ...string) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Fatalf("%s: %v; want refused (conflict)", what, err)
		}
		fs := critmin.ErrorFields(err)
		if pointer != "" && (len(fs) == 0 || fs[0].Pointer != pointer) {
			t.Errorf("%s: fields %+v; want the first at %s", what, fs, pointer)
		}
		for _, s := range says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %v; want it to say %q", what, err, s)
			}
		}
	}
	holdsUp := func(t *testing.T, db custody.Store) {
		t.Helper()
		l, err := db.FindLot(ctx, "urn:t:lot:PK")
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.CheckHoldings(l); err != nil {
			t.Errorf("holdings: %v", err)
		}
	}

	t.Run("at the destination of its container", func(t *testing.T) {
		// At the port 4 t stand (the part C2 carried), 4 t of it in C2:
		// 4 − 4 = 0 t unpacked. 4 t into C4 there: 0 + 4 = 8 t packed
		// of 4 t > 4 × 1.005 = 4.02 t, refused; so is 1 t (5 > 4.02).
		svc, db := nbLot(t, trip...)
		refused(t, capture(svc, nbPack("p2", "2025-10-05T00:00:00Z", fix15rPort, "C4", "4000")), "4 t into C4 at the port",
			"/epcisBody/eventList/0/childQuantityList/0/quantity", "only 4 t of its 10 t stood there", "4 t of that is already packed there", "urn:t:container:C2", "0 t is left to pack there")
		refused(t, capture(svc, nbPack("p2", "2025-10-05T00:00:00Z", fix15rPort, "C4", "1000")), "1 t into C4 at the port", "", "0 t is left to pack there")
		// Unpacked from C2 at the port, 4 t stand loose there: 4 t into
		// C4 is taken.
		unpack := strings.Replace(nbPack("u1", "2025-10-05T00:00:00Z", fix15rPort, "C2", "4000"), `"ADD", "bizStep": "packing"`, `"DELETE", "bizStep": "unpacking"`, 1)
		if err := capture(svc, unpack, nbPack("p3", "2025-10-06T00:00:00Z", fix15rPort, "C4", "4000")); err != nil {
			t.Errorf("4 t into C4 at the port once C2 is unpacked there: %v", err)
		}
		holdsUp(t, db)
	})

	t.Run("where its container left", func(t *testing.T) {
		// C2 and its 4 t left the mine: 10 − 4 = 6 t stand there, none
		// packed. 6 t into C4 is taken (it was refused: C2's 4 t were
		// counted as packed there, 4 + 6 = 10 > 6.03 t); 1 t more into
		// C5 is refused: 6 + 1 = 7 > 6 × 1.005 = 6.03 t, 0 t left.
		svc, db := nbLot(t, trip[:2]...)
		if err := capture(svc, nbPack("p2", "2025-10-05T00:00:00Z", fix15rMine, "C4", "6000")); err != nil {
			t.Fatalf("6 t into C4 at the mine, where 6 t stand loose once C2 left: %v", err)
		}
		refused(t, capture(svc, nbPack("p3", "2025-10-06T00:00:00Z", fix15rMine, "C5", "1000")), "1 t more into C5 at the mine",
			"/epcisBody/eventList/0/childQuantityList/0/quantity", "only 6 t of its 10 t stood there", "6 t of that is already packed there", "urn:t:container:C4", "0 t is left to pack there")
		holdsUp(t, db)
	})

	t.Run("two packings in one document", func(t *testing.T) {
		// 6 t loose at the mine once C2 left: 4 t into C4 and 3 t into
		// C5 in one document are 7 t > 6.03 t, refused at the second;
		// 4 t and 2 t (6 t) are taken.
		svc, db := nbLot(t, trip[:2]...)
		refused(t, capture(svc, nbPack("p2", "2025-10-05T00:00:00Z", fix15rMine, "C4", "4000"), nbPack("p3", "2025-10-05T01:00:00Z", fix15rMine, "C5", "3000")),
			"4 t and 3 t in one document", "/epcisBody/eventList/1/childQuantityList/0/quantity", "2 t is left to pack there")
		if err := capture(svc, nbPack("p2", "2025-10-05T00:00:00Z", fix15rMine, "C4", "4000"), nbPack("p3", "2025-10-05T01:00:00Z", fix15rMine, "C5", "2000")); err != nil {
			t.Errorf("4 t and 2 t in one document (6 t loose): %v", err)
		}
		holdsUp(t, db)
	})

	t.Run("receipt and packing in one document", func(t *testing.T) {
		// C2's receipt at the port and 1 t packed there in one
		// document: the 4 t received are in C2, nothing stands loose.
		svc, _ := nbLot(t, trip[:2]...)
		refused(t, capture(svc, trip[2], nbPack("p2", "2025-10-05T00:00:00Z", fix15rPort, "C4", "1000")), "receipt of C2 and 1 t into C4 at the port", "", "0 t is left to pack there")
	})

	t.Run("while its container is at sea", func(t *testing.T) {
		// C2 at sea with 4 t: at the port nothing of the lot stands.
		svc, _ := nbLot(t, trip[:2]...)
		refused(t, capture(svc, nbPack("p2", "2025-10-05T00:00:00Z", fix15rPort, "C4", "1000")), "1 t at the port before C2 arrives", "", "not at urn:t:site:port")
	})

	t.Run("while the lot is in transit", func(t *testing.T) {
		// All 10 t shipped loose to the port: packed at the port before
		// the receipt, or at the mine it left, refused.
		svc, _ := nbLot(t, fix15rShip("s1", "2025-10-03T00:00:00Z", "PK", "10", fix15rMine, fix15rPort, "X", ""))
		refused(t, capture(svc, nbPack("p2", "2025-10-05T00:00:00Z", fix15rPort, "C4", "1000")), "1 t at the port in transit", "", "in transit")
		refused(t, capture(svc, nbPack("p2", "2025-10-05T00:00:00Z", fix15rMine, "C4", "1000")), "1 t at the mine it left", "", "in transit")
	})

	t.Run("where the lot is not", func(t *testing.T) {
		svc, _ := nbLot(t)
		refused(t, capture(svc, nbPack("p1", "2025-10-02T00:00:00Z", fix15rPort, "C2", "1000")), "1 t at the port", "", "not at urn:t:site:port")
	})

	t.Run("more than the whole lot", func(t *testing.T) {
		// 12 t of a 10 t lot: 12 > 10 × 1.005 = 10.05 t.
		svc, _ := nbLot(t)
		refused(t, capture(svc, nbPack("p1", "2025-10-02T00:00:00Z", fix15rMine, "C2", "12000")), "12 t of 10 t", "/epcisBody/eventList/0/childQuantityList/0/quantity", "12 t", "10 t")
	})
}
