package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// inRun puts TransformationEvent ev (from runOf) under transformationID
// xid.
func inRun(ev, xid string) string {
	return strings.Replace(ev, `"bizStep": "commissioning"`, `"bizStep": "commissioning", "transformationID": "urn:t:xid:`+xid+`"`, 1)
}

// TestSplitRunProductEarnsNoCreditWhenFedAgain (issue 9, fix9i): events
// sharing a transformationID are one transformation (EPCIS 2.0 §7.4.6),
// so an output of a run's input-less event was made from the run's
// inputs. At site mb in October (category ree, factor 0.9, all dry):
//
//	Oct 5  T event 1: PK3 (Pakistan, 20 t at 4 % Nd + 1 % Pr) → TO
//	       (1.125 t ndpr_oxide at 64 % Nd + 16 % Pr = 0.72 + 0.18 =
//	       0.9 t, which holds the credit, fix9c): credit PAK 20 × 5 % ×
//	       0.9 = 0.9 t.
//	Oct 6  T event 2 (same run, no inputs): → TC (10 t ree_concentrate,
//	       0.8 % Nd + 0.2 % Pr; T's outputs hold Nd 0.72 + 0.08 = 0.8,
//	       Pr 0.18 + 0.02 = 0.2, what PK3 brought).
//	Oct 7  U: TC → UO (0.1 t ndpr_oxide at 60 % Nd + 15 % Pr, no claim).
//	       TC was made here by run T from PK3: no credit (before the
//	       fix: 10 × 1 % × 0.9 = 0.09 t more, bounded by UO's 0.075 t:
//	       0.975 t in all).
//	Oct 10 E3: C (China, 20 t) → K, 1.2 t at 60 % Nd + 20 % Pr = 0.96 t,
//	       claimed Pakistani: 0.96 > 0.9, refused, shortfall 0.96 − 0.9 =
//	       0.06 t (before the fix: accepted, 0.96 ≤ 0.975).
func TestSplitRunProductEarnsNoCreditWhenFedAgain(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK3", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 20, "Nd:5", "Pr:1"),
		inRun(runOf("T1", "mb", "2025-10-05T00:00:00Z", []string{"PK3:20"}, product{lot: "TO", commodity: "ndpr_oxide", t: 1.125, assays: []string{"Nd:64", "Pr:16"}}), "T"),
		inRun(runOf("T2", "mb", "2025-10-06T00:00:00Z", nil, product{lot: "TC", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:0.8", "Pr:0.2"}}), "T"),
		runOf("U", "mb", "2025-10-07T00:00:00Z", []string{"TC:10"}, product{lot: "UO", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60", "Pr:15"}}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", custody.DeclaredFactors{}, now)
	if err != nil {
		t.Fatal(err)
	}
	var pak float64
	for _, cat := range st.Categories {
		if cat.Category.ID != "ree" {
			continue
		}
		for _, l := range cat.Lines {
			if l.Country == "PAK" {
				pak = l.Credits
			}
		}
		for _, e := range cat.Entries {
			if e.Kind == "credit" && e.Lot != "urn:t:lot:PK3" {
				t.Errorf("credit entry %+v: TC, made here by run T, earns nothing", e)
			}
		}
	}
	if math.Abs(pak-0.9) > 1e-9 {
		t.Errorf("PAK credits %.6f t, want 0.9 (PK3 once; TC, made by run T from PK3, earns nothing)", pak)
	}
	svc := ledger.NewService(db)
	svc.Now = func() time.Time { return now }
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E3", "mb", "2025-10-10T00:00:00Z", []string{"C:20"}, product{lot: "K", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.06 t") {
		t.Fatalf("claim of 0.96 t on 0.9 t of credit: %v, want EINVALID with shortfall 0.06 t", err)
	}

	// The same when run T's second event, run U and the claim come in one
	// document after T's first event is stored: the document's events
	// count as the store will keep them.
	db2 := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK3", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 20, "Nd:5", "Pr:1"),
		inRun(runOf("T1", "mb", "2025-10-05T00:00:00Z", []string{"PK3:20"}, product{lot: "TO", commodity: "ndpr_oxide", t: 1.125, assays: []string{"Nd:64", "Pr:16"}}), "T"),
	))
	if err := custody.DeclareMassBalance(ctx, db2, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc2 := ledger.NewService(db2)
	svc2.Now = func() time.Time { return now }
	svc2.ClaimCheck = custody.CaptureClaimCheck(db2)
	_, err = svc2.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(
		inRun(runOf("T2", "mb", "2025-10-06T00:00:00Z", nil, product{lot: "TC", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:0.8", "Pr:0.2"}}), "T"),
		runOf("U", "mb", "2025-10-07T00:00:00Z", []string{"TC:10"}, product{lot: "UO", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60", "Pr:15"}}),
		runOf("E3", "mb", "2025-10-10T00:00:00Z", []string{"C:20"}, product{lot: "K", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.06 t") {
		t.Fatalf("one document, claim of 0.96 t on 0.9 t of credit: %v, want EINVALID with shortfall 0.06 t", err)
	}
}
