package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// TestCertificateSupersededByClaimChange: a certificate's status follows
// every verdict it states, not only declarations of its own events. In
// mbStore, K (run E6, Chinese feed C2) claims 0.4 t Pakistani Nd+Pr and is
// accepted: October's Pakistani credit (4.5 t from run E1) carried into
// November. A certificate on K is issued. E1 is then declared in error:
// October's credit is gone, November holds 0.9 t (run E5), O3 takes 0.8 t
// of it, and K's 0.4 t is short. O1's 1.6 t claim, on a lot E1 alone
// made, stays booked (fix9as): October closes at −1.6, November at
// −1.6 + 0.9 − 0.8 − 0.4 = −1.9, shared from the last made back, so K is
// short all its 0.4 t. No event of
// K's certificate was declared, yet its status is superseded, saying the
// claim was accepted and is now not covered (fix9h: never "refused").
func TestCertificateSupersededByClaimChange(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t)
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	cert, err := custody.Issue(ctx, db.(*sqldb.DB), "urn:t:lot:K", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := custody.Status(ctx, db.(*sqldb.DB), cert); err != nil || st.Superseded {
		t.Fatalf("fresh certificate: %+v %v", st, err)
	}
	evs, err := db.(*sqldb.DB).FindEventsByID(ctx, "urn:t:ev:E1")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[0].Raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "recordTime")
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-11-25T00:00:00Z", "reason": "incorrect_data"}
	b, _ := json.Marshal(m)
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(string(b))}); err != nil {
		t.Fatal(err)
	}
	st, err := custody.Status(ctx, db.(*sqldb.DB), cert)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Superseded || len(st.Reasons) == 0 || !strings.Contains(st.Reasons[len(st.Reasons)-1].Detail, "was accepted and is now not covered") || !strings.Contains(st.Reasons[len(st.Reasons)-1].Detail, "shortfall 0.4 t") {
		t.Errorf("after the credit run's retraction: %+v", st)
	}
}

// TestRetractionBreaksClaimNamed (issue 9): a retraction that removes the
// credits an accepted claim rests on is accepted (facts win), and every
// claim it breaks turns refused with a message naming it. In mbStore, E1
// (5 Oct, A: 100 t × 5 % × 0.9 = 4.5 t Pakistani Nd+Pr) is declared in
// error on 25 Nov. Replayed without it: October holds no Pakistani
// credit; November holds E5's 0.9 t, O3 takes 0.8 (accepted, 0.9 ≥ 0.8)
// and K's 0.4 t finds 0.1: refused, shortfall 0.3 t, naming E1 — with E1
// put back K was covered (TestMassBalanceStatement). O2 (7 Oct, 4.0 t
// against 2.9 t with E1) is refused either way, so it does not name the
// retraction. November's statement: PAK opening 0, credits 0.9, claims
// 0.8, closing 0.1, and K among the refused with the same message; the
// certificate issued on K no longer stands (superseded) and says why.
func TestRetractionBreaksClaimNamed(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t)
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	cert, err := custody.Issue(ctx, db.(*sqldb.DB), "urn:t:lot:K", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := db.(*sqldb.DB).FindEventsByID(ctx, "urn:t:ev:E1")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[0].Raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "recordTime")
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-11-25T00:00:00Z", "reason": "incorrect_data"}
	b, _ := json.Marshal(m)
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-25T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(string(b))}); err != nil {
		t.Fatalf("the retraction is refused: %v", err)
	}
	const named = "the claim was covered until the retraction of the run of event urn:t:ev:E1 (no transformationID, 2025-10-05) declared in error on 2025-11-25T00:00:00Z (reason incorrect_data)"
	k, err := custody.OriginOf(ctx, db, "urn:t:lot:K", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := k.Claimed; cl == nil || cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || !strings.Contains(cl.Error, "shortfall 0.4 t") || !strings.Contains(cl.Error, named) || len(cl.RetractedBy) != 1 || cl.RetractedBy[0] != "urn:t:ev:E1" {
		t.Errorf("K after E1's retraction: %+v, want not covered (shortfall 0.4 t) naming E1", cl)
	}
	if o3, err := custody.OriginOf(ctx, db, "urn:t:lot:O3", false); err != nil || o3.Claimed == nil || o3.Claimed.Status != custody.ClaimNotCovered {
		t.Errorf("O3 (November's 0.9 t repays O1's carried deficit first): %+v %v, want not covered", o3.Claimed, err)
	}
	if o2, err := custody.OriginOf(ctx, db, "urn:t:lot:O2", false); err != nil || o2.Claimed == nil || o2.Claimed.Status != custody.ClaimRefused || strings.Contains(o2.Claimed.Error, "retraction") {
		t.Errorf("O2 (refused with or without E1): %+v %v, want refused without naming the retraction", o2.Claimed, err)
	}
	nov, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 12, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// K, accepted before E1's retraction and not covered since, stays
	// booked in full (fix9e), and so does O1's 1.6 t October claim, its
	// lot made by E1 alone (fix9as): October closes at −1.6; November
	// opens at −1.6, claims O3 0.8 + K 0.4 = 1.2 t against credits
	// 0.9 t, closing −1.6 + 0.9 − 1.2 = −1.9 t, a deficit naming O1 (the
	// 0.7 t carried), O3 and K.
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), -1.6, 0.9, 1.2, 0, -1.9)
	if l := line(t, nov, "ree", "PAK"); strings.Join(l.DeficitBy, " ") != "urn:t:lot:O1 urn:t:lot:O3 urn:t:lot:K" {
		t.Errorf("Nov PAK deficitBy %v, want O1 O3 K", l.DeficitBy)
	}
	found := false
	for _, r := range nov.Refused {
		if r.Lot == "urn:t:lot:K" {
			found = strings.Contains(r.Error, named) && len(r.RetractedBy) == 1
		}
	}
	if !found {
		t.Errorf("November's refused %+v, want K naming E1's retraction", nov.Refused)
	}
	st, err := custody.Status(ctx, db.(*sqldb.DB), cert)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Superseded || len(st.Reasons) == 0 || !strings.Contains(st.Reasons[len(st.Reasons)-1].Detail, named) {
		t.Errorf("certificate on K after E1's retraction: %+v, want superseded naming the retraction", st)
	}
}
