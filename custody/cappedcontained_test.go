package custody_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// weighing is a Mass report of tonnes TNE (dry: moisture 0) on a lot.
func weighing(id, when, lot string, tonnes float64) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": ` + strconv.FormatFloat(tonnes, 'f', -1, 64) + `, "uom": "TNE"}]}]}`
}


// TestCreditsUseCappedContained (issue 9, fix9l W3): mass-balance credits
// count the same capped contained figure the origin does. At site mb:
//
//	residue S, Pakistan, 100 t dry at Nd 1 %, Pr 0.5 % → 1 t Nd, 0.5 t Pr
//	  (residue: not an input of category ree, earns no credit)
//	run U: S 100 t → C 10 t ree_concentrate at Nd 5 %, Pr 2 %
//	  → 0.5 t Nd, 0.2 t Pr (balanced)
//	C weighed at 100 t: would hold 5 t Nd, 2 t Pr > 1 t, 0.5 t in →
//	  element_gain; C counted as 1 t Nd, 0.5 t Pr (element_capped)
//	run O takes 100 t of C: credits 100 × (1/100 + 0.5/100) × 0.9
//	  = 1.5 × 0.9 = 1.35 t Nd+Pr Pakistan — not 100 × 7 % × 0.9 = 6.3
//	E3 takes Chinese CN (credit CHN only); its product
//	K, 2 t of oxide at 60 % Nd + 20 % Pr = 1.6 t claimed Pakistani:
//	  1.6 > 1.35, refused, shortfall 1.6 − 1.35 = 0.25 t.
func TestCreditsUseCappedContained(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("S", "residue", "PAK", 100, "Nd:1", "Pr:0.5"),
		feed("CN", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		runOf("U", "mb", "2025-10-05T00:00:00Z", []string{"S:100"}, product{lot: "C", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:5", "Pr:2"}}),
		weighing("weigh", "2025-10-06T00:00:00Z", "C", 100),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:C", true)
	if err != nil {
		t.Fatal(err)
	}
	if !near(o.Elements["Nd"].Tonnes, 1) || !near(o.Elements["Pr"].Tonnes, 0.5) {
		t.Fatalf("C: Nd %v, Pr %v t, want capped at 1 and 0.5", o.Elements["Nd"].Tonnes, o.Elements["Pr"].Tonnes)
	}
	svc := ledger.NewService(db)
	svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("O", "mb", "2025-10-10T00:00:00Z", []string{"C:100"}, product{lot: "P", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}}))}); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Credits-1.35) > 1e-9 {
		t.Fatalf("credits in %v t Nd+Pr, want 1.35 (C's capped 1.5 t × 0.9)", l.Credits)
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E3", "mb", "2025-10-12T00:00:00Z", []string{"CN:10"}, product{lot: "K", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "the balance holds 1.35 t (shortfall 0.25 t)") {
		t.Fatalf("1.6 t claimed on 1.35 t: %v, want refused, shortfall 0.25 t", err)
	}
}
