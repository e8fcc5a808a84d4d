package custody_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestElsewhereNamesTheEventThatPutTheLotThere (issue 15, fix15b item 2):
// a refusal of an event at a site where the lot is not says since when
// the lot stands where it is by naming the event that put it there — its
// commissioning at the mine — not the last event recorded there. Lot W,
// 10 t commissioned at mine-PAK on 1 October (event urn:t:ev:W), has 4 t
// of it packed into a container at the mine on 5 October (urn:t:ev:WPK)
// and is sampled there on 6 October (urn:t:ev:WSM): neither moved it. An
// ADD of W at mb on 20 November is refused naming "since commissioning,
// event urn:t:ev:W on 2025-10-01"; before, it read "since sampling" (or
// "since packing", when the packing was the last event), as if that event
// had brought the lot to the mine.
func TestElsewhereNamesTheEventThatPutTheLotThere(t *testing.T) {
	_, svc := mbSvc(t)
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:WPK", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	 "parentID": "urn:t:box:W1", "childQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 4, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-PAK"}}`
	sample := `{"type": "ObjectEvent", "eventID": "urn:t:ev:WSM", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
	 "quantityList": [{"epcClass": "urn:t:lot:W"}], "bizLocation": {"id": "urn:t:site:mine-PAK"}}`
	add := `{"type": "ObjectEvent", "eventID": "urn:t:ev:WA", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "quantityList": [{"epcClass": "urn:t:lot:W"}], "bizLocation": {"id": "urn:t:site:mb"}}`
	if err := capture(svc, feedAt("W", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"), pack); err != nil {
		t.Fatal(err)
	}
	want := "lot urn:t:lot:W is at urn:t:site:mine-PAK at 2025-11-20T00:00:00Z (since commissioning, event urn:t:ev:W on 2025-10-01T00:00:00Z), not at urn:t:site:mb"
	err := capture(svc, add)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
		t.Errorf("after the packing:\n got %v\nwant ECONFLICT with %q", err, want)
	}
	if err := capture(svc, sample); err != nil {
		t.Fatal(err)
	}
	err = capture(svc, add)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
		t.Errorf("after the sampling:\n got %v\nwant ECONFLICT with %q", err, want)
	}
}
