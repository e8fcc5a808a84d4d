package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// fixOeSample is a sampling (OBSERVE, sampling) of lot at site with one
// dry Nd assay, as the Sample form and the laboratory import write it.
func fixOeSample(id, at, lot, site string) string {
	return fix15rEv(id, at, "sampling", `"quantityList": [{"epcClass": "urn:t:lot:`+lot+`"}], "readPoint": {"id": "`+site+`"}, "bizLocation": {"id": "`+site+`"},
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 4, "uom": "P1", "cm:basis": "dry"}]}]`)
}

// TestSamplingWhereNothingStandsRefused (issue 15, n15 finding 3): lot
// SN, 10 t at the mine; 4 t shipped to the port and received there at
// 4 t; a run at the port takes all 4 t. What stands: 10 − 4 = 6 t at the
// mine, 4 − 4 = 0 t at the port. A sampling at the port assays nothing
// of the lot (an assay "in effect" on 0 t) and is refused 409, naming
// the port and where the lot stands (6 t at the mine), as a weighing
// there is; nothing is stored. Legitimate samplings stay taken: one at
// the mine (the body's 6 t), and one at the port of lot SP, whose 4 t
// part received there still stands (no run took it).
func TestSamplingWhereNothingStandsRefused(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		feedAt("SN", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "SN", "4", fix15rMine, fix15rPort, "SN1", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "SN", "4", fix15rPort, "SN1"),
		runT("run1", "run1", "2025-10-05T00:00:00Z", "port", "SN", 4, "SNO", 0.3, ""),
		feedAt("SP", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15rShip("d2", "2025-10-02T00:00:00Z", "SP", "4", fix15rMine, fix15rPort, "SP1", ""),
		fix15rRecv("r2", "2025-10-04T00:00:00Z", "SP", "4", fix15rPort, "SP1")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fixOeSample("s1", "2025-10-06T00:00:00Z", "SN", fix15rPort)))})
	refused409(t, db, "sampling of SN at the port, where the run took all 4 t", err, "s1", "nothing of lot urn:t:lot:SN stands at "+fix15rPort)
	if err != nil {
		for _, want := range []string{"sampling of lot urn:t:lot:SN", "6 t at " + fix15rMine, "taken by runs"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("refusal %q\n does not say %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "weighing") {
			t.Errorf("refusal %q calls the sampling a weighing", err)
		}
	}
	for _, c := range []struct{ what, ev string }{
		{"sampling of SN at the mine (6 t stand)", fixOeSample("s2", "2025-10-06T00:00:00Z", "SN", fix15rMine)},
		{"sampling of SP at the port (its 4 t part stands)", fixOeSample("s3", "2025-10-06T00:00:00Z", "SP", fix15rPort)},
	} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, c.ev))}); err != nil {
			t.Errorf("%s: refused: %v", c.what, err)
		}
	}
}
