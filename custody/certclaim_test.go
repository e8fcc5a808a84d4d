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
// of it, and K's 0.4 t is short by 0.4 − 0.1 = 0.3 t: refused. No event of
// K's certificate was declared, yet its status is superseded, saying the
// claim was accepted and is now refused.
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
	if !st.Superseded || len(st.Reasons) == 0 || !strings.Contains(st.Reasons[len(st.Reasons)-1].Detail, "was accepted and is now refused") || !strings.Contains(st.Reasons[len(st.Reasons)-1].Detail, "shortfall 0.3000 t") {
		t.Errorf("after the credit run's retraction: %+v", st)
	}
}
