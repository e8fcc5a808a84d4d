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
// 4 t; all 4 t shipped on from the port to the quay and received there.
// What stands: 10 − 4 = 6 t at the mine, 4 − 4 = 0 t at the port, 4 t at
// the quay. A sampling at the port assays nothing of the lot (its assay
// would be in effect on 0 t; the material is at the quay) and is
// refused 409, naming the port and where the lot stands (6 t at the
// mine, 4 t at the quay), as a weighing there is; nothing is stored.
// Legitimate samplings stay taken: SN at the mine (the body's 6 t) and
// at the quay (the 4 t part); SP at the port, whose 4 t part received
// there still stands; and SR at the port, whose 4 t part received there
// a run took whole — a later assay of a run's input (a final or umpire
// assay), taken and flagged assay_after_run (docs/origin.md, "An input
// assayed after the run"), as for a lot consumed where its body stood.
func TestSamplingWhereNothingStandsRefused(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		feedAt("SN", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "SN", "4", fix15rMine, fix15rPort, "SN1", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "SN", "4", fix15rPort, "SN1"),
		fix15rShip("d1b", "2025-10-05T00:00:00Z", "SN", "4", fix15rPort, fix15rQuay, "SN2", ""),
		fix15rRecv("r1b", "2025-10-05T12:00:00Z", "SN", "4", fix15rQuay, "SN2"),
		feedAt("SP", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15rShip("d2", "2025-10-02T00:00:00Z", "SP", "4", fix15rMine, fix15rPort, "SP1", ""),
		fix15rRecv("r2", "2025-10-04T00:00:00Z", "SP", "4", fix15rPort, "SP1"),
		feedAt("SR", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15rShip("d3", "2025-10-02T00:00:00Z", "SR", "4", fix15rMine, fix15rPort, "SR1", ""),
		fix15rRecv("r3", "2025-10-04T00:00:00Z", "SR", "4", fix15rPort, "SR1"),
		runT("run1", "run1", "2025-10-05T00:00:00Z", "port", "SR", 4, "SRO", 0.3, "")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fixOeSample("s1", "2025-10-06T00:00:00Z", "SN", fix15rPort)))})
	refused409(t, db, "sampling of SN at the port, whose 4 t were shipped on to the quay", err, "s1", "nothing of lot urn:t:lot:SN stands at "+fix15rPort)
	if err != nil {
		for _, want := range []string{"sampling of lot urn:t:lot:SN", "6 t at " + fix15rMine, "4 t at " + fix15rQuay, "shipped on from there"} {
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
		{"sampling of SN at the quay (its 4 t part stands)", fixOeSample("s2b", "2025-10-06T00:00:00Z", "SN", fix15rQuay)},
		{"sampling of SP at the port (its 4 t part stands)", fixOeSample("s3", "2025-10-06T00:00:00Z", "SP", fix15rPort)},
		{"sampling of SR at the port (a later assay of the run's input)", fixOeSample("s4", "2025-10-06T00:00:00Z", "SR", fix15rPort)},
	} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, c.ev))}); err != nil {
			t.Errorf("%s: refused: %v", c.what, err)
		}
	}
}
