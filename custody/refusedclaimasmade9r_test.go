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

// TestRefusedClaimStatesFigureAsMade (issue 9, fix9r item 5): a claim a
// retraction broke states the figure it was accepted at when made, not
// one re-figured after the retraction. Site mb (declaration(): ree, Nd +
// Pr, factor 0.9), October:
//
//	PK, Pakistan, 10 t dry, commissioned at Nd 1 % (no Pr).
//	S1 (Oct 2), an assay report of PK: Nd 4 %, Pr 1 %.
//	R (Oct 5): PK 10 t → O, 0.5 t oxide at Nd 62 % + Pr 18 % (Nd 0.31,
//	  Pr 0.09 t), claims Pakistan 100 % = 0.5 × 80 % = 0.4 t Nd+Pr;
//	  credit PAK, bounded per element by O (fix9ad), Nd min(10 × 4 % ×
//	  0.9 = 0.36, 0.31) + Pr min(0.09, 0.09) = 0.4 ≥ 0.4, accepted.
//	S1 declared in error (Oct 20): PK is Nd 1 %, Pr not measured: credit
//	  PAK 10 × 1 % × 0.9 = 0.09 t (Nd only). O's claim is refused.
//
// The refused claim states 0.4 t, the figure accepted when made (not the
// lot's capped figure after the retraction), shortfall 0.4 − 0.09 =
// 0.31 t, retractedBy S1; its JSON states "claimed 0.4 t, refused".
func TestRefusedClaimStatesFigureAsMade(t *testing.T) {
	ctx := context.Background()
	s1 := `{"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:PK"}], "sensorElementList": [{"sensorReport": [
	  {"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 4, "uom": "P1", "cm:basis": "dry"},
	  {"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 1, "uom": "P1", "cm:basis": "dry"}]}]}`
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("PK", "ree_concentrate", "PAK", 10, "Nd:1"), s1))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-06T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("R", "mb", "2025-10-05T00:00:00Z", []string{"PK:10"}, product{lot: "O", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:62", "Pr:18"}, extra: claimPAK}))}); err != nil {
		t.Fatal(err)
	}
	retractEvent(t, svc, s1, "2025-10-20T00:00:00Z")
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, st, "ree", "PAK"); !near(l.Credits, 0.09) {
		t.Errorf("PAK credits %v, want 0.09 (10 × 1 %% Nd × 0.9)", l.Credits)
	}
	found := false
	for _, r := range st.Refused {
		if r.Lot != "urn:t:lot:O" {
			continue
		}
		found = true
		if !near(r.Claimed, 0.4) || !near(r.Shortfall, 0.31) || strings.Join(r.RetractedBy, " ") != "urn:t:ev:S1" || !strings.Contains(r.Error, "claims 0.4 t Nd+Pr") || !strings.Contains(r.Error, "(shortfall 0.31 t)") {
			t.Errorf("O refused %+v, want claimed 0.4 t (as made), shortfall 0.31 t, retractedBy S1", r)
		}
	}
	if !found {
		t.Fatalf("October's refused claims %+v, want O", st.Refused)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O", false)
	if err != nil {
		t.Fatal(err)
	}
	cl := o.Claimed
	if cl == nil || cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || !near(cl.Shortfall, 0.31) {
		t.Fatalf("O's claim %+v, want refused, shortfall 0.31", cl)
	}
	b, _ := json.Marshal(cl)
	if !strings.Contains(string(b), `"text":"claimed 0.4 t, not covered"`) {
		t.Errorf("O's claim JSON %s, want claimed 0.4 t, not covered (accepted at capture, fix9h)", b)
	}
}
