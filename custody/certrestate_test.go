package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestCertificateStandsModelChangedAfterRun (fix9c item 1, revised by
// mdcountry leftover 2): two Pakistani lots A (6 t dry, Nd 5 %) and B
// (4 t dry, Nd 5 %) are blended at site bl, declared controlled_blending,
// into P (0.5 t dry, Nd 60 %): Nd in 6 × 0.05 + 4 × 0.05 = 0.5 t, out
// 0.5 × 0.6 = 0.3 t, no gain; P is 100 % Pakistan and states no anomaly.
// Master data re-sent for bl with custodyModel identity_preserved (no
// event) after run R1 no longer rewrites R1: a site's custody model is
// read as in force when the run was recorded (critmin.Site.ModelAt, as
// cm:elementTolerance is), so P keeps model controlled_blending and no
// custody_model anomaly (it gained "site … runs identity preserved but P
// was made from 2 lots", and the certificate issued before was
// superseded by a change made after the run), every verdict stays, and
// the certificate stands; sent back to controlled_blending, it stands.
func TestCertificateStandsModelChangedAfterRun(t *testing.T) {
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
	time.Sleep(2 * time.Millisecond) // the new version is recorded after R1
	resend("identity_preserved")
	o, err := custody.Origin(ctx, db, lot)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range o.Anomalies {
		if a.Kind == "custody_model" {
			b, _ := json.Marshal(o)
			t.Fatalf("model changed after R1: custody_model anomaly in %s", b)
		}
	}
	if len(o.Models) != 1 || o.Models[0].Model != custody.ControlledBlending {
		t.Errorf("models %+v, want R1 at bl under controlled_blending", o.Models)
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
			t.Fatalf("no verdict changes: rule %s was %s, now %s", before[i].Rule, before[i].Status, after[i].Status)
		}
	}
	if st, err = custody.Standing(ctx, db, cert); err != nil || !st.Stands {
		t.Errorf("after site bl became identity_preserved: %+v %v, want the certificate standing", st, err)
	}
	resend("controlled_blending")
	if st, err = custody.Standing(ctx, db, cert); err != nil || !st.Stands {
		t.Errorf("custody model restored: %+v %v", st, err)
	}
}
