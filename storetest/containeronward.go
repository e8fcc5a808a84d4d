package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// After a trip a container holds what it carried (new-user finding
// nu38a-b): a shipment naming container C and a line of lot L stating
// less than was packed in C carried the line's share (ledger.Carried),
// so what C holds of L from then on — onward by its identifier alone,
// received at the end of that onward trip, released by an unpacking —
// is what it carried, not what was packed.

// coOnward is ctShipTo from site from with bizStep step.
func coOnward(id, step, bol, from, dest string, day int, boxes []string) string {
	ev := ctShipTo(id, bol, dest, day, boxes)
	ev = strings.ReplaceAll(ev, `{"id": "urn:t:site:mb"}`, `{"id": "`+from+`"}`)
	return strings.Replace(ev, `"bizStep": "shipping"`, `"bizStep": "`+step+`"`, 1)
}

// coContents is the kilograms stored as what event id moved of lots in
// containers (event_contents).
func coContents(t *testing.T, s critmin.Store, id string) float64 {
	t.Helper()
	var kg float64
	if err := s.(*sqldb.DB).Write.QueryRowContext(context.Background(), `SELECT COALESCE(SUM(quantity), 0) FROM event_contents WHERE event_id = ?`, id).Scan(&kg); err != nil {
		t.Fatal(err)
	}
	return kg
}

// testContainerOnwardCarries: lot GO, 10,000 kg at mb; 6,000 kg of it
// packed into C1 on Oct 2; C1 shipped to khi on Oct 3 under BOL-G beside
// a line "GO 5,000 kg" (C1 carried 5 t: 6 t packed, the line says 5 t
// moved) and received at khi by C1 alone on Oct 5 (5 t). On Oct 6 C1
// alone leaves khi for port under BOL-H, by shipping, departing or
// loading: accepted (before, refused: "takes 6 t" with 5 t at khi), and
// it moves 6 − (6 − 5) = 5 t = 5,000 kg; shipped, it is received at port
// by C1 alone on Oct 8: 5,000 kg received. verify agrees.
func testContainerOnwardCarries(t *testing.T, open Opener) {
	const khi, port = "urn:t:site:khi", "urn:t:site:port"
	for _, step := range []string{"shipping", "departing", "loading"} {
		t.Run(step, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			MustCapture(t, svc, ctDoc(csLot("GO"), ctPack("go-pack", "ADD", cbC1, 2, "GO:6000")))
			MustCapture(t, svc, ctDoc(ccShip("go-ship", "urn:t:bol:BOL-G", 3, []string{cbC1}, "GO:5000")))
			MustCapture(t, svc, ctDoc(ctRecvAt("go-recv", "urn:t:bol:BOL-G", khi, 5, []string{cbC1})))
			if kg := coContents(t, s, "urn:t:ev:go-recv"); !ctNear(kg, 5000) {
				t.Fatalf("C1 received at khi: %v kg; want 5,000", kg)
			}
			MustCapture(t, svc, ctDoc(coOnward("go-on", step, "urn:t:bol:BOL-H", khi, port, 6, []string{cbC1})))
			if kg := coContents(t, s, "urn:t:ev:go-on"); !ctNear(kg, 5000) {
				t.Errorf("C1 %s onward from khi: moved %v kg of GO; want 5,000 (what C1 carried and was received)", step, kg)
			}
			if step == "shipping" {
				if l := mustLot(t, s, "urn:t:lot:GO"); !ctNear(l.InTransitTonnes(), 5) || !ctNear(l.RemainingWetTonnes(), 5) {
					t.Errorf("GO after C1 shipped on from khi: %v t in transit, %v t left; want 5 and 5 (at mb)", l.InTransitTonnes(), l.RemainingWetTonnes())
				}
			}
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
			if step != "shipping" {
				return // a receipt under BOL-H needs its shipping
			}
			MustCapture(t, svc, ctDoc(ctRecvAt("go-recv2", "urn:t:bol:BOL-H", port, 8, []string{cbC1})))
			if kg := coContents(t, s, "urn:t:ev:go-recv2"); !ctNear(kg, 5000) {
				t.Errorf("C1 received at port after %s from khi: %v kg of GO; want 5,000", step, kg)
			}
			l := mustLot(t, s, "urn:t:lot:GO")
			var at float64
			for _, p := range l.Parts {
				if p.Status == critmin.PartReceived && p.To == port {
					at += p.Mass()
				}
			}
			if !ctNear(at, 5) || !ctNear(l.InTransitTonnes(), 0) {
				t.Errorf("GO received at port: %v t, %v t in transit (parts %+v); want 5 t and none", at, l.InTransitTonnes(), l.Parts)
			}
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}
