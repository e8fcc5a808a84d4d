package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// nbShip ships 10 t of lot PK to the port under bill of lading bol,
// stating where it leaves by place: any of `"readPoint": …`,
// `"bizLocation": …` or `"sourceList": […]`.
func nbShip(id, at, step, bol, place string) string {
	return fix15rEv(id, at, step, `"disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 10, "uom": "TNE"}],
	 `+place+`, "destinationList": [{"type": "location", "destination": "`+fix15rPort+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
}

// TestShippedAgainWhereverThePlaceIsStated (issue 8, fixNb item 2): a
// lot shipped whole stays in transit until received, and a second
// shipment from where it left is refused whichever standard member
// states that place — readPoint, bizLocation or a source of type
// location — on either shipment, a source party beside it naming no
// place (a shipment stating only its
// bizLocation escaped the check: the tracker read readPoint and sources
// alone). The refusal names the place it left, never "an unstated
// place". Lot PK, 10 t at the mine; S1 ships all 10 t to the port under
// bill A, S2 10 t again from the mine under bill B.
func TestShippedAgainWhereverThePlaceIsStated(t *testing.T) {
	ctx := context.Background()
	places := map[string]string{
		"bizLocation":                    `"bizLocation": {"id": "` + fix15rMine + `"}`,
		"readPoint":                      `"readPoint": {"id": "` + fix15rMine + `"}`,
		"source":                         `"sourceList": [{"type": "location", "source": "` + fix15rMine + `"}]`,
		"bizLocation and a source party": `"bizLocation": {"id": "` + fix15rMine + `"}, "sourceList": [{"type": "owning_party", "source": "urn:t:party:fwo"}]`,
	}
	for first, p1 := range places {
		for _, second := range []string{"bizLocation", "readPoint"} {
			t.Run(first+" then "+second, func(t *testing.T) {
				svc, _ := nbLot(t, nbShip("s1", "2025-10-03T00:00:00Z", "shipping", "A", p1))
				_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, nbShip("s2", "2025-10-04T00:00:00Z", "shipping", "B", places[second])))})
				if critmin.ErrorCode(err) != critmin.ECONFLICT {
					t.Fatalf("shipped again from the mine while in transit: %v; want refused (conflict)", err)
				}
				for _, want := range []string{"shipping from " + fix15rMine + " to " + fix15rPort, "cannot be shipped from there again", "urn:t:ev:s1"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("refusal %v; want it to say %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "unstated place") {
					t.Errorf("refusal %v says an unstated place; the shipment stated %s", err, first)
				}
			})
		}
	}
	// Its departing under the same bill, stating only its bizLocation,
	// is a further step of the same trip and is taken.
	t.Run("departing of the same trip", func(t *testing.T) {
		svc, _ := nbLot(t, nbShip("s1", "2025-10-03T00:00:00Z", "shipping", "A", places["bizLocation"]))
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, nbShip("d1", "2025-10-04T00:00:00Z", "departing", "A", places["bizLocation"])))}); err != nil {
			t.Errorf("departing under bill A after its shipping: %v", err)
		}
	})
}
