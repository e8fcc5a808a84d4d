package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLotConsumedOnce: a lot is matter; what runs consumed of it cannot be
// consumed again. FP1 is 10 t. Run A takes 6 t (4 t remain), run B 4 t
// (0 remain, 4 ≤ 4 + 10 × 0.5 %); run C then asks 0.1 t: 0.1 > 0 + 0.05
// tolerance → refused, naming FP1 and "0 t of its 10 t remain", nothing
// stored. A second capture of run A itself (a duplicate) consumes nothing
// more and is taken. A run asking 11 t of a fresh 10 t lot is refused too
// (11 > 10.05).
func TestLotConsumedOnce(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, feed("FP1", "ree_concentrate", "PAK", 10, "Nd:4"), feed("FP2", "ree_concentrate", "PAK", 10, "Nd:4")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	capture := func(id, in string, outT float64) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf(id, "cb", "2025-10-05T00:00:00Z", []string{in}, product{lot: "O" + id, commodity: "ndpr_oxide", t: outT, assays: []string{"Nd:40"}}))})
		return err
	}
	if err := capture("A", "FP1:6", 0.3); err != nil {
		t.Fatalf("6 of 10 t: %v", err)
	}
	if err := capture("B", "FP1:4", 0.2); err != nil {
		t.Fatalf("the remaining 4 t: %v", err)
	}
	if err := capture("A", "FP1:6", 0.3); err != nil {
		t.Fatalf("duplicate of run A: %v", err)
	}
	err := capture("C", "FP1:0.1", 0.005)
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("0.1 t of a consumed lot: %v, want ECONFLICT", err)
	}
	for _, want := range []string{"urn:t:lot:FP1", "only 0 t of its 10 t remain", "10 t consumed by event urn:t:ev:A, event urn:t:ev:B"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if f := critmin.ErrorFields(err); len(f) == 0 || f[0].Pointer != "/epcisBody/eventList/0/inputQuantityList/0/quantity" {
		t.Errorf("fields %+v", f)
	}
	if _, err := db.FindLotsByID(ctx, []string{"urn:t:lot:OC"}); err != nil {
		t.Fatal(err)
	} else if ls, _ := db.FindLotsByID(ctx, []string{"urn:t:lot:OC"}); len(ls) != 0 {
		t.Errorf("refused run stored its output: %+v", ls[0])
	}
	if err := capture("D", "FP2:11", 0.5); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "11 t consumed here but only 10 t of its 10 t remain") {
		t.Errorf("11 t of a 10 t lot: %v", err)
	}
}
