package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// TestRefusedClaimNotProvenance: a refused claim attributes nothing, so a
// certificate never lists it in materialsProvenance with a massFraction.
// In mbStore, O2 (run E3, Chinese feed C) claims 100 % Pakistani Nd+Pr:
// 5 t × (60 % + 20 %) = 4.0 t against 2.9 t of Pakistani credit, refused
// (shortfall 4.0 − 2.9 = 1.1 t). Its certificate's provenance holds only
// physical-origin lines (China); the refused claim sits apart in
// cm:refusedClaim with its reason and the share it stated, and there is no
// cm:claimedOrigin.
func TestRefusedClaimNotProvenance(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t)
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	cert, err := custody.Issue(ctx, db.(*sqldb.DB), "urn:t:lot:O2", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cert)
	var c struct {
		Subject map[string]json.RawMessage `json:"credentialSubject"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	var prov []custody.Provenance
	if err := json.Unmarshal(c.Subject["materialsProvenance"], &prov); err != nil {
		t.Fatal(err)
	}
	for _, p := range prov {
		if p.Basis != custody.ReadsPhysical || strings.Contains(p.Name, "claim") || p.OriginCountry == "PAK" {
			t.Errorf("provenance line %+v: a refused claim is no provenance", p)
		}
	}
	if len(prov) == 0 {
		t.Error("no physical provenance")
	}
	if co, ok := c.Subject["cm:claimedOrigin"]; ok && string(co) != "null" {
		t.Errorf("cm:claimedOrigin %s, want none for a refused claim", co)
	}
	var rc struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
		Stated []struct {
			Country string  `json:"country"`
			Share   float64 `json:"statedShare"`
		} `json:"stated"`
	}
	if err := json.Unmarshal(c.Subject["cm:refusedClaim"], &rc); err != nil {
		t.Fatalf("cm:refusedClaim %s: %v", c.Subject["cm:refusedClaim"], err)
	}
	if rc.Status != "refused" || !strings.Contains(rc.Reason, "shortfall 1.1 t") || len(rc.Stated) != 1 || rc.Stated[0].Country != "PAK" || rc.Stated[0].Share != 1 {
		t.Errorf("cm:refusedClaim %+v", rc)
	}
	if st, err := custody.Status(ctx, db.(*sqldb.DB), cert); err != nil || st.Superseded {
		t.Errorf("fresh certificate status %+v %v", st, err)
	}
}
