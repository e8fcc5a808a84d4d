package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// f15ccEv is an ObjectEvent OBSERVE of lot L2 with body (its other
// members).
func f15ccEv(id, at, step, body string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
}

// f15ccH2O is a sensor report of moisture pct %.
func f15ccH2O(pct string) string {
	return `"sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": ` + pct + `, "uom": "P1"}]}]`
}

// f15ccL2 is the new user's lot L2 (issue 15, fix15c3): 20 t at the mine
// (MINE) at 10 % moisture; 5 t shipped to the port (HOU) under B/L C,
// received there at 5.02 t and 11 %; a run R at HOU takes 2 t (at 11 %):
// 3.02 t stand at HOU, the body's 15 t at MINE.
func f15ccL2(t *testing.T) (*ledger.Service, custody.Store) {
	t.Helper()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		strings.Replace(feedAt("L2", "ree_concentrate", "PAK", 20, "Nd:5"), `"cm:moisture": 0,`, `"cm:moisture": 0.10,`, 1),
		fix15rShip("s", "2025-10-02T00:00:00Z", "L2", "5", fix15rMine, fix15rPort, "C", ""),
		f15ccEv("r", "2025-10-03T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:L2", "quantity": 5.02, "uom": "TNE"}],
		 "bizLocation": {"id": "`+fix15rPort+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:C"}], `+f15ccH2O("11")),
		runOf("R", "port", "2025-10-04T00:00:00Z", []string{"L2:2"}, product{lot: "L2P", commodity: "ree_concentrate", t: 1, assays: []string{"Nd:5"}})))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	return svc, db
}

// f15ccPack packs kg of L2 into container c at site (AggregationEvent ADD).
func f15ccPack(id, at, kg, site, c string) string {
	return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	 "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}, "parentID": "urn:t:container:` + c + `",
	 "childQuantityList": [{"epcClass": "urn:t:lot:L2", "quantity": ` + kg + `, "uom": "KGM"}]}`
}

// TestPackingsAtPartSiteAddUp (issue 15, fix15c3 item 1): packings not
// undone add up (docs/forms.md), at a part's site against what stands
// there. L2 (f15ccL2): 3.02 t stand at HOU. 3,000 kg packed into
// CSQU3054383 at HOU is taken (3 ≤ 3.02 × 1.005 = 3.0351 t); 1,000 kg
// more into MSKU1234565 is refused: 3 + 1 = 4 t > 3.0351 t, and the
// reason names what stands (3.02 t) and what is already packed (3 t,
// CSQU3054383); the form preview (Service.Validate) of 2,000 kg more
// refuses as capture does. 20 kg more (3.02 ≤ 3.0351) is taken. Two
// packings of 2,000 kg at HOU in one document (4 t) are refused. At the
// body's site, MINE, 15 t stand: 10 t packed, then 6 t more (16 t >
// 15 × 1.005 = 15.075 t) is refused, 5 t more (15 t) taken.
func TestPackingsAtPartSiteAddUp(t *testing.T) {
	ctx := context.Background()
	svc, _ := f15ccL2(t)
	capture := func(evs ...string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, evs...))})
		return err
	}
	// Two packings in one document, 2 t + 2 t = 4 t at HOU where 3.02 t stand.
	if err := capture(f15ccPack("d1", "2025-10-05T00:00:00Z", "2000", fix15rPort, "D1"), f15ccPack("d2", "2025-10-05T01:00:00Z", "2000", fix15rPort, "D2")); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("two packings of 2 t in one document at HOU (3.02 t stand): %v; want refused", err)
	}
	if err := capture(f15ccPack("p1", "2025-10-05T00:00:00Z", "3000", fix15rPort, "CSQU3054383")); err != nil {
		t.Fatalf("3,000 kg packed at HOU (3.02 t stand): %v", err)
	}
	err := capture(f15ccPack("p2", "2025-10-06T00:00:00Z", "1000", fix15rPort, "MSKU1234565"))
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("1,000 kg more packed at HOU: %v; want refused (3 + 1 = 4 t > 3.035 t)", err)
	}
	for _, want := range []string{"3.02 t", "3 t", "CSQU3054383"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not name %q", err, want)
		}
	}
	errs, err := svc.Validate(ctx, []byte(doc(nil, f15ccPack("p3", "2025-10-06T00:00:00Z", "2000", fix15rPort, "MSKU1234565"))))
	refused := err != nil
	for _, e := range errs {
		refused = refused || len(e) > 0
	}
	if !refused {
		t.Errorf("preview of 2,000 kg more at HOU: no error; want refused as capture")
	}
	if err := capture(f15ccPack("p4", "2025-10-06T00:00:00Z", "20", fix15rPort, "MSKU1234565")); err != nil {
		t.Errorf("20 kg more at HOU (3.02 t packed of 3.02 t): %v", err)
	}
	// The body's site.
	if err := capture(f15ccPack("b1", "2025-10-05T00:00:00Z", "10000", fix15rMine, "B1")); err != nil {
		t.Fatalf("10 t packed at MINE (15 t stand): %v", err)
	}
	if err := capture(f15ccPack("b2", "2025-10-06T00:00:00Z", "6000", fix15rMine, "B2")); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "15 t") {
		t.Errorf("6 t more packed at MINE (10 t of 15 t packed): %v; want refused naming 15 t", err)
	}
	if err := capture(f15ccPack("b3", "2025-10-06T00:00:00Z", "5000", fix15rMine, "B3")); err != nil {
		t.Errorf("5 t more packed at MINE (10 + 5 = 15 t): %v", err)
	}
}

// TestPartDryKeepsRunTakesMoisture (issue 15, fix15c3 item 2): a run's
// take of a part keeps its moisture (docs/identity.md), so a later
// reading dries only what is left. L2 (f15ccL2): the run took 2 t at
// 11 %; then 12 % is read at HOU:
//
//	part dry 2 × 0.89 + 3.02 × 0.88 = 1.78 + 2.6576 = 4.4376 t
//	lot dry  15 × 0.90 + 4.4376 = 13.5 + 4.4376 = 17.9376 t
//	(it read 5.02 × 0.88 = 4.4176 and 17.9176)
//
// standing at HOU 3.02 t, 2.6576 t dry. A weighbridge ticket of 3,000 kg
// at 12 % at HOU then makes the part 3 + 2 = 5 t: dry 1.78 + 3 × 0.88 =
// 4.42 t (it read 4.4), the lot 17.92 t.
func TestPartDryKeepsRunTakesMoisture(t *testing.T) {
	ctx := context.Background()
	svc, db := f15ccL2(t)
	read := f15ccEv("m", "2025-10-05T00:00:00Z", "sampling", `"quantityList": [{"epcClass": "urn:t:lot:L2"}], "bizLocation": {"id": "`+fix15rPort+`"}, `+f15ccH2O("12"))
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, read))}); err != nil {
		t.Fatal(err)
	}
	check := func(stage string, partDry, lotDry, hereWet, hereDry float64) {
		t.Helper()
		l, err := db.FindLot(ctx, "urn:t:lot:L2")
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Parts) != 1 {
			t.Fatalf("%s: parts %+v", stage, l.Parts)
		}
		if d := l.Parts[0].DryTonnes(l.Moisture); math.Abs(d-partDry) > 1e-9 {
			t.Errorf("%s: part dry %v t; want %v", stage, d, partDry)
		}
		if math.Abs(l.DryTonnes-lotDry) > 1e-9 || math.Abs(l.PartsDryTonnes()-partDry) > 1e-9 {
			t.Errorf("%s: lot dry %v t, parts dry %v; want %v, %v", stage, l.DryTonnes, l.PartsDryTonnes(), lotDry, partDry)
		}
		if wet, dry := custody.StandingMass(l, fix15rPort); math.Abs(wet-hereWet) > 1e-9 || math.Abs(dry-hereDry) > 1e-9 {
			t.Errorf("%s: standing at HOU %v t, %v t dry; want %v, %v", stage, wet, dry, hereWet, hereDry)
		}
	}
	check("after 12 %", 1.78+3.02*0.88, 13.5+1.78+3.02*0.88, 3.02, 3.02*0.88)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, ticketAt("w", "2025-10-06T00:00:00Z", fix15rPort, "urn:t:lot:L2", "3000", "12")))}); err != nil {
		t.Fatal(err)
	}
	check("after the 3,000 kg ticket", 1.78+3*0.88, 13.5+1.78+3*0.88, 3, 3*0.88)
}
