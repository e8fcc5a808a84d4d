package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestRunConsumesOnlyWhatIsAtItsSite (issue 15, fix15b 2): lot H, 30 t
// at site mb (moisture 0). 10 t ship to urn:t:site:buyer under B/L BOL7
// and are received there (10 000 kg); 10 t more ship there under BOL8 and
// are in transit. At the buyer's site there are 10 t (BOL7's); 30 − 10 −
// 10 = 10 t remain at mb.
//
//   - a run at the buyer's site consuming 30 t: 30 > 10 + 30 × 0.005 =
//     10.15 t → refused, naming the 10 t received under BOL7, the 10 t in
//     transit and the 10 t at mb; nothing stored;
//   - a run there consuming 10 t (BOL7's part): accepted;
//   - a run at mb consuming 15 t: 15 > 10 + 0.15 → refused; 10 t accepted.
func TestRunConsumesOnlyWhatIsAtItsSite(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	if err := capture(svc, `{"type": "ObjectEvent", "eventID": "urn:t:ev:h0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:H", "quantity": 30, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`); err != nil {
		t.Fatal(err)
	}
	ship := func(id, when, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "shipping", "disposition": "in_transit", "readPoint": {"id": "urn:t:site:mb"}, "bizLocation": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:H", "quantity": 10, "uom": "TNE"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:buyer"}]}`
	}
	receive := `{"type": "ObjectEvent", "eventID": "urn:t:ev:h2", "eventTime": "2025-11-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "receiving", "disposition": "in_progress", "readPoint": {"id": "urn:t:site:buyer"}, "bizLocation": {"id": "urn:t:site:buyer"}, "quantityList": [{"epcClass": "urn:t:lot:H", "quantity": 10000, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BOL7"}]}`
	if err := capture(svc, ship("h1", "2025-11-02T00:00:00Z", "BOL7"), receive, ship("h3", "2025-11-12T00:00:00Z", "BOL8")); err != nil {
		t.Fatal(err)
	}
	run := func(id, site, tonnes, out string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizLocation": {"id": "urn:t:site:` + site + `"},
		  "inputQuantityList": [{"epcClass": "urn:t:lot:H", "quantity": ` + tonnes + `, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 1, "uom": "TNE"}]}`
	}
	err := capture(svc, run("r1", "buyer", "30", "HX1"))
	want := "input lot urn:t:lot:H: 30 t consumed at urn:t:site:buyer but only 10 t of it is there (10 t received under urn:t:bol:BOL7); 10 t in transit, 10 t remaining at urn:t:site:mb"
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
		t.Fatalf("30 t consumed where 10 t are:\n got %v\nwant %s", err, want)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:r1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused run was stored: %v", err)
	}
	// Named without a quantity (all of it) at the buyer, where only BOL7's
	// 10 t of the 30 t are (10 t at sea under BOL8, 10 t at mb): refused,
	// or the run's origin, element balance and credits would read 30 t.
	whole := strings.Replace(run("r1w", "buyer", "0", "HXW"), `, "quantity": 0, "uom": "TNE"}], "output`, `}], "output`, 1)
	err = capture(svc, whole)
	want = "input lot urn:t:lot:H is named without a quantity (all of it) but only 10 t of it is there (10 t received under urn:t:bol:BOL7); 10 t in transit, 10 t remaining at urn:t:site:mb: state the quantity this run consumes at urn:t:site:buyer"
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
		t.Fatalf("whole lot named where 10 of 30 t are:\n got %v\nwant %s", err, want)
	}
	if err := capture(svc, run("r2", "buyer", "10", "HX2")); err != nil {
		t.Fatalf("10 t consumed where BOL7's 10 t are: %v", err)
	}
	if err := capture(svc, run("r3", "mb", "15", "HX3")); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "only 10 t of it is there (10 t remaining where the lot stands)") {
		t.Errorf("15 t consumed at mb where 10 t remain: %v", err)
	}
	if err := capture(svc, run("r4", "mb", "10", "HX4")); err != nil {
		t.Fatalf("the 10 t remaining at mb: %v", err)
	}
}
