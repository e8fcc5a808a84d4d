package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestSplitRunOutputStatedOriginHeldToRunInputs (issue 9, fix9i): an
// output of a run's input-less event is made from the run's inputs
// (EPCIS 2.0 §7.4.6), so a statement of its origin is held to them. Run T
// event 1 (stored): PK3 (Pakistan, 20 t) → TO. Event 2, captured later,
// no inputs: → TC. TC stating PAK agrees with what run T's inputs prove
// (Pakistan) and is taken; stating CHN is refused naming Pakistan (PAK)
// as proven (before the fix: PAK refused, "proven: unknown").
func TestSplitRunOutputStatedOriginHeldToRunInputs(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)
	second := func(iso string) []byte {
		return mbDoc(inRun(runOf("T2", "mb", "2025-10-06T00:00:00Z", nil, product{lot: "TC", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:2", "Pr:0.5"}, extra: `, "cm:originCountry": "` + iso + `"`}), "T"))
	}
	for _, c := range []struct{ iso, refused string }{{"CHN", "Pakistan (PAK)"}, {"PAK", ""}} {
		db := store(t, doc(map[string]string{"mb": "mass_balance"},
			feed("PK3", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
			inRun(runOf("T1", "mb", "2025-10-05T00:00:00Z", []string{"PK3:20"}, product{lot: "TO", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}}), "T"),
		))
		svc := ledger.NewService(db)
		svc.Now = func() time.Time { return now }
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: second(c.iso)})
		if c.refused == "" {
			if err != nil {
				t.Errorf("TC stating %s, what run T's input PK3 proves: %v, want taken", c.iso, err)
			}
			continue
		}
		f := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 1 || !strings.HasSuffix(f[0].Pointer, "/ilmd/cm:originCountry") || !strings.Contains(f[0].Reason, "genealogy proves: "+c.refused+";") {
			t.Errorf("TC stating %s: %v %+v, want refused at …/ilmd/cm:originCountry, proven %s", c.iso, err, f, c.refused)
		}
	}
}
