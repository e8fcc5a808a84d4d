package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
)

// Containers shipped and received by their own identifier (issue 8 §2,
// issue 15 §2; new-user finding nu32-7): a shipping or receiving
// ObjectEvent naming only the container's SSCC in its epcList moves the
// lots packed in it at that event's time (EPCIS 2.0 §7.3.5: an
// AggregationEvent ADD puts its children in the parent; what happens to
// the parent happens to its contents until a DELETE takes them out).

const csBox = "urn:epc:id:sscc:0614141.4000000007"

// csMove is an ObjectEvent of bizStep step on day (2025-10-dd) at site,
// naming only the container csBox in its epcList.
func csMove(id, step, disposition string, day int, site string) string {
	dest := ""
	if step == "shipping" {
		dest = `, "destinationList": [{"type": "location", "destination": "urn:t:site:port"}]`
	}
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + twoDigits(day) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", "disposition": "` + disposition + `",
	  "epcList": ["` + csBox + `"], "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}` + dest + `}`
}

// csLot commissions lot id, 10,000 kg of REE concentrate from Pakistan,
// at site mb on Oct 1.
func csLot(id string) string {
	return strings.Replace(ctLot(id, "PAK", 10000, "Nd:10"), "urn:t:site:mine-PAK", "urn:t:site:mb", 1)
}

func twoDigits(d int) string { return string([]byte{byte('0' + d/10), byte('0' + d%10)}) }

// testContainerShippedBySSCC: lot CS, 10,000 kg at site mb, is packed
// whole (10,000 kg) into S on Oct 2; S is shipped on Oct 3 naming only
// S: CS is in transit; S is received at the port on Oct 5 naming only S:
// CS is in stock at the port. The contents stored with each event are
// the one CS line of 10,000 kg; verify is clean, and an edited contents
// row is named.
func testContainerShippedBySSCC(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	const lot, mb, port = "urn:t:lot:CS", "urn:t:site:mb", "urn:t:site:port"
	MustCapture(t, svc, ctDoc(csLot("CS"), ctPack("cs-pack", "ADD", csBox, 2, "CS:10000")))
	if l := mustLot(t, s, lot); l.Status != critmin.LotInStock || l.Location != mb {
		t.Fatalf("CS after packing: %s at %s", l.Status, l.Location)
	}
	MustCapture(t, svc, ctDoc(csMove("cs-ship", "shipping", "in_transit", 3, mb)))
	if l := mustLot(t, s, lot); l.Status != critmin.LotInTransit {
		t.Errorf("CS after S (holding all 10 t of it) shipped by its SSCC alone: status %s at %s; want in_transit", l.Status, l.Location)
	}
	MustCapture(t, svc, ctDoc(csMove("cs-recv", "receiving", "in_progress", 5, port)))
	if l := mustLot(t, s, lot); l.Status != critmin.LotInStock || l.Location != port {
		t.Errorf("CS after S received at the port by its SSCC alone: %s at %s; want in_stock at %s", l.Status, l.Location, port)
	}
	var n int
	var kg float64
	db := s.(*sqldb.DB)
	if err := db.Write.QueryRowContext(context.Background(), `SELECT COUNT(*), COALESCE(SUM(quantity), 0) FROM event_contents WHERE canon = 'urn:t:lot:CS'`).Scan(&n, &kg); err != nil || n != 2 || !ctNear(kg, 20000) {
		t.Errorf("contents rows of CS: %d summing %v kg (%v); want 2 (shipping, receiving) of 10,000 kg each = 20,000", n, kg, err)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after shipping and receiving by SSCC: %v %v", rep.Problem, rep.Difference)
	}
	tamper(t, s, `UPDATE event_contents SET quantity = 1`)
	rep := verifyFull(t, s, nil, true)
	if d := rep.Difference; d == nil || d.Table != "event_contents" || !strings.Contains(d.Key, "urn:t:lot:CS") {
		t.Errorf("verify after an edited contents row: %+v %v; want a difference in event_contents naming CS", d, rep.Problem)
	}
}

// testContainerUnpackedNotShipped: CU, 10,000 kg at mb, packed into S on
// Oct 2 and unpacked (a DELETE emptying S) on Oct 2 at noon; S shipped by
// its SSCC on Oct 3 holds nothing: CU stays in stock where it was, and no
// contents row is stored.
func testContainerUnpackedNotShipped(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	const lot = "urn:t:lot:CU"
	unpack := strings.Replace(ctPack("cu-unpack", "DELETE", csBox, 2), "T00:00:00Z", "T12:00:00Z", 1)
	MustCapture(t, svc, ctDoc(csLot("CU"), ctPack("cu-pack", "ADD", csBox, 2, "CU:10000"), unpack))
	before := mustLot(t, s, lot)
	MustCapture(t, svc, ctDoc(csMove("cu-ship", "shipping", "in_transit", 3, "urn:t:site:mb")))
	if l := mustLot(t, s, lot); l.Status != before.Status || l.Location != before.Location || l.Status != critmin.LotInStock {
		t.Errorf("CU, unpacked from S before S shipped: %s at %s; want it left %s at %s", l.Status, l.Location, before.Status, before.Location)
	}
	var n int
	if err := s.(*sqldb.DB).Write.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM event_contents`).Scan(&n); err != nil || n != 0 {
		t.Errorf("contents rows after shipping the emptied S: %d (%v); want none", n, err)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testContainerDeclaredPackingNotShipped: CD's packing into S is declared
// in error; S shipped by its SSCC then holds nothing of CD, which stays
// in stock. The other order too: CE packed into S2, S2 shipped (CE in
// transit), then the packing declared in error: CE is back in stock at
// its site, and verify agrees.
func testContainerDeclaredPackingNotShipped(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	decl := func(ev string) string {
		return strings.TrimSuffix(strings.TrimSpace(ev), "}") + `, "errorDeclaration": {"declarationTime": "2025-10-02T06:00:00Z", "reason": "incorrect_data"}}`
	}
	pack := ctPack("cd-pack", "ADD", csBox, 2, "CD:10000")
	MustCapture(t, svc, ctDoc(csLot("CD"), pack))
	MustCapture(t, svc, ctDoc(decl(pack)))
	MustCapture(t, svc, ctDoc(csMove("cd-ship", "shipping", "in_transit", 3, "urn:t:site:mb")))
	if l := mustLot(t, s, "urn:t:lot:CD"); l.Status != critmin.LotInStock {
		t.Errorf("CD, whose packing into S is declared in error, after S shipped: %s at %s; want in_stock", l.Status, l.Location)
	}

	const box2 = "urn:epc:id:sscc:0614141.4000000014"
	pack2 := ctPack("ce-pack", "ADD", box2, 2, "CE:10000")
	ship2 := strings.ReplaceAll(csMove("ce-ship", "shipping", "in_transit", 3, "urn:t:site:mb"), csBox, box2)
	MustCapture(t, svc, ctDoc(csLot("CE"), pack2, ship2))
	if l := mustLot(t, s, "urn:t:lot:CE"); l.Status != critmin.LotInTransit {
		t.Fatalf("CE packed into S2 and S2 shipped: %s; want in_transit", l.Status)
	}
	MustCapture(t, svc, ctDoc(decl(pack2)))
	if l := mustLot(t, s, "urn:t:lot:CE"); l.Status != critmin.LotInStock {
		t.Errorf("CE after its packing into the shipped S2 was declared in error: %s at %s; want in_stock", l.Status, l.Location)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
