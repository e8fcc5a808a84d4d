package custody_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestUnmadeLotClaimStaysBooked (issue 9, new-user check nu9j, fix9as):
// a claim accepted at capture whose lot's only making event is declared
// in error since stays booked at the figure it was accepted at. mbStore,
// clock November 25; November's Pakistani Nd+Pr (t):
//
//	opening 2.9 + credits 0.9 − claims 1.2 = 2.6 (O3 0.8, K 0.4)
//	RX (Nov 20, from 1 t of Chinese C2) makes PX, 0.5 t at Nd 60 % +
//	Pr 20 %; CX (Nov 21) claims it Pakistani: 0.5 × 0.8 = 0.4 t,
//	accepted → claims 1.6, closing 2.2.
//	RX declared in error: PX's claim stays booked, not covered, shortOf
//	lot_no_longer_made → claims still 1.6, closing 2.2 (before the fix
//	the claim was refused, took nothing: claims 1.2, closing 2.6).
//	RY (Nov 22, 60 t of CBIG) makes PY, 3 t claimed Pakistani:
//	3 × 0.8 = 2.4 t > 2.2 → refused, shortfall 2.4 − 2.2 = 0.2 t (before
//	the fix 2.4 ≤ 2.6 was accepted on the freed 0.4 t).
func TestUnmadeLotClaimStaysBooked(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	pak := func() custody.BalanceLine {
		st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range st.Categories {
			for _, l := range c.Lines {
				if c.Category.ID == "ree" && l.Country == "PAK" {
					return l
				}
			}
		}
		t.Fatal("no ree PAK line")
		return custody.BalanceLine{}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	rx := oxideRun("RX", "2025-11-20T00:00:00Z", "PX", 0.5, "")
	if err := capture(svc, rx); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, objectEv("CX", "2025-11-21T00:00:00Z", "urn:t:lot:PX", "ADD", `, "bizStep": "inspecting", "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}`)); err != nil {
		t.Fatalf("claim 0.4 t of a 2.6 t balance: %v", err)
	}
	if l := pak(); !near(l.Claims, 1.6) || !near(l.Closing, 2.2) {
		t.Fatalf("after CX: %+v, want claims 1.6, closing 2.2", l)
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
	if l := pak(); !near(l.Claims, 1.6) || !near(l.Closing, 2.2) {
		t.Errorf("after RX's retraction: claims %v, closing %v; want 1.6, 2.2 (PX's 0.4 t stays booked)", l.Claims, l.Closing)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:PX", false)
	if err != nil {
		t.Fatal(err)
	}
	c := o.Claimed
	if c == nil || c.Status != custody.ClaimNotCovered || c.ShortOf != custody.ShortOfUnmade || c.Site != "urn:t:site:mb" || c.Category != "ree" || c.Period != "2025-11" || c.Event != "urn:t:ev:CX" ||
		len(c.ByCountry) != 1 || !near(c.ByCountry[0].Tonnes, 0.4) || strings.Join(c.RetractedBy, " ") != "urn:t:ev:RX" || !strings.Contains(c.Error, "no longer made by any standing event") {
		t.Errorf("PX's claim: %+v", c)
	}
	err = capture(svc, oxideRunFrom("RY", "2025-11-22T00:00:00Z", "PY", 3, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`, "CBIG", 60))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.2 t") {
		t.Errorf("RY claiming 2.4 t of a 2.2 t balance: %v, want refused 0.2 t short", err)
	}
}

// TestUnmadeLotOwnClaimWithdrawn (fix9as): a claim stated in the ILMD of
// the run that made the lot is withdrawn with the run — only the claim's
// own event releases its debit. mbStore, November PAK 2.6 t; RX makes
// PX, 0.5 t claimed Pakistani in RX itself: 0.4 t → claims 1.6, closing
// 2.2; RX declared in error → claims 1.2, closing 2.6 again.
func TestUnmadeLotOwnClaimWithdrawn(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	rx := oxideRun("RX", "2025-11-20T00:00:00Z", "PX", 0.5, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`)
	if err := capture(svc, rx); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(rx), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-11-24T00:00:00Z", "reason": "did_not_occur"}
	decl, _ := json.Marshal(m)
	if err := capture(svc, string(decl)); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Categories {
		for _, l := range c.Lines {
			if c.Category.ID == "ree" && l.Country == "PAK" && (math.Abs(l.Claims-1.2) > 1e-9 || math.Abs(l.Closing-2.6) > 1e-9) {
				t.Errorf("after RX's retraction: claims %v, closing %v; want 1.2, 2.6 (RX's own claim withdrawn)", l.Claims, l.Closing)
			}
		}
	}
}
