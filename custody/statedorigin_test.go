package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestProducedLotStatedOriginHeldToGenealogy (fix9b item 1): a produced
// lot's physical origin is what its genealogy proves, so a statement of
// its own origin must agree or is refused, naming the field and the
// proven origin; nothing is stored. In mbStore C2 is Chinese concentrate
// (CHN, 40 t) and O1 was made by run E1 from A alone (Pakistan):
//
//   - a run taking 1 t of C2 whose output states cm:originCountry PAK:
//     its inputs prove China (CHN) only → refused at
//     event …/ilmd/cm:originCountry;
//   - the same run stating CHN agrees → taken;
//   - an ADD on stored O1 stating CHN: O1's genealogy proves
//     Pakistan (PAK) → refused;
//   - a run taking 1 t of C2 and 1 t of A2 (Pakistan) whose output
//     states PAK: the inputs prove China and Pakistan, so no one country
//     can be stated → refused.
func TestProducedLotStatedOriginHeldToGenealogy(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	run := func(id, out, country string) string {
		return strings.Replace(oxideRun(id, "2025-11-20T00:00:00Z", out, 0.1, ""), `"ilmd": {`, `"ilmd": {"cm:originCountry": "`+country+`", `, 1)
	}
	want := func(err error, ptr, proven string) {
		t.Helper()
		f := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 1 || f[0].Pointer != ptr || !strings.Contains(f[0].Reason, "its physical origin is what its genealogy proves: "+proven+";") {
			t.Errorf("%v %+v, want %s refused, proven %s", err, f, ptr, proven)
		}
	}
	want(capture(svc, run("P1", "P1", "PAK")), "/epcisBody/eventList/0/ilmd/cm:originCountry", "China (CHN)")
	if _, err := db.FindLot(ctx, "urn:t:lot:P1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused run stored P1: %v", err)
	}
	if err := capture(svc, run("P2", "P2", "CHN")); err != nil {
		t.Errorf("output stating its proven origin CHN: %v", err)
	}
	want(capture(svc, objectEv("P3", "2025-11-21T00:00:00Z", "urn:t:lot:O1", "ADD", `, "ilmd": {"cm:originCountry": "CHN"}`)),
		"/epcisBody/eventList/0/ilmd/cm:originCountry", "Pakistan (PAK)")
	if o1, err := db.FindLot(ctx, "urn:t:lot:O1"); err != nil || o1.OriginCountry != "" {
		t.Errorf("O1 after the refusal: %+v %v", o1, err)
	}
	mixed := strings.Replace(run("P4", "P4", "PAK"), `"inputQuantityList": [{"epcClass": "urn:t:lot:C2", "quantity": 1, "uom": "TNE"}]`,
		`"inputQuantityList": [{"epcClass": "urn:t:lot:C2", "quantity": 1, "uom": "TNE"}, {"epcClass": "urn:t:lot:A2", "quantity": 1, "uom": "TNE"}]`, 1)
	want(capture(svc, mixed), "/epcisBody/eventList/0/ilmd/cm:originCountry", "China (CHN), Pakistan (PAK)")
}
