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

// TestClaimBookedInItsPeriodAfterUndeclaredRun (new-user check fix9ay,
// 2): ISO 22095-2 books a claim in the period in which it is made. Site
// mb (declaration(): factor 0.9) declares 2026-12 only, or 2026-10 and
// 2026-12 with November undeclared:
//
//	Nov 15 X: C (China, 10 t) → LX, 0.5 t at Nd 60 % + Pr 20 % = 0.4 t
//	          Nd+Pr; in no declared period, so X earns nothing.
//	Nov 16 Z: C2 (China, 10 t) → LZ, 0.5 t, likewise 0.4 t.
//	Dec 2  Y: A2 (Pakistan, 20 t at Nd 4 % + Pr 1 %) → credit PAK
//	          20 × 5 % × 0.9 = 0.9 t (its oxide LY, 1.2 t at 64 % + 16 %
//	          = 0.96 t, holds it).
//
// A claim on LX dated Dec 4 is made in 2026-12: 0.4 ≤ 0.9, accepted and
// booked there under its own event (before the fix: refused "declares no
// claim period holding the claim event … (2026-12-04…)", though 2026-12
// holds that date — the claim was looked for only among runs inside a
// declared period). A claim on LZ dated Nov 20 is made in no declared
// period: refused, naming its date, that it is the claim event's, and
// the periods declared; read back from a store that took it unchecked it
// also names the run that made LZ.
func TestClaimBookedInItsPeriodAfterUndeclaredRun(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		periods []critmin.ClaimPeriod
		list    string
	}{
		{"before the first period", []critmin.ClaimPeriod{{ID: "2026-12", From: "2026-12-01", To: "2027-01-01"}}, "2026-12 (2026-12-01 to 2027-01-01)"},
		{"between two periods", []critmin.ClaimPeriod{{ID: "2026-10", From: "2026-10-01", To: "2026-11-01"}, {ID: "2026-12", From: "2026-12-01", To: "2027-01-01"}}, "2026-10 (2026-10-01 to 2026-11-01), 2026-12 (2026-12-01 to 2027-01-01)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := store(t, doc(map[string]string{"mb": "mass_balance"},
				feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
				feed("C2", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
				feed("A2", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1")))
			d := declaration("urn:t:site:mb")
			// No carry-forward: a gap between periods is declared only
			// without it (nuq9); no credit here is carried anyway.
			d.Periods, d.CarryForward = c.periods, 0
			if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			svc := ledger.NewService(db)
			svc.ClaimCheck = custody.CaptureClaimCheck(db)
			svc.Now = clockAt("2026-12-21T00:00:00Z")
			if err := capture(svc, runOf("X", "mb", "2026-11-15T00:00:00Z", []string{"C:10"}, product{lot: "LX", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}}),
				runOf("Z", "mb", "2026-11-16T00:00:00Z", []string{"C2:10"}, product{lot: "LZ", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}}),
				runOf("Y", "mb", "2026-12-02T00:00:00Z", []string{"A2:20"}, product{lot: "LY", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:64", "Pr:16"}})); err != nil {
				t.Fatal(err)
			}
			if err := capture(svc, claimADD("c4", "LX", "2026-12-04T00:00:00Z", "1")); err != nil {
				t.Fatalf("claim of Dec 4 on a lot made Nov 15: %v; want booked in 2026-12 (0.4 ≤ 0.9 t)", err)
			}
			o, err := custody.OriginOf(ctx, db, "urn:t:lot:LX", false)
			if err != nil {
				t.Fatal(err)
			}
			if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimAccepted || cl.Event != "urn:t:ev:c4" || cl.Period != "2026-12" || !near(cl.Tonnes, 0.4) {
				t.Errorf("claim %+v, want accepted 0.4 t at urn:t:ev:c4 in 2026-12", cl)
			}
			st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2026-12", nil, time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			// December, PAK: opening 0, credits 0.9, claims 0.4, closing 0.9 − 0.4 = 0.5.
			if l := line(t, st, "ree", "PAK"); !near(l.Opening, 0) || !near(l.Credits, 0.9) || !near(l.Claims, 0.4) || !near(l.Closing, 0.5) {
				t.Errorf("December PAK line %+v, want 0 + 0.9 − 0.4 = 0.5", l)
			}
			// Nov 20 is in no declared period.
			want := []string{"claim on lot urn:t:lot:LZ refused", "the period holding 2026-11-20T00:00:00Z, the date of its claim event urn:t:ev:c20",
				"site urn:t:site:mb declares no claim period holding that date (periods declared: " + c.list + ")"}
			err = capture(svc, claimADD("c20", "LZ", "2026-11-20T00:00:00Z", "1"))
			for _, w := range want {
				if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), w) {
					t.Errorf("claim of Nov 20: %v\nwant it to say %q", err, w)
				}
			}
			if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(claimADD("c20", "LZ", "2026-11-20T00:00:00Z", "1"))}); err != nil {
				t.Fatal(err)
			}
			o, err = custody.OriginOf(ctx, db, "urn:t:lot:LZ", false)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, "the lot was made by the run of event urn:t:ev:Z (no transformationID, 2026-11-16T00:00:00Z)")
			for _, w := range want {
				if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimRefused || !strings.Contains(cl.Error, w) {
					t.Errorf("stored claim on LZ %+v\nwant refused saying %q", cl, w)
				}
			}
			_, err = custody.StatementOf(ctx, db, "urn:t:site:mb", "2026-11", nil, time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC))
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), `declares no claim period "2026-11" (periods declared: `+c.list+")") {
				t.Errorf("statement of 2026-11: %v, want no such period, naming those declared", err)
			}
		})
	}
}
