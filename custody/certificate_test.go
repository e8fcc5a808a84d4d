package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

func TestCertificateIssueAndVerify(t *testing.T) {
	db := demoStore(t)
	dir := t.TempDir()
	pub64, _ := custody.GenerateKey(filepath.Join(dir, "k"))
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	pub, _ := custody.ParsePublicKey(pub64)
	cert, err := custody.Issue(context.Background(), db, "urn:critmin:demo:lot:NDPR-2025-001", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "Test issuer"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.MarshalIndent(cert, "", " ")
	got, err := custody.VerifyCertificate(data, pub)
	if err != nil {
		t.Fatalf("genuine certificate: %v", err)
	}
	subj := got["credentialSubject"].(map[string]any)
	prov := subj["materialsProvenance"].([]any)
	first := prov[0].(map[string]any)
	if first["originCountry"] != "PAK" || first["massFraction"] != 1.0 {
		t.Errorf("provenance %v", first)
	}
	claims := subj["conformityClaim"].([]any)
	if len(claims) != 5 || claims[0].(map[string]any)["conformance"] != true {
		t.Errorf("claims %v", claims)
	}
	events := subj["traceabilityInformation"].([]any)[0].(map[string]any)["traceabilityEvents"].([]any)
	if len(events) < 5 || !strings.HasPrefix(events[0].(map[string]any)["hashDigest"].(string), "ni:///sha-256;") {
		t.Errorf("traceability events %v", events)
	}
	for _, change := range []struct{ from, to string }{{`"massFraction": 1`, `"massFraction": 0.9`}, {`"conformance": true`, `"conformance": false`}, {`"Test issuer"`, `"Someone else"`}} {
		forged := strings.Replace(string(data), change.from, change.to, 1)
		if forged == string(data) {
			t.Fatalf("test did not change %q", change.from)
		}
		if _, err := custody.VerifyCertificate([]byte(forged), pub); err == nil {
			t.Errorf("changing %s went unnoticed", change.from)
		}
	}
	other, _ := custody.GenerateKey(filepath.Join(dir, "o"))
	op, _ := custody.ParsePublicKey(other)
	if _, err := custody.VerifyCertificate(data, op); err == nil {
		t.Error("verified with another issuer's key")
	}
}
