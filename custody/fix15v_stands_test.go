package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestNoBodyEveryKindSaysWhereItStands (issue 15, fix15v D1): lot B1,
// 20 t at the mine, leaves whole as 12 t to the port (received 11.9 t)
// and 8 t to the quay (received 8 t): 11.9 + 8 = 19.9 t stand, none at
// the mine or the hub. Every event kind the location check judges — a
// sampling, a plain observation, a weighing, a shipping, a run's input —
// at the hub or back at the mine, days after both receipts, is refused
// saying where the lot stands ("11.9 t at the port, 8 t at the quay"),
// never that it is in transit.
func TestNoBodyEveryKindSaysWhereItStands(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending", "quay": "controlled_blending", "hub": "controlled_blending"},
		feedAt("B1", "ree_concentrate", "PAK", 20, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "B1", "12", fix15rMine, fix15rPort, "A", ""),
		fix15rShip("d2", "2025-10-02T06:00:00Z", "B1", "8", fix15rMine, fix15rQuay, "B", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "B1", "11.9", fix15rPort, "A"),
		fix15rRecv("r2", "2025-10-04T06:00:00Z", "B1", "8", fix15rQuay, "B")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	qty := `"quantityList": [{"epcClass": "urn:t:lot:B1", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "`
	for _, site := range []string{fix15tHub, fix15rMine} {
		for _, c := range []struct{ what, ev string }{
			{"sampling", fix15rEv("s", "2025-11-09T00:00:00Z", "sampling", qty+site+`"}`)},
			{"observation", fix15rEv("o", "2025-11-09T00:00:00Z", "storing", qty+site+`"}`)},
			{"weighing", fix15rWeigh("w", "2025-11-09T00:00:00Z", "B1", "1", site)},
			{"shipping", fix15rShip("x", "2025-11-09T00:00:00Z", "B1", "1", site, fix15rRefin, "X", "")},
			{"run input", `{"type": "TransformationEvent", "eventID": "urn:t:ev:run", "eventTime": "2025-11-09T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:1",
			 "inputQuantityList": [{"epcClass": "urn:t:lot:B1", "quantity": 1, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:B1-out", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "` + site + `"}}`},
		} {
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, c.ev))})
			if err == nil {
				t.Errorf("%s at %s, where nothing of lot B1 stands, was taken", c.what, site)
				continue
			}
			for _, want := range []string{"nothing of lot urn:t:lot:B1 stands at " + site, "11.9 t at " + fix15rPort, "8 t at " + fix15rQuay} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s at %s: refusal %q\n does not say %q", c.what, site, err, want)
				}
			}
			if strings.Contains(err.Error(), "in transit at") {
				t.Errorf("%s at %s: refusal says in transit: %q", c.what, site, err)
			}
		}
	}
}
