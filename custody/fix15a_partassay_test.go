package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRunReadsGradeOfPartItTakes (issue 15, fix15a; docs/origin.md "An
// assay is of what stood where it was taken"): lot L, 20 t dry at the
// mine, Nd 5 % (dry). 5 t shipped to Karachi (B/L K1) and received; an
// assay there of that part reads Nd 4 %. Then:
//   - run RM at the mine takes 10 t of L (the body): Nd in 10 × 5 % =
//     0.5 t (the part's assay read for the whole lot gave 10 × 4 % =
//     0.4 t);
//   - run RK at Karachi takes 5 t of L (the part): Nd in 5 × 4 % =
//     0.2 t, never the body's 5 × 5 % = 0.25 t.
func TestRunReadsGradeOfPartItTakes(t *testing.T) {
	ctx := context.Background()
	const port, mine, lot = "urn:t:site:karachi", "urn:t:site:mine-PAK", "urn:t:lot:L"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	run := func(id, at, site, out string, tonnes, grade string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		 "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "` + site + `"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + grade + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	db := store(t, doc(nil, feedAt("L", "ree_concentrate", "PAK", 20, "Nd:5"),
		ev("s1", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 5, "uom": "TNE"}],
		 "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K1"}]`),
		ev("r1", "2025-10-05T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 5, "uom": "TNE"}],
		 "bizLocation": {"id": "`+port+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K1"}]`),
		ev("a1", "2025-10-06T00:00:00Z", "sampling", `"quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "`+port+`"},
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 4, "uom": "P1", "cm:basis": "dry"}]}]`)))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	for _, body := range []string{
		run("RM", "2025-10-10T00:00:00Z", mine, "LM", "10", "40"),
		run("RK", "2025-10-11T00:00:00Z", port, "LK", "5", "15"),
	} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, body))}); err != nil {
			t.Fatalf("capture: %v\n%s", err, body)
		}
	}
	for _, c := range []struct {
		out  string
		want float64
		why  string
	}{
		{"urn:t:lot:LM", 0.5, "10 × 5 % (the body at the mine)"},
		{"urn:t:lot:LK", 0.2, "5 × 4 % (the part at Karachi)"},
	} {
		o, err := custody.OriginOf(ctx, db, c.out, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Runs) != 1 || len(o.Runs[0].Elements) != 1 {
			t.Fatalf("%s: runs %+v, want one run with its Nd line", c.out, o.Runs)
		}
		if in := o.Runs[0].Elements[0].In; !near(in, c.want) {
			t.Errorf("%s: Nd in %v t, want %s = %v t", c.out, in, c.why, c.want)
		}
	}
}
