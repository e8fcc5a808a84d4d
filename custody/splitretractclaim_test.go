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

// TestSplitRunRetractionBreaksClaim (issue 9): a claim resting on the
// credits of a split run's input-only event is broken when that event is
// declared in error, and the statement lists it as refused, naming the
// retraction.
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
// ri is declared in error: the run has no input, PAK credits 0, and XO's
// claim of 0.40 t is refused (shortfall 0.4000 t) because the credits it
// rested on were retracted; December's statement lists it so.
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
	found := false
	for _, r := range dec.Refused {
		if r.Lot == "urn:t:lot:XO" {
			found = strings.Contains(r.Error, named) && strings.Contains(r.Error, "shortfall 0.4 t") && strings.Join(r.RetractedBy, " ") == "urn:t:ev:ri"
		}
	}
	if !found {
		t.Errorf("December's refused claims %+v, want XO naming ri's retraction", dec.Refused)
	}
}
