package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// fix15r2Moisture is a moisture reading alone (pct per cent, no mass) of
// lot at site.
func fix15r2Moisture(id, at, lot, site, pct string) string {
	return fix15rEv(id, at, "inspecting", `"quantityList": [{"epcClass": "urn:t:lot:`+lot+`"}], "bizLocation": {"id": "`+site+`"},
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": `+pct+`, "uom": "P1"}]}]`)
}

// TestMoistureAtSiteOfSeveralParts (issue 15, fix15r2 item 2): lot SM,
// 30 t at the mine at 8 %; D1 ships 10 t to the port (at the body's 8 %),
// received there; D2 ships 5 t, received there with a reading of 4 %.
// What stands at the port, and what a weighing or a reading there is
// judged against:
//   - wet 10 + 5 = 15 t; dry 10 × 0.92 + 5 × 0.96 = 9.2 + 4.8 = 14.0 t;
//   - moisture: water 10 × 0.08 + 5 × 0.04 = 0.8 + 0.2 = 1.0 t in 15 t
//     = 6.667 % (custody.MoistureAt read the first part's 8 %).
//
// A reading of 10 % alone there moves it 10 − 6.667 = 3.33 points,
// beyond the 3 points a reading alone may move it: refused, worded on
// 15 t at 6.666667 %, dry 14 t → 15 × 0.90 = 13.5 t, (13.5 − 14) / 14 =
// −3.57 % (judged against 8 % it read 2 points and was taken). A reading
// of 9 % (2.33 points) is taken.
func TestMoistureAtSiteOfSeveralParts(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		strings.Replace(feedAt("SM", "ree_concentrate", "PAK", 30, "Nd:5"), `"cm:moisture": 0,`, `"cm:moisture": 0.08,`, 1),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "SM", "10", fix15rMine, fix15rPort, "D1", ""),
		fix15rRecv("r1", "2025-10-03T00:00:00Z", "SM", "10", fix15rPort, "D1"),
		fix15rShip("d2", "2025-10-04T00:00:00Z", "SM", "5", fix15rMine, fix15rPort, "D2", ""),
		strings.Replace(fix15rRecv("r2", "2025-10-05T00:00:00Z", "SM", "5", fix15rPort, "D2"), `"bizLocation"`,
			`"sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 4, "uom": "P1"}]}], "bizLocation"`, 1)))
	l, err := db.FindLot(ctx, "urn:t:lot:SM")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Parts) != 2 || l.Parts[1].Moisture == nil || !near(*l.Parts[1].Moisture, 0.04) {
		t.Fatalf("parts %+v; want D2's part at 4 %%", l.Parts)
	}
	if wet, dry := custody.StandingMass(l, fix15rPort); !near(wet, 15) || !near(dry, 14.0) {
		t.Errorf("standing at the port: %v t, %v t dry; want 15 t, 9.2 + 4.8 = 14.0 t", wet, dry)
	}
	if m := custody.MoistureAt(l, fix15rPort); m == nil || !near(*m, 1.0/15) {
		t.Errorf("moisture at the port: %v; want 1.0 / 15 = 6.667 %%", deref(m))
	}
	if m := custody.MoistureAt(l, fix15rMine); m == nil || !near(*m, 0.08) {
		t.Errorf("moisture at the mine (the body): %v; want 8 %%", deref(m))
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15r2Moisture("m1", "2025-10-06T00:00:00Z", "SM", fix15rPort, "10")))})
	if err == nil || !strings.Contains(err.Error(), "15 t at 6.666667 % moisture (dry 14 t)") || !strings.Contains(err.Error(), "dry 13.5 t") {
		t.Errorf("a 10 %% reading alone at the port: %v; want refused on 15 t at 6.666667 %% (dry 14 t → 13.5 t)", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15r2Moisture("m2", "2025-10-06T00:00:00Z", "SM", fix15rPort, "9")))}); err != nil {
		t.Errorf("a 9 %% reading alone at the port (2.33 points): %v; want taken", err)
	}
}

// deref is *m, or -1 for nil, for a test's message.
func deref(m *float64) float64 {
	if m == nil {
		return -1
	}
	return *m
}
