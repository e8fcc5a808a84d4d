package custody_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestRefusedClaimCarriesNoOriginFigures (issue 9, fix9r item 5): a
// refused claim attributes nothing, so its JSON (the lot list's and the
// lot's claimedOrigin, the origin JSON's claimed) carries no tonnes and no
// share as origin figures: byCountry is empty, tonnes 0 (it debited
// nothing), and what was claimed is stated only as "claimed, refused".
// mbStore: O2, 5 t at Nd 60 % + Pr 20 %, claims Pakistan 100 % = 5 × 80 %
// = 4 t against a balance of 2.9 t: refused (shortfall 1.1 t).
func TestRefusedClaimCarriesNoOriginFigures(t *testing.T) {
	db := mbStore(t)
	c, err := custody.Origin(context.Background(), db, "urn:t:lot:O2")
	if err != nil {
		t.Fatal(err)
	}
	if c.Claimed == nil || c.Claimed.Status != custody.ClaimRefused {
		t.Fatalf("O2's claim %+v, want refused", c.Claimed)
	}
	b, err := json.Marshal(c.Claimed)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Status    string           `json:"status"`
		Tonnes    float64          `json:"tonnes"`
		ByCountry []map[string]any `json:"byCountry"`
		Refused   []struct {
			Key     string  `json:"key"`
			Claimed float64 `json:"claimedTonnes"`
			Text    string  `json:"text"`
		} `json:"claimedRefused"`
		Shortfall float64 `json:"shortfall"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "refused" || got.Tonnes != 0 || got.ByCountry == nil || len(got.ByCountry) != 0 || !near(got.Shortfall, 1.1) {
		t.Errorf("refused claim JSON %s: want status refused, tonnes 0, byCountry [], shortfall 1.1", b)
	}
	if len(got.Refused) != 1 || got.Refused[0].Key != "PAK" || !near(got.Refused[0].Claimed, 4) || got.Refused[0].Text != "claimed 4 t, refused" {
		t.Errorf("claimedRefused %+v, want PAK: claimed 4 t, refused", got.Refused)
	}
	// An accepted claim keeps its figures: O1 claims 2 × 80 % = 1.6 t.
	c1, err := custody.Origin(context.Background(), db, "urn:t:lot:O1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(c1.Claimed)
	got.ByCountry, got.Refused = nil, nil
	if err := json.Unmarshal(b, &got); err != nil || got.Status != "accepted" || !near(got.Tonnes, 1.6) || len(got.ByCountry) != 1 || got.Refused != nil {
		t.Errorf("accepted claim JSON %s (%v)", b, err)
	}
}
