package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestSplitRunRetractionBreaksClaim (issue 9; fix9aj): a claim resting
// on the credits of a split run's input-only event is broken when that
// event is declared in error: it is not covered (accepted at capture,
// fix9h), booked in full, and the statement lists it so, naming the
// retraction — both as an over-claim and as a claim whose run has no
// live input left, so out of its category's system (fix9aj).
//
// Site mb (declaration(): REE factor 0.9, monthly periods). December: run
// R told in two events: ri (input only: feed P, Pakistan, 10 t dry at Nd
// 4 % + Pr 1 %) and ro (output only: XO, 0.5 t NdPr oxide at Nd 62 % +
// Pr 18 %, claiming Pakistan).
//
//	credit PAK = Nd min(10 × 4 % × 0.9 = 0.36, 0.5 × 62 % = 0.31) +
//	             Pr min(10 × 1 % × 0.9 = 0.09, 0.5 × 18 % = 0.09) = 0.40 t
//	             (bounded per element by XO, fix9ad)
//	XO claim   = 0.5 × (62 % + 18 %) = 0.40 t ≤ 0.40 → accepted
//
// ri is declared in error: the run has no input, PAK credits 0. XO's
// claim of 0.40 t stays booked: PAK 0 + 0 − 0.4 − 0 = −0.4 t, a deficit
// of 0.4 t, all XO's. It is not covered, shortfall 0.4 t: the larger of
// its share of the deficit (0.4 t) and what it claims beyond its
// category's system (all of it, 0.4 t, fix9aj). December's statement
// lists it once (fix9ap): claimed 0.4, available 0, shortfall 0.4,
// deficit share 0.4, shortOf category_system, reasons "short of the
// balance by 0.4 t; out of its category's mass-balance system", naming
// ri (before fix9ap two rows, 0.4 + 0.4 t against the 0.4 t deficit).
// Before fix9aj only the deficit row, and the error named the credits
// removed, not that the run has no live input left.
func TestSplitRunRetractionBreaksClaim(t *testing.T) {
	ctx := context.Background()
	ri := `{"type": "TransformationEvent", "eventID": "urn:t:ev:ri", "eventTime": "2025-12-09T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`
	ro := `{"type": "TransformationEvent", "eventID": "urn:t:ev:ro", "eventTime": "2025-12-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R",
	 "outputQuantityList": [{"epcClass": "urn:t:lot:XO", "quantity": 0.5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 62, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 18, "cm:unit": "%", "cm:basis": "dry"}]` + claimPAK + `}}`
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), clockAt("2025-09-30T00:00:00Z")()); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-12-11T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(ri, ro)}); err != nil {
		t.Fatal(err)
	}
	if xo, err := custody.OriginOf(ctx, db, "urn:t:lot:XO", false); err != nil || xo.Claimed == nil || xo.Claimed.Status != custody.ClaimAccepted {
		t.Fatalf("XO before the retraction: %+v %v, want accepted (0.40 ≤ 0.40 t)", xo.Claimed, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(ri), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-12-12T00:00:00Z", "reason": "did_not_occur"}
	decl, _ := json.Marshal(m)
	svc.Now = clockAt("2025-12-12T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(string(decl))}); err != nil {
		t.Fatalf("the retraction is refused: %v", err)
	}
	const named = "the claim was covered until the retraction of run urn:t:run:R (event urn:t:ev:ri, 2025-12-09) declared in error on 2025-12-12T00:00:00Z (reason did_not_occur)"
	xo, err := custody.OriginOf(ctx, db, "urn:t:lot:XO", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := xo.Claimed; cl == nil || cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || !strings.Contains(cl.Error, "shortfall 0.4 t") || !strings.Contains(cl.Error, named) || strings.Join(cl.RetractedBy, " ") != "urn:t:ev:ri" {
		t.Errorf("XO after ri's retraction: %+v, want refused (shortfall 0.4 t) naming ri", cl)
	}
	dec, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-12", nil, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(xo.Claimed.Error, "run urn:t:run:R (event urn:t:ev:ro, 2025-12-10), which made the lot, has no live input left") {
		t.Errorf("XO's error %q, want it to say its run has no live input left", xo.Claimed.Error)
	}
	sameLine(t, "Dec", line(t, dec, "ree", "PAK"), 0, 0, 0.4, 0, -0.4)
	kinds := map[string]int{}
	for _, r := range dec.Refused {
		if r.Lot != "urn:t:lot:XO" {
			continue
		}
		kinds[r.ShortOf]++
		if !strings.Contains(r.Error, named) || !strings.Contains(r.Error, "shortfall 0.4 t") || strings.Join(r.RetractedBy, " ") != "urn:t:ev:ri" ||
			!near(r.Claimed, 0.4) || r.Available != 0 || !near(r.Shortfall, 0.4) || !r.Booked || r.Status != custody.ClaimNotCovered {
			t.Errorf("December's row of XO %+v, want not covered, booked, claimed 0.4, available 0, shortfall 0.4 t, naming ri", r)
		}
	}
	// One row (fix9ap): short of its category's system (all 0.4 t) and
	// of the balance (its share of the −0.4 t deficit, 0.4 t), both
	// reasons on it; before, two rows, 0.8 t against a 0.4 t deficit.
	if kinds[custody.ShortOfCategorySystem] != 1 || len(kinds) != 1 {
		t.Errorf("December's refused claims %+v, want XO's one row, short of its category's system and of the balance", dec.Refused)
	}
	for _, r := range dec.Refused {
		if r.Lot == "urn:t:lot:XO" && (!near(r.DeficitShare, 0.4) || strings.Join(r.Reasons, "; ") != "short of the balance by 0.4 t; out of its category's mass-balance system") {
			t.Errorf("XO's row: deficit share %v, reasons %q; want 0.4 t, short of the balance by 0.4 t; out of its category's mass-balance system", r.DeficitShare, r.Reasons)
		}
	}
}
