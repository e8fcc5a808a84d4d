package critmin_test

import (
	"reflect"
	"testing"

	"github.com/critmin/critmin"
	_ "github.com/critmin/critmin/epcis" // gives critmin the canonical form of identifiers
)

// TestEventDifferencesSameContent: the "they differ in" list of a 409
// names only the fields whose content differs, not those written another
// way: the stored event's EPC URN and the GS1 Digital Link a query result
// (and so a re-captured XML result) writes for it are one identifier
// (urn:epc:id:sgtin:0614141.107346.1 is GTIN 10614141073464 — indicator
// 1, check digit 4 — serial 1; sgln 0614141.00777.0 is GLN
// 0614141007776),
// and a number and its XML text (20, "20") one value; ex:note does
// differ.
func TestEventDifferencesSameContent(t *testing.T) {
	stored := `{"type": "ObjectEvent", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
		"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 20}]}], "ex:note": "a"}`
	sent := `{"type": "ObjectEvent", "epcList": ["https://id.gs1.org/01/10614141073464/21/1"], "readPoint": {"id": "https://id.gs1.org/414/0614141007776"},
		"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": "20"}]}], "ex:note": "b"}`
	if got, want := critmin.EventDifferences([]byte(stored), []byte(sent)), []string{"ex:note"}; !reflect.DeepEqual(got, want) {
		t.Errorf("differences %v, want %v", got, want)
	}
}
