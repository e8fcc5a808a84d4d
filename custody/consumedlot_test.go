package custody_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// cbEvent is an event at site cb on 2025-10-<day> with the given JSON
// body (type, action, lists).
func cbEvent(id, day, body string) string {
	return `{"eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizLocation": {"id": "urn:t:site:cb"}, ` + body + `}`
}

// pack is the Pack form's AggregationEvent: lot into container c, with
// an optional child quantity in tonnes.
func pack(id, day, c, lot, tonnes string) string {
	q := ""
	if tonnes != "" {
		q = `, "quantity": ` + tonnes + `, "uom": "TNE"`
	}
	return cbEvent(id, day, `"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "parentID": "urn:t:container:`+c+`", "childQuantityList": [{"epcClass": "urn:t:lot:`+lot+`"`+q+`}]`)
}

// atCB is a feed lot commissioned at site cb rather than at its mine, so
// that it is packed and shipped where it is (whereabouts.go refuses a
// packing or shipping at a site the lot is not at).
func atCB(ev string) string {
	return strings.Replace(ev, `"bizLocation": {"id": "urn:t:site:mine-PAK"}`, `"bizLocation": {"id": "urn:t:site:cb"}`, 1)
}

// ship is the Ship form's ObjectEvent (shipping, in_transit) of a lot,
// with an optional quantity in kg.
func ship(id, day, lot, kg string) string {
	q := ""
	if kg != "" {
		q = `, "quantity": ` + kg + `, "uom": "KGM"`
	}
	return cbEvent(id, day, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`"`+q+`}]`)
}

// TestEventsOnConsumedLotRefused (issue 9, new-user check): lots
// commissioned at 20 t each (moisture 0). Run R (Oct 10) takes all 20 t
// of P: 20 − 20 = 0 t remain. Run R2 takes 15 t of Q: 20 − 15 = 5 t
// remain.
//
//   - packing P (5 t, or the whole lot), shipping P, receiving P: refused
//     naming P, run R and the 0 t that remain; P stays consumed with no
//     container (before the fix the packing brought P back in_stock and
//     made the container a source of P);
//   - a Sample form moisture of 50 % (0.5) on P: its dry mass would go from
//     20 × (1 − 0) = 20 t to 20 × (1 − 0.5) = 10 t, the mass R consumed:
//     refused, P keeps 20 t dry;
//   - packing 6 t of Q: 6 > 5 × … the 5 t that remain (+ 0.5 % of 20 t =
//     0.1 t tolerance): refused naming R2; 5 t is accepted;
//   - shipping 25,000 kg of S (20 t, no run): 25 t > 20 t × 1.005 =
//     20.1 t: refused, S keeps 20 t; 20,000 kg is accepted;
//   - a packing of P dated Oct 5, before R took it, is history: accepted.
func TestEventsOnConsumedLotRefused(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		atCB(feed("P", "ree_concentrate", "PAK", 20, "Nd:2")),
		atCB(feed("Q", "ree_concentrate", "PAK", 20, "Nd:2")),
		atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2")),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"P:20"}, product{lot: "Y", commodity: "ree_carbonate", t: 5, assays: []string{"Nd:5"}}),
		runOf("R2", "cb", "2025-10-10T00:00:00Z", []string{"Q:15"}, product{lot: "Y2", commodity: "ree_carbonate", t: 4, assays: []string{"Nd:5"}}),
	))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	cap := func(evs ...string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(map[string]string{"cb": "controlled_blending"}, evs...))})
		return err
	}
	refused := func(what string, err error, wants ...string) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("%s: %v, want ECONFLICT", what, err)
			return
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", what, err, w)
			}
		}
	}
	consumedP := []string{"lot urn:t:lot:P refused", "urn:t:ev:R", "20 t of its 20 t; 0 t remain"}
	refused("packing 5 t of consumed P", cap(pack("k1", "12", "C1", "P", "5")), append(consumedP, "pack it into urn:t:container:C1")...)
	refused("packing all of consumed P", cap(pack("k2", "12", "C1", "P", "")), consumedP...)
	refused("shipping consumed P", cap(ship("s1", "12", "P", "")), consumedP...)
	refused("receiving consumed P", cap(cbEvent("v1", "13", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 20, "uom": "TNE"}]`)), consumedP...)
	refused("moisture 0.5 on consumed P", cap(cbEvent("m1", "13", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "sampling", "quantityList": [{"epcClass": "urn:t:lot:P"}],
	  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 50, "uom": "P1"}]}]`)),
		"moisture of lot urn:t:lot:P refused", "from 20 t to 10 t")
	// The refusal points at the H2O report that states the moisture, not
	// at a cm:moisture the event does not have.
	err := cap(cbEvent("m1", "13", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "sampling", "quantityList": [{"epcClass": "urn:t:lot:P"}],
	  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 50, "uom": "P1"}]}]`))
	var ce *critmin.Error
	if !errors.As(err, &ce) || len(ce.Fields) == 0 || ce.Fields[0].Pointer != "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0" {
		t.Errorf("moisture refusal fields: %+v, want /epcisBody/eventList/0/sensorElementList/0/sensorReport/0", ce)
	}
	p, err := db.FindLot(ctx, "urn:t:lot:P")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != critmin.LotConsumed || !near(p.DryTonnes, 20) || p.RemainingWetTonnes() != 0 {
		t.Errorf("P after the refusals: %s, %v t dry, %v t remaining; want consumed, 20, 0", p.Status, p.DryTonnes, p.RemainingWetTonnes())
	}
	if c, err := db.FindLot(ctx, "urn:t:container:C1"); err == nil {
		t.Errorf("a refused packing stored container %s", c.ID)
	}
	// nuq10: the refusal points at the line that states the tonnes — the
	// packing's child line, the shipping's quantityList line — a member
	// the event has, not a bare /quantity.
	for _, c := range []struct{ what, ev, pointer string }{
		{"packing 6 t of Q (5 t remain)", pack("k3", "12", "C2", "Q", "6"), "/epcisBody/eventList/0/childQuantityList/0/quantity"},
		{"shipping 6,000 kg of Q (5 t remain)", ship("s0", "12", "Q", "6000"), "/epcisBody/eventList/0/quantityList/0/quantity"},
	} {
		err := cap(c.ev)
		refused(c.what, err, "lot urn:t:lot:Q refused", "6 t of it but only 5 t remain", "urn:t:ev:R2")
		if f := critmin.ErrorFields(err); len(f) != 1 || f[0].Pointer != c.pointer {
			t.Errorf("%s: fields %+v, want one at %s", c.what, f, c.pointer)
		}
		if q, err := db.FindLot(ctx, "urn:t:lot:Q"); err != nil || !near(q.RemainingWetTonnes(), 5) || q.Location != "urn:t:site:cb" {
			t.Errorf("%s: Q after the refusal %+v %v, want 5 t remaining at cb", c.what, q, err)
		}
	}
	if c, err := db.FindLot(ctx, "urn:t:container:C2"); err == nil {
		t.Errorf("a refused packing stored container %s", c.ID)
	}
	if err := cap(pack("k4", "12", "C2", "Q", "5")); err != nil {
		t.Errorf("packing the 5 t of Q that remain: %v", err)
	}
	refused("shipping 25,000 kg of 20 t S", cap(ship("s2", "12", "S", "25000")), "lot urn:t:lot:S refused", "states 25 t of it, but the lot holds 20 t")
	if s, err := db.FindLot(ctx, "urn:t:lot:S"); err != nil || !near(s.WetTonnes, 20) {
		t.Errorf("S after the refused shipment: %+v %v, want 20 t", s, err)
	}
	if err := cap(ship("s3", "12", "S", "20000")); err != nil {
		t.Errorf("shipping S's 20 t: %v", err)
	}
	if err := cap(pack("k5", "05", "C0", "P", "20")); err != nil {
		t.Errorf("packing P on Oct 5, before R took it: %v", err)
	}
}

// TestShipmentETAAndDestination (issue 15, new-user check): the Ship
// form's event (and the API's) with an ETA of Oct 11 for a departure on
// Oct 12 is refused naming cm:eta; one whose destination is the loading
// site cb is refused naming destinationList; with an ETA of Oct 30 to
// another port it is accepted.
func TestShipmentETAAndDestination(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	shipTo := func(id, dest, eta string) error {
		ev := cbEvent(id, "12", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:S"}],
		  "sourceList": [{"type": "location", "source": "urn:t:site:cb"}], "destinationList": [{"type": "location", "destination": "urn:t:site:`+dest+`"}], "cm:eta": "`+eta+`"`)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(map[string]string{"cb": "controlled_blending"}, ev))})
		return err
	}
	for _, c := range []struct{ dest, eta, ptr string }{
		{"hou", "2025-10-11T00:00:00Z", "/epcisBody/eventList/0/cm:eta"},
		{"cb", "2025-10-30T00:00:00Z", "/epcisBody/eventList/0/destinationList/0"},
	} {
		err := shipTo("x", c.dest, c.eta)
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) == 0 || fs[0].Pointer != c.ptr {
			t.Errorf("ship to %s, ETA %s: %v, want EINVALID at %s", c.dest, c.eta, err, c.ptr)
		}
	}
	if s, err := db.FindLot(ctx, "urn:t:lot:S"); err != nil || s.Status == critmin.LotInTransit {
		t.Errorf("a refused shipment was stored: %+v %v", s, err)
	}
	if err := shipTo("y", "hou", "2025-10-30T00:00:00Z"); err != nil {
		t.Errorf("a good shipment: %v", err)
	}
}

// TestReceiptBillOfLading (issue 15, new-user check): lot S (20 t) is
// shipped on bill of lading A. A receipt of S with 99,000 kg under bill
// of lading B, which never carried it, is refused naming B and S, and S
// keeps its 20 t; a receipt of lot U, which no event recorded, under A
// is refused naming U and A: A's recorded shipment carries S, not U (a
// first sighting that contradicts the record, firstsighting_test.go).
// The receipt under A is accepted.
func TestReceiptBillOfLading(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	capt := func(ev string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(map[string]string{"cb": "controlled_blending"}, ev))})
		return err
	}
	bol := func(b string) string {
		return `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + b + `"}]`
	}
	if err := capt(cbEvent("s1", "12", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:S"}], `+bol("A"))); err != nil {
		t.Fatal(err)
	}
	receive := func(id, lot, b string) error {
		return capt(cbEvent(id, "14", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": 99000, "uom": "KGM"}], `+bol(b)))
	}
	err := receive("r1", "S", "B")
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "lot urn:t:lot:S was not shipped on bill of lading urn:t:bol:B") {
		t.Errorf("receipt of S under B: %v", err)
	}
	if s, err := db.FindLot(ctx, "urn:t:lot:S"); err != nil || !near(s.WetTonnes, 20) {
		t.Errorf("S after the refused receipt: %+v %v, want 20 t", s, err)
	}
	err = receive("r2", "U", "A")
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "lot urn:t:lot:U was not shipped on bill of lading urn:t:bol:A") {
		t.Errorf("receipt of unknown U: %v", err)
	}
	if err := capt(cbEvent("r3", "14", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20000, "uom": "KGM"}], `+bol("A"))); err != nil {
		t.Errorf("receipt of S under A: %v", err)
	}
}
