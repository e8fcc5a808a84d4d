package custody_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// fix15zcDeclared is each event (JSON) with an errorDeclaration
// (incorrect_data, 2025-10-20).
func fix15zcDeclared(t *testing.T, evs ...string) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		var m map[string]any
		if err := json.Unmarshal([]byte(ev), &m); err != nil {
			t.Fatal(err)
		}
		m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	return out
}

// TestDeclaredReceiptUnderARunRefused (issue 15, fix15zc; nu15g items 1
// and 2): lot M, 10 t at the mine for FWO; s1 ships 4 t to the port
// (B1), received there for USSM (r1, 4 t); with smelter, s2 ships 3 t
// (B2), received for the smelter (r2, 3 t); then run x1 at the port,
// naming no party, takes 3.5 t of M (into 1 t of OX) — of USSM's part,
// the first received: 4 − 3.5 = 0.5 t left of it.
//   - Declaring r1 in error alone is refused (409) naming the run x1 and
//     telling to declare it too: without r1 the run's 3.5 t would fall on
//     the 6 t body at the mine (lot M1: the body read 6 − 3.5 = 2.5 t "at
//     the port", where it never went; the declaration was taken) or on
//     the smelter's 3 t part (lot M2: 3 − 3.5 = −0.5 t, a 500 from the
//     store). Nothing is stored: the body stays at the mine, 10 − 4 =
//     6 t (with the smelter's part 10 − 4 − 3 = 3 t).
//   - custody.DrawsRedrawnBy(r1) names x1 (the preview's dependent).
//   - Declaring r1 and x1 in one document is taken: the body 6 t (3 t)
//     at the mine, the 4 t part at sea again, nothing taken by runs.
func TestDeclaredReceiptUnderARunRefused(t *testing.T) {
	ctx := context.Background()
	const ussm, fwo, smelter = "urn:t:party:ussm", "urn:t:party:fwo", "urn:t:party:smelter"
	for _, two := range []bool{false, true} {
		s1 := fix15rShip("s1", "2025-10-02T00:00:00Z", "M", "4", fix15rMine, fix15rPort, "B1", "")
		r1 := fix15oRecvFor("r1", "2025-10-03T00:00:00Z", "M", "4", fix15rPort, "B1", ussm)
		evs := []string{fix15oOwned("M", 10, fwo), s1, r1}
		if two {
			evs = append(evs, fix15rShip("s2", "2025-10-04T00:00:00Z", "M", "3", fix15rMine, fix15rPort, "B2", ""),
				fix15oRecvFor("r2", "2025-10-05T00:00:00Z", "M", "3", fix15rPort, "B2", smelter))
		}
		x1 := runT("x1", "x1", "2025-10-06T00:00:00Z", "port", "M", 3.5, "OX", 1, "")
		db := store(t, doc(nil, append(evs, x1)...))
		svc := ledger.NewService(db)
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		evR1, err := db.FindEventsByID(ctx, "urn:t:ev:r1")
		if err != nil || len(evR1) != 1 {
			t.Fatalf("r1: %v %v", evR1, err)
		}
		full, err := ledger.DecodeStored(evR1[0].Raw, evR1[0].Context) // as the web page decodes it
		if err != nil {
			t.Fatal(err)
		}
		full.EventID = evR1[0].EventID
		rs, err := custody.DrawsRedrawnBy(ctx, db, full)
		if err != nil || len(rs) != 1 || rs[0].Event.EventID != "urn:t:ev:x1" || math.Abs(rs[0].Draw.Tonnes-3.5) > 1e-9 {
			t.Errorf("two parts %v: DrawsRedrawnBy(r1) %+v, %v; want the run x1, 3.5 t", two, rs, err)
		}
		_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15zcDeclared(t, r1)...))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "recorded run urn:t:ev:x1") || !strings.Contains(err.Error(), "declare the run urn:t:ev:x1 in error") {
			t.Errorf("two parts %v: r1 declared alone: %v; want 409 naming the run x1 and telling to declare it too", two, err)
		}
		body := 6.0 // 10 − 4
		if two {
			body = 3 // 10 − 4 − 3
		}
		l, _ := db.FindLot(ctx, "urn:t:lot:M")
		if math.Abs(l.RemainingWetTonnes()-body) > 1e-9 || l.Location != fix15rMine {
			t.Errorf("two parts %v: after the refusal the body is %v t at %s; want %v t at the mine", two, l.RemainingWetTonnes(), l.Location, body)
		}
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15zcDeclared(t, r1, x1)...))}); err != nil {
			t.Fatalf("two parts %v: r1 and x1 declared together: %v; want taken", two, err)
		}
		l, _ = db.FindLot(ctx, "urn:t:lot:M")
		p, _ := ledger.ShippedPart(l, "urn:t:ev:s1")
		if math.Abs(l.RemainingWetTonnes()-body) > 1e-9 || l.Location != fix15rMine || p.Status != critmin.PartInTransit || l.TakenTonnes != 0 {
			t.Errorf("two parts %v: after r1 and x1 declared: body %v t at %s, s1's part %s, taken %v t; want %v t at the mine, in transit, 0",
				two, l.RemainingWetTonnes(), l.Location, p.Status, l.TakenTonnes, body)
		}
	}
}
