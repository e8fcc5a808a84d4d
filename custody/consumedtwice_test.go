package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// xEvent is a TransformationEvent of run urn:t:run:<xid> at site cb with
// an optional input "lot:t" and an optional output lot of 5 t.
func xEvent(id, xid, when, in, out string) string {
	body := ""
	if in != "" {
		lot, q, _ := strings.Cut(in, ":")
		body += `"inputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + q + `, "uom": "TNE"}],`
	}
	if out != "" {
		body += `"outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 5, "uom": "TNE"}],`
	}
	x := ""
	if xid != "" {
		x = `"transformationID": "urn:t:run:` + xid + `",`
	}
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", ` + x + body + `
	 "bizLocation": {"id": "urn:t:site:cb"}}`
}

// retraction is ev declared in error.
func retraction(t *testing.T, ev string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(ev), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestInputOnlyEventConsumes (issue 9, new-user check): lot P is
// commissioned at 100 t. Event in1 of split run R1 takes all 100 t of P
// and states no output yet (EPCIS 2.0 §7.4.6: R1's output comes in a later
// event). P is consumed: 100 − 100 = 0 t remain. A single-event run R2
// taking the same 100 t must be refused, naming P, R1 and the 0 t that
// remain (before the fix the input-only event carried no genealogy edge
// and was not counted, so R2 was accepted and P consumed twice: 200 t
// taken of 100 t). R1's output event out1 is accepted (it takes nothing
// more).
//
// Retracting out1 leaves in1 live: a replay of {P, in1} gives P taken
// 100 t, consumed, 0 t remaining, and a new run R3 taking 100 t is still
// refused. Retracting in1 too: a replay of {P} gives taken 0, in stock,
// 100 t remaining, and R3 is accepted.
func TestInputOnlyEventConsumes(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, feed("P", "ree_concentrate", "PAK", 100, "Nd:2")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	cap := func(evs ...string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(map[string]string{"cb": "controlled_blending"}, evs...))})
		return err
	}
	lotIs := func(when string, taken float64, status string, remaining float64) {
		t.Helper()
		p, err := db.FindLot(ctx, "urn:t:lot:P")
		if err != nil {
			t.Fatal(err)
		}
		if !near(p.TakenTonnes, taken) || p.Status != status || !near(p.RemainingWetTonnes(), remaining) {
			t.Errorf("%s: P taken %v t, %s, %v t remaining; want %v t, %s, %v t", when, p.TakenTonnes, p.Status, p.RemainingWetTonnes(), taken, status, remaining)
		}
	}
	refused := func(when string, err error, wants ...string) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Fatalf("%s: %v, want ECONFLICT", when, err)
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", when, err, w)
			}
		}
	}
	in1 := xEvent("in1", "R1", "2025-10-10T00:00:00Z", "P:100", "")
	out1 := xEvent("out1", "R1", "2025-10-11T00:00:00Z", "", "X1")
	if err := cap(in1); err != nil {
		t.Fatal(err)
	}
	lotIs("after in1", 100, critmin.LotConsumed, 0)
	refused("R2 after in1", cap(xEvent("r2", "", "2025-10-12T00:00:00Z", "P:100", "X2")), "urn:t:lot:P", "urn:t:run:R1", "only 0 t of its 100 t remain")
	if _, err := db.FindLot(ctx, "urn:t:lot:X2"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused run stored its output: %v", err)
	}
	// A resent in1 (the same event) consumes nothing more.
	if err := cap(in1); err != nil {
		t.Errorf("resending in1: %v", err)
	}
	if err := cap(out1); err != nil {
		t.Fatal(err)
	}
	lotIs("after out1", 100, critmin.LotConsumed, 0)
	if err := cap(retraction(t, out1)); err != nil {
		t.Fatal(err)
	}
	lotIs("after out1's retraction", 100, critmin.LotConsumed, 0)
	r3 := xEvent("r3", "", "2025-10-13T00:00:00Z", "P:100", "X3")
	refused("R3 after out1's retraction", cap(r3), "urn:t:lot:P", "urn:t:run:R1", "only 0 t of its 100 t remain")
	if err := cap(retraction(t, in1)); err != nil {
		t.Fatal(err)
	}
	lotIs("after in1's retraction", 0, critmin.LotInStock, 100)
	if err := cap(r3); err != nil {
		t.Errorf("R3 once R1 is wholly retracted: %v", err)
	}
}
