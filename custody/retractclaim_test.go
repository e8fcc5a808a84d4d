package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestClaimBesideRetractionOfItsCredits (issue 9): a document that
// declares a credit run in error and, beside it, makes a claim resting on
// that run's credits was accepted at capture (the replay still held the
// run) and refused as soon as it was read.
//
// Site mb (declaration(): factor 0.9). December: run r1 — feed P
// (Pakistan, 10 t dry at Nd 4 % + Pr 1 %) → O1 — earns 10 × 5 % × 0.9 =
// 0.45 t PAK. The document declares r1 in error and runs r2: feed C
// (China, 10 t at 5 %) → O2, 0.5 t NdPr oxide at Nd 60 % + Pr 20 %,
// claiming Pakistan: 0.5 × 80 % = 0.40 t against 0.45 − 0.45 = 0 t of PAK
// credits → refused, shortfall 0.4000 t, nothing stored.
//
// The retraction alone is then taken (facts win), and the statement of a
// site with a retracted run carrying ILMD reads (it used to fail decoding
// the run without its @context): December PAK credits 0.
func TestClaimBesideRetractionOfItsCredits(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1")))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), clockAt("2025-09-30T00:00:00Z")()); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-12-11T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(splitEvent("r1", "R1", "mb", "P:10", "O1", "0.1", ""))}); err != nil {
		t.Fatal(err)
	}
	evs, err := db.FindEventsByID(ctx, "urn:t:ev:r1")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[0].Raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "recordTime")
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-12-10T12:00:00Z", "reason": "incorrect_data"}
	retraction, _ := json.Marshal(m)
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(string(retraction), splitEvent("r2", "R2", "mb", "C:10", "O2", "0.5", claimPAK))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "urn:t:lot:O2") || !strings.Contains(err.Error(), "shortfall 0.4 t") {
		t.Fatalf("claim beside the retraction of its credits: %v, want EINVALID with shortfall 0.4 t", err)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:O2"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused document stored O2: %v", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(string(retraction))}); err != nil {
		t.Fatalf("the retraction alone: %v", err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-12", nil, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("statement with a retracted run carrying ILMD: %v", err)
	}
	for _, c := range st.Categories {
		for _, l := range c.Lines {
			if l.Country == "PAK" && l.Credits != 0 {
				t.Errorf("December PAK credits %v after r1's retraction, want 0", l.Credits)
			}
		}
	}
}
