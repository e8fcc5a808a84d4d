package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestNotCoveredClaimIsNotRefused (issue 9, fix9h defect 7): a claim
// accepted at capture that a later fact leaves short is "not covered"
// (status not_covered), never "refused" — in the lot's origin, the
// statement's claim list, the statement CSV and the certificate's
// cm:refusedClaim. "refused" is kept for a claim refused at capture,
// which is never stored. The scenario is TestLateInputAssayUncoversClaim's:
//
//	G1 (Nov 20) claims 3.125 t oxide × 80 % = 2.5 t Nd+Pr of Pakistan,
//	  accepted against November's 2.6 t PAK balance.
//	AS2 (recorded Nov 26): A2 credits 20 × (2 + 1) % × 0.9 = 0.54 t
//	  instead of 0.9 t: balance 2.9 + 0.54 − 0.8 − 0.4 = 2.24 t,
//	  G1 short by 2.5 − 2.24 = 0.26 t, booked in full: PAK closes
//	  2.9 + 0.54 − 3.7 = −0.26 t.
//
// The "all origins" total must not hide that deficit behind another
// origin's credits: its Deficit is the sum of the origins' negative
// closings, 0.26 t here, named in its notes.
func TestNotCoveredClaimIsNotRefused(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, oxideRunFrom("G1", "2025-11-20T00:00:00Z", "G1", 3.125, claimPAK, "CBIG", 100)); err != nil {
		t.Fatalf("G1: %v", err)
	}
	svc.Now = clockAt("2025-11-26T00:00:00Z")
	if err := capture(svc, lateAssay9d("AS2", "2025-11-09T00:00:00Z", "urn:t:lot:A2", "2")); err != nil {
		t.Fatal(err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:G1", false)
	if err != nil || o.Claimed == nil {
		t.Fatalf("G1 origin: %+v %v", o, err)
	}
	cl := o.Claimed
	if cl.Status != custody.ClaimNotCovered || !cl.Unbacked() {
		t.Errorf("G1's claim status %q, want %q (accepted at capture, not covered since AS2)", cl.Status, custody.ClaimNotCovered)
	}
	if txt := custody.RefusedClaimText(cl); strings.Contains(txt, "refused") || !strings.Contains(txt, "not covered") {
		t.Errorf("G1's claim text %q, want not covered, never refused", txt)
	}
	b, _ := json.Marshal(cl)
	if strings.Contains(string(b), "refused") && !strings.Contains(string(b), `"claimedRefused"`) {
		t.Errorf("G1's claim JSON says refused: %s", b)
	}
	for _, f := range cl.RefusedFigures() {
		if strings.Contains(f.Text, "refused") {
			t.Errorf("G1's stated figure %q says refused", f.Text)
		}
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:G1" && r.Status != custody.ClaimNotCovered {
			t.Errorf("statement's G1 entry status %q, want %q", r.Status, custody.ClaimNotCovered)
		}
	}
	for _, row := range custody.StatementRows(st) {
		if row[14] == "urn:t:lot:G1" && row[13] != custody.ClaimNotCovered {
			t.Errorf("statement CSV row for G1 has status %q, want %q: %v", row[13], custody.ClaimNotCovered, row)
		}
	}
	// PAK closes −0.26 t (above); the total's deficit is that 0.26 t,
	// whatever the other origins hold.
	for _, c := range st.Categories {
		if c.Category.ID != "ree" {
			continue
		}
		if !near(c.Total.Deficit, 0.26) || !strings.Contains(strings.Join(c.Total.Notes, " "), "PAK") {
			t.Errorf("ree total %+v, want deficit 0.26 t naming PAK (not netted by other origins)", c.Total)
		}
		for _, row := range custody.StatementRows(st) {
			if row[2] == "ree" && row[5] == "all" && !strings.Contains(row[18], "deficit 0.26 t") {
				t.Errorf("CSV total row of ree %v, want its reason to show the deficit 0.26 t", row)
			}
		}
	}
}
