package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/critmin/critmin"
)

// testLotListLinks (fix9d item 5): the lot list gives each lot the
// genealogy the single lot view gives it. Run R at mb consumes lots P1
// and P2 (10 t each) and makes Q (5 t): FindLots must list Q with
// parents [P1 P2] and each P with children [Q], as FindLot does — not [].
func testLotListLinks(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:P1", "quantity": 10000, "uom": "KGM"}, {"epcClass": "urn:t:lot:P2", "quantity": 10000, "uom": "KGM"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}}`
	MustCapture(t, svc, ctDoc(ctLot("P1", "PAK", 10000, "Nd:4"), ctLot("P2", "PAK", 10000, "Nd:4")))
	MustCapture(t, svc, ctDoc(run))
	lots, _, err := s.FindLots(ctx, critmin.LotFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(lots) != 3 {
		t.Fatalf("%d lots listed, want P1, P2, Q", len(lots))
	}
	for _, l := range lots {
		one, err := s.FindLot(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(l.Parents, one.Parents) || !slices.Equal(l.Children, one.Children) {
			t.Errorf("lot %s listed with parents %v children %v; the lot view gives %v and %v", l.ID, l.Parents, l.Children, one.Parents, one.Children)
		}
		switch l.ID {
		case "urn:t:lot:Q":
			if !slices.Equal(l.Parents, []string{"urn:t:lot:P1", "urn:t:lot:P2"}) {
				t.Errorf("Q's parents %v, want P1 and P2", l.Parents)
			}
		default:
			if !slices.Equal(l.Children, []string{"urn:t:lot:Q"}) {
				t.Errorf("%s's children %v, want Q", l.ID, l.Children)
			}
		}
	}
}
