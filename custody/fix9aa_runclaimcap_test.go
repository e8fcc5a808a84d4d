package custody_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// gainRun is a TransformationEvent at site mb on day when turning inT
// tonnes of lot in into t tonnes of NdPr oxide out at Nd 30 % + Pr 30 %
// (dry, element basis), with the ILMD claim (may be empty).
func gainRun(id, when, in string, inT float64, out string, t float64, claim string) string {
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": ` + fmt.Sprint(inT) + `, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + fmt.Sprint(t) + `, "uom": "TNE"}],
	 "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 30, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 30, "cm:unit": "%", "cm:basis": "dry"}]` + claim + `}}`
}

// gainStore is site mb (mass balance, declaration(): REE factor 0.9) with
// lot PK, Pakistan, 10 t dry at Nd 4 % + Pr 1 %: Nd 0.4 t, Pr 0.1 t.
func gainStore(t *testing.T) (critmin.Store, *ledger.Service) {
	t.Helper()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
	))
	if err := custody.DeclareMassBalance(context.Background(), db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-25T00:00:00Z")
	return db, svc
}

// TestRunClaimCappedPerElementAtCapture (fix9aa): a claim made in the
// run's own TransformationEvent is checked against the same bound as a
// claim made later — the run's products' contained element, capped per
// element at what the run's inputs held, each element's credits bounded
// by its own figure (fix9ad).
//
//	PK (Pakistan) 10 t at Nd 4 % + Pr 1 %: in Nd 0.4 t, Pr 0.1 t.
//	Run R1 (Oct 20): PK 10 t → X1, 1 t oxide at Nd 30 % + Pr 30 %:
//	  out Nd 0.3 t, Pr 0.3 t (Pr gained 0.2 t: element_gain, counted as
//	  the 0.1 t in).
//	Credits in: Nd 0.4 × 0.9 = 0.36 t, Pr 0.1 × 0.9 = 0.09 t (0.45 t);
//	  bounded per element: Nd min(0.36, 0.3) + Pr min(0.09, 0.1) =
//	  0.3 + 0.09 = 0.39 t. PAK available 0.39 t.
//	Claim PAK 0.7 of X1's Nd+Pr 0.6 t = 0.42 t > 0.39 t: shortfall 0.03 t.
//
// Refused at capture (not stored, then listed as refused), and the
// message reports 0.39 t, not the uncapped 0.45 t. Share 0.6 (0.36 t ≤
// 0.39 t) is accepted, and the statement agrees.
func TestRunClaimCappedPerElementAtCapture(t *testing.T) {
	ctx := context.Background()
	db, svc := gainStore(t)
	claim := `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.7}]`
	err := capture(svc, gainRun("R1", "2025-10-20T00:00:00Z", "PK", 10, "X1", 1, claim))
	if critmin.ErrorCode(err) == "" {
		t.Fatalf("claim of 0.42 t against a capped 0.4 t was accepted")
	}
	for _, want := range []string{"urn:t:site:mb", "category ree", "2025-10", "shortfall 0.03 t"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if !strings.Contains(err.Error(), "holds 0.39 t") || strings.Contains(err.Error(), "0.45 t") {
		t.Errorf("error %q: want the bounded 0.39 t, never the uncapped 0.45 t", err)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:X1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused capture stored X1: %v", err)
	}
	// Share 1 (0.6 t): shortfall 0.6 − 0.39 = 0.21 t.
	err = capture(svc, gainRun("R1", "2025-10-20T00:00:00Z", "PK", 10, "X1", 1, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`))
	if err == nil || !strings.Contains(err.Error(), "shortfall 0.21 t") || strings.Contains(err.Error(), "0.45 t") {
		t.Errorf("share 1: %v, want refused with shortfall 0.21 t against 0.39 t", err)
	}
	// 0.6 × 0.6 = 0.36 t ≤ 0.39 t: accepted, and the statement agrees.
	if err := capture(svc, gainRun("R1", "2025-10-20T00:00:00Z", "PK", 10, "X1", 1, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.6}]`)); err != nil {
		t.Fatalf("claim of 0.36 t within 0.39 t: %v", err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// October PAK: 0 + 0.39 − 0.36 − 0 = 0.03.
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.39, 0.36, 0, 0.03)
	if o, err := custody.Origin(ctx, db, "urn:t:lot:X1"); err != nil || o.Claimed.Status != custody.ClaimAccepted {
		t.Errorf("X1: %+v %v", o.Claimed, err)
	}
}

// splitOut is an output-only TransformationEvent of run xid at site mb
// making t tonnes of NdPr oxide out at Nd nd % + Pr pr % (dry), with the
// ILMD claim (may be empty).
func splitOut(id, xid, when, out string, t float64, nd, pr int, claim string) string {
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:%s",
	 "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": %d, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": %d, "cm:unit": "%%", "cm:basis": "dry"}]%s}}`,
		id, when, xid, out, t, nd, pr, claim)
}

// claimShare is the ILMD claim of share s of Pakistani origin.
func claimShare(s float64) string {
	return fmt.Sprintf(`, "cm:originClaim": [{"cm:country": "PAK", "cm:share": %v}]`, s)
}

// TestSplitRunClaimCappedAtRollingSite (fix9aa): at a rolling-average
// site, a run split over two events — the inputs stored (event Sa, Oct 5),
// the output and its claim arriving at capture (event Sb, Oct 6) — is
// bounded per element by the inputs of both events together, as when
// read back. Declaration(): factor 0.9; rolling, October alone.
//
// Pakistan only: PK 10 t at Nd 4 % + Pr 1 % (Nd 0.4 t, Pr 0.1 t) → X 1 t
// at Nd 30 % + Pr 30 % (Nd 0.3, Pr 0.3). Window PAK 100 %. Credits Nd
// 0.36 + Pr 0.09 = 0.45 t; bound per element (fix9ad) Nd min(0.36, 0.3)
// + Pr min(0.09, min(0.3, 0.1)) = 0.39 t. Claim 0.7 × 0.6 = 0.42 t >
// 0.39: refused, shortfall 0.03 t, nothing stored; 0.6 × 0.6 = 0.36 t
// accepted.
//
// Pakistan and China: PK 10 t (Nd 0.4, Pr 0.1 t) and CN 30 t (Nd 1.2, Pr
// 0.3 t): in Nd 1.6 t, Pr 0.4 t; window PAK 0.5 / 2.0 = 25 %. X 1 t at
// Nd 50 % + Pr 50 % (Nd 0.5, Pr 0.5, counted as the 0.4 t in).
// Credits Nd: PAK 0.36, CHN 1.08 (1.44 t > 0.5: × 0.5/1.44); Pr: PAK
// 0.09, CHN 0.27 (0.36 t ≤ 0.4: kept). PAK 0.36 × 0.5/1.44 + 0.09 =
// 0.125 + 0.09 = 0.215 t.
//   - claim 0.3: 0.3 > 25 % of the window: refused, shortfall
//     1 × (0.3 − 0.25) = 0.05 t;
//   - claim 0.25 (= the window share): 0.25 t > the bounded 0.215 t:
//     refused, shortfall 0.035 t (uncapped, the bound 1.0 t left PAK
//     0.25 t and it passed);
//   - claim 0.2: 0.2 ≤ 0.215: accepted.
func TestSplitRunClaimCappedAtRollingSite(t *testing.T) {
	ctx := context.Background()
	t.Run("pakistan only", func(t *testing.T) {
		db := mbfxStore(t, true, mbfxREE("PK", "PAK", 10))
		svc := mbfxService(db)
		mbfxCapture(t, svc, "2025-10-05T01:00:00Z", "Sa", run9p("Sa", "s1", "2025-10-05T00:00:00Z", []string{"PK:10"}, "", 0, ""))
		err := mbfxTry(svc, "2025-10-06T01:00:00Z", splitOut("Sb", "s1", "2025-10-06T00:00:00Z", "X", 1, 30, 30, claimShare(0.7)))
		if err == nil {
			t.Fatal("claim of 0.42 t against a bounded 0.39 t accepted")
		}
		for _, want := range []string{"urn:t:site:mb", "category ree", "period 2025-10", "shortfall 0.03 t"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if _, err := db.FindLot(ctx, "urn:t:lot:X"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("refused capture stored X: %v", err)
		}
		mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "Sb 0.6", splitOut("Sb", "s1", "2025-10-06T00:00:00Z", "X", 1, 30, 30, claimShare(0.6)))
		if c := mbfxClaim(t, db, "X"); c.Status != custody.ClaimAccepted {
			t.Errorf("X read back: %+v", c)
		}
	})
	t.Run("pakistan and china", func(t *testing.T) {
		db := mbfxStore(t, true, mbfxREE("PK", "PAK", 10), mbfxREE("CN", "CHN", 30))
		svc := mbfxService(db)
		mbfxCapture(t, svc, "2025-10-05T01:00:00Z", "Sa", run9p("Sa", "s1", "2025-10-05T00:00:00Z", []string{"PK:10", "CN:30"}, "", 0, ""))
		for _, c := range []struct {
			share float64
			want  string
		}{{0.3, "shortfall 0.05 t"}, {0.25, "shortfall 0.035 t"}} {
			err := mbfxTry(svc, "2025-10-06T01:00:00Z", splitOut("Sb", "s1", "2025-10-06T00:00:00Z", "X", 1, 50, 50, claimShare(c.share)))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "period 2025-10") {
				t.Errorf("claim %v: %v, want refused with %q", c.share, err, c.want)
			}
		}
		if _, err := db.FindLot(ctx, "urn:t:lot:X"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("refused capture stored X: %v", err)
		}
		mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "Sb 0.2", splitOut("Sb", "s1", "2025-10-06T00:00:00Z", "X", 1, 50, 50, claimShare(0.2)))
		if c := mbfxClaim(t, db, "X"); c.Status != custody.ClaimAccepted {
			t.Errorf("X read back: %+v", c)
		}
		st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 7, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		// October PAK: 0 + 0.215 − 0.2 − 0 = 0.015.
		sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.215, 0.2, 0, 0.015)
	})
}
