package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// Every check capture applies to an event naming a lot applies equally
// when the event moves the lot through a container it names, in either
// spelling of the container's SSCC (new-user finding nu36: receipts of a
// container skipped the bill-of-lading check, a shipment naming a
// container and its lot by quantity counted only one of them, an emptied
// container still carried a consumed lot).

// ccRecv is a receiving ObjectEvent on day (2025-10-dd) at Karachi naming
// only container box (any spelling) in its epcList, under bill of lading
// bol ("" for none).
func ccRecv(id, box, bol string, day int) string {
	bt := ""
	if bol != "" {
		bt = `, "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}]`
	}
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + twoDigits(day) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	  "epcList": ["` + box + `"], "readPoint": {"id": "urn:t:site:khi"}, "bizLocation": {"id": "urn:t:site:khi"}` + bt + `}`
}

// ccShip is a shipping ObjectEvent from mb on day under bill of lading
// bol naming containers boxes in its epcList and lots "lot:kg" in its
// quantityList.
func ccShip(id, bol string, day int, boxes []string, lots ...string) string {
	var qs []string
	for _, l := range lots {
		lot, kg, _ := strings.Cut(l, ":")
		qs = append(qs, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+kg+`, "uom": "KGM"}`)
	}
	epcs := ""
	if len(boxes) > 0 {
		epcs = `"epcList": ["` + strings.Join(boxes, `", "`) + `"], `
	}
	ql := ""
	if len(qs) > 0 {
		ql = `"quantityList": [` + strings.Join(qs, ", ") + `], `
	}
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + twoDigits(day) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  ` + epcs + ql + `"readPoint": {"id": "urn:t:site:mb"}, "bizLocation": {"id": "urn:t:site:mb"},
	  "destinationList": [{"type": "location", "destination": "urn:t:site:khi"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}]}`
}

// ccEvents counts the stored events.
func ccEvents(t *testing.T, s critmin.Store) int {
	t.Helper()
	var n int
	if err := s.(*sqldb.DB).Write.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// ccRefused captures body through the checked service (custody.NewService,
// as critmin serve does) and wants it refused with a reason holding every
// one of words, and nothing stored.
func ccRefused(t *testing.T, s critmin.Store, what, body string, words ...string) {
	t.Helper()
	before := ccEvents(t, s)
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(body)})
	if err == nil {
		t.Errorf("%s: accepted; want refused", what)
		return
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: refusal %q does not name %q", what, err.Error(), w)
		}
	}
	if after := ccEvents(t, s); after != before {
		t.Errorf("%s: %d events stored after a refusal, had %d", what, after, before)
	}
}

// testContainerReceiptChecked: lot RA, 10,000 kg at mb, packed whole into
// S on Oct 2 and never shipped. S received at Karachi on Oct 5 by its
// SSCC (EPC URN, then Digital Link) under bill of lading urn:t:bol:NONE,
// which no shipment used, is refused as a receipt of RA by quantity is,
// naming RA, S and the bill. RA stays 10 t in stock at mb. Then S shipped
// under BOL-1 on Oct 3 and received under BOL-1 on Oct 5 in its Digital
// Link spelling is accepted: RA is at Karachi.
func testContainerReceiptChecked(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const lot, mb = "urn:t:lot:RA", "urn:t:site:mb"
	dl := epcis.Canonical(csBox)
	MustCapture(t, svc, ctDoc(csLot("RA"), ctPack("ra-pack", "ADD", csBox, 2, "RA:10000")))
	for _, box := range []string{csBox, dl} {
		ccRefused(t, s, "receipt of the unshipped S ("+box+") under a bill no shipment used", ctDoc(ccRecv("ra-recv", box, "urn:t:bol:NONE", 5)), lot, box, "urn:t:bol:NONE")
	}
	if l := mustLot(t, s, lot); l.Status != critmin.LotInStock || l.Location != mb || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Errorf("RA after refused receipts: %s at %s, %v t left; want in_stock at %s with 10 t", l.Status, l.Location, l.RemainingWetTonnes(), mb)
	}
	MustCapture(t, svc, ctDoc(ccShip("ra-ship", "urn:t:bol:BOL-1", 3, []string{csBox})))
	// A bill of lading that carried S, but a receipt under another.
	ccRefused(t, s, "receipt of the shipped S under a bill that did not carry it", ctDoc(ccRecv("ra-recv", dl, "urn:t:bol:NONE", 5)), lot, dl, "urn:t:bol:NONE")
	MustCapture(t, svc, ctDoc(ccRecv("ra-recv", dl, "urn:t:bol:BOL-1", 5)))
	if l := mustLot(t, s, lot); l.Status != critmin.LotInStock || l.Location != "urn:t:site:khi" {
		t.Errorf("RA after S shipped and received under BOL-1: %s at %s; want in_stock at Karachi", l.Status, l.Location)
	}
}

// testContainerAndLotInOneShipment: lot KH, 10,000 kg at mb; 4,000 kg of
// it packed into C5 on Oct 2. The standing check counts what a container
// carries as it counts a lot named by quantity:
//   - in one document, C5 shipped by its SSCC alone on Oct 3 (4,000 kg of
//     KH) and 7,000 kg of KH shipped on Oct 4: 4,000 + 7,000 = 11,000 kg
//     of a 10,000 kg lot — refused, nothing stored;
//   - one event naming C5 and 6,000 kg of KH ships 6,000 kg, C5's 4,000
//     among them (the line states what moved of the lot, the container's
//     contents included, as the demo's departure of MSKU1234565 "with 25
//     t of REE-2025-001 in it" does): 10 − 6 = 4 t stay at mb, 6 t in
//     transit; a further 5,000 kg is refused (5 > 4 t left), 4,000 kg is
//     taken (nothing left, 10 t in transit);
//   - verify rebuilds the same.
func testContainerAndLotInOneShipment(t *testing.T, open Opener) {
	const c5 = "urn:epc:id:sscc:0614141.4000000021"
	{
		s := open(t)
		MustCapture(t, custody.NewService(s), ctDoc(csLot("KH"), ctPack("kh-pack", "ADD", c5, 2, "KH:4000")))
		ccRefused(t, s, "C5 (4,000 kg of KH) shipped by its SSCC, then 7,000 kg of KH, in one document",
			ctDoc(ccShip("kh-ship", "urn:t:bol:KH-1", 3, []string{epcis.Canonical(c5)}), ccShip("kh-ship2", "urn:t:bol:KH-2", 4, nil, "KH:7000")), "urn:t:lot:KH")
		if l := mustLot(t, s, "urn:t:lot:KH"); !ctNear(l.RemainingWetTonnes(), 10) || len(l.Parts) != 0 {
			t.Errorf("KH after the refused document: %v t left, %d parts; want 10 t and none", l.RemainingWetTonnes(), len(l.Parts))
		}
	}
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("KH"), ctPack("kh-pack", "ADD", c5, 2, "KH:4000")))
	MustCapture(t, svc, ctDoc(ccShip("kh-ship", "urn:t:bol:KH-1", 3, []string{epcis.Canonical(c5)}, "KH:6000")))
	l := mustLot(t, s, "urn:t:lot:KH")
	if !ctNear(l.RemainingWetTonnes(), 4) || !ctNear(l.InTransitTonnes(), 6) {
		t.Errorf("KH after C5 (4 t) and 6 t of it named in one shipment: %v t left at %s, %v t in transit; want 10 − 6 = 4 t left, 6 t in transit", l.RemainingWetTonnes(), l.Location, l.InTransitTonnes())
	}
	ccRefused(t, s, "a further 5,000 kg of KH shipped from mb (4 t left)", ctDoc(ccShip("kh-ship2", "urn:t:bol:KH-2", 4, nil, "KH:5000")), "urn:t:lot:KH")
	MustCapture(t, svc, ctDoc(ccShip("kh-ship2", "urn:t:bol:KH-2", 4, nil, "KH:4000")))
	if l := mustLot(t, s, "urn:t:lot:KH"); !ctNear(l.RemainingWetTonnes(), 0) || !ctNear(l.InTransitTonnes(), 10) {
		t.Errorf("KH after 6 t and 4 t shipped: %v t left, %v t in transit; want 0 and 10", l.RemainingWetTonnes(), l.InTransitTonnes())
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testContainerConsumedLotNotMoved: lot KC, 10,000 kg at mb, packed whole
// into S on Oct 2; a run at mb on Oct 3 consumes all 10,000 kg of KC,
// making KP. S shipped on Oct 4 and received at the port on Oct 6 holds
// nothing: KC stays consumed at mb, and no contents row is stored with
// either event.
func testContainerConsumedLotNotMoved(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:kc-run", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:KC", "quantity": 10000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:KP", "quantity": 9000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 11, "cm:unit": "%", "cm:basis": "dry"}]}}`
	MustCapture(t, svc, ctDoc(csLot("KC"), ctPack("kc-pack", "ADD", csBox, 2, "KC:10000"), run))
	MustCapture(t, svc, ctDoc(csMove("kc-ship", "shipping", "in_transit", 4, "urn:t:site:mb")))
	MustCapture(t, svc, ctDoc(csMove("kc-recv", "receiving", "in_progress", 6, "urn:t:site:port")))
	if l := mustLot(t, s, "urn:t:lot:KC"); l.Status != critmin.LotConsumed || l.Location != "urn:t:site:mb" {
		t.Errorf("KC, consumed before S shipped and received at the port: %s at %s; want consumed at mb", l.Status, l.Location)
	}
	var n int
	if err := s.(*sqldb.DB).Write.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM event_contents`).Scan(&n); err != nil || n != 0 {
		t.Errorf("contents rows after shipping S emptied by a run: %d (%v); want none", n, err)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
