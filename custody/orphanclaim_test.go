package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestRetractedMakerClaimListed (issue 9, new-user check): mbStore,
// clock November 25. Run RX (Nov 20) makes PX, 0.5 t of oxide at 60 % Nd
// + 20 % Pr; an ObjectEvent on Nov 21 claims it Pakistani: 0.5 × 80 % =
// 0.4 t Nd+Pr against November's 2.6 t balance → accepted. RX is then
// declared in error: PX still carries the claim, but no live run makes it.
// The claim was accepted at capture, so it stays booked at its accepted
// 0.4 t, not covered, shortOf lot_no_longer_made (fix9as; before, the lot
// read it refused and the account dropped it, freeing its credit). The
// November statement must list it among the claims not covered, naming
// PX, the claim event and RX (before fix9v's listing it was missing: the
// account books only the claims of lots its live runs made).
func TestRetractedMakerClaimListed(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	rx := oxideRun("RX", "2025-11-20T00:00:00Z", "PX", 0.5, "")
	if err := capture(svc, rx); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, objectEv("CX", "2025-11-21T00:00:00Z", "urn:t:lot:PX", "ADD", `, "bizStep": "inspecting", "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}`)); err != nil {
		t.Fatalf("claim 0.4 t of a 2.6 t balance: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(rx), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-11-24T00:00:00Z", "reason": "did_not_occur"}
	decl, _ := json.Marshal(m)
	if err := capture(svc, string(decl)); err != nil {
		t.Fatalf("retracting RX: %v", err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:PX", false)
	if err != nil {
		t.Fatal(err)
	}
	if o.Claimed == nil || o.Claimed.Status != custody.ClaimNotCovered || o.Claimed.ShortOf != custody.ShortOfUnmade || o.Claimed.Tonnes < 0.4-1e-9 || o.Claimed.Tonnes > 0.4+1e-9 {
		t.Fatalf("PX after RX's retraction: %+v, want not covered, booked at 0.4 t", o.Claimed)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:PX" {
			found = r.Booked && r.ShortOf == custody.ShortOfUnmade && r.Event == "urn:t:ev:CX" && strings.Join(r.RetractedBy, " ") == "urn:t:ev:RX" && strings.Contains(r.Error, "the run of event urn:t:ev:RX (no transformationID, 2025-11-20), which made lot urn:t:lot:PX") && strings.Contains(r.Error, "2025-11-24T00:00:00Z")
			if !found {
				t.Errorf("PX listed as %+v", r)
			}
		}
	}
	if !found {
		t.Errorf("November statement's refused claims %+v lack PX", st.Refused)
	}
}
