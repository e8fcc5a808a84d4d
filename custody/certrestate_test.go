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
)

// TestCertificateStatementChangedByMasterData (fix9c item 1): a master
// data change can change what a certificate states without changing any
// rule verdict. Two Pakistani lots A (6 t dry, Nd 5 %) and B (4 t dry,
// Nd 5 %) are blended at site bl, declared controlled_blending, into P
// (0.5 t dry, Nd 60 %): Nd in 6 × 0.05 + 4 × 0.05 = 0.5 t, out 0.5 × 0.6
// = 0.3 t, no gain; P is 100 % Pakistan and states no anomaly. Master
// data re-sent for bl with custodyModel identity_preserved (no event)
// adds the anomaly custody_model ("site … runs identity preserved but P
// was made from 2 lots") to P's origin composition; every rule verdict
// stays as it was (checked below, rule by rule). The certificate issued
// before states no such anomaly, so it no longer stands: superseded, the
// reason naming the anomalies member. Sent back to controlled_blending,
// the statement is the one signed again and the certificate stands.
func TestCertificateStatementChangedByMasterData(t *testing.T) {
	db := store(t, doc(map[string]string{"bl": "controlled_blending"},
		feed("A", "ree_concentrate", "PAK", 6, "Nd:5"),
		feed("B", "ree_concentrate", "PAK", 4, "Nd:5"),
		runOf("R1", "bl", "2025-10-05T00:00:00Z", []string{"A:6", "B:4"},
			product{lot: "P", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60"}})))
	const lot = "urn:t:lot:P"
	ctx := context.Background()
	key, _ := custody.LoadPrivateKey(func() string {
		p := filepath.Join(t.TempDir(), "k")
		custody.GenerateKey(p)
		return p
	}())
	cert, err := custody.Issue(ctx, db, lot, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "Test issuer"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	st, err := custody.Standing(ctx, db, cert)
	if err != nil || !st.Stands {
		t.Fatalf("fresh certificate: %+v %v", st, err)
	}
	before, err := custody.Evaluate(ctx, db, lot, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	resend := func(model string) {
		t.Helper()
		if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(map[string]string{"bl": model}))}); err != nil {
			t.Fatalf("master data %s: %v", model, err)
		}
	}
	resend("identity_preserved")
	o, err := custody.Origin(ctx, db, lot)
	if err != nil {
		t.Fatal(err)
	}
	anomaly := false
	for _, a := range o.Anomalies {
		anomaly = anomaly || a.Kind == "custody_model"
	}
	if !anomaly {
		b, _ := json.Marshal(o)
		t.Fatalf("identity_preserved site: no custody_model anomaly in %s", b)
	}
	after, err := custody.Evaluate(ctx, db, lot, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("verdicts %d then %d", len(before), len(after))
	}
	for i := range before {
		if before[i].Status != after[i].Status {
			t.Fatalf("the premise is that no verdict changes: rule %s was %s, now %s", before[i].Rule, before[i].Status, after[i].Status)
		}
	}
	st, err = custody.Standing(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	if st.Stands || !st.Superseded || len(st.Reasons) != 1 {
		t.Fatalf("after site bl became identity_preserved: %+v", st)
	}
	if msg := st.Reasons[0].Text(); !strings.Contains(msg, "what the certificate states differs from today's record") || !strings.Contains(msg, "anomalies") {
		t.Errorf("reason %q", msg)
	}
	resend("controlled_blending")
	if st, err = custody.Standing(ctx, db, cert); err != nil || !st.Stands {
		t.Errorf("custody model restored: %+v %v", st, err)
	}
}
