package cli_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestVerifyCertSuperseded: a certificate whose evidence is declared in
// error after it was issued fails as a revoked one does (nu8f item 2).
// The demo's NdPr oxide lot is certified on run MO-REE-001 (event 023);
// then 023 is declared in error. `critmin verify-cert --url` exits
// non-zero saying SUPERSEDED with the declared event, and POST
// /api/v1/certificates/verify answers valid false, superseded true, with
// the declaration (event 023, reason incorrect_data, corrective 023c)
// first (then: the lot is no longer in the ledger, 023 was its only event).
func TestVerifyCertSuperseded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	if _, err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	srv, err := critminhttp.NewServer(store, svc, slog.New(slog.NewTextHandler(io.Discard, nil)), true)
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetSigningKey(key, "Test refinery")
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	get := func(path, file string) []byte {
		t.Helper()
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return b
	}
	keyFile := filepath.Join(dir, "signing-key.json")
	get("/api/v1/signing-key", keyFile)
	// Issued first (POST /api/v1/lots/{id}/certificate's handler, as an
	// operator would): a GET serves it and issues nothing (fix14p).
	if _, err := srv.IssueCertificate(ctx, "urn:critmin:demo:lot:NDPR-2025-001"); err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, "cert.json")
	cert := get("/api/v1/lots/"+url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")+"/certificate", certFile)
	verify := func() map[string]any {
		t.Helper()
		resp, err := http.Post(ts.URL+"/api/v1/certificates/verify", "application/ld+json", bytes.NewReader(cert))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 {
			t.Fatalf("verify: %d %v", resp.StatusCode, err)
		}
		return v
	}
	if v := verify(); v["valid"] != true || v["superseded"] != false {
		t.Fatalf("standing certificate: %v", v)
	}
	if out, _, err := run(t, nil, "verify-cert", "--pubkey", keyFile, "--url", ts.URL, certFile); err != nil || !strings.Contains(out, "not revoked") {
		t.Fatalf("standing certificate: %v\n%s", err, out)
	}

	decl, err := os.ReadFile(filepath.Join("..", "testdata", "retract", "demo-023-declared.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: decl}); err != nil {
		t.Fatal(err)
	}
	v := verify()
	by, _ := v["supersededBy"].([]any)
	if v["valid"] != false || v["superseded"] != true || len(by) == 0 {
		t.Fatalf("superseded certificate: %v", v)
	}
	s0, _ := by[0].(map[string]any)
	if s0["eventID"] != "urn:critmin:demo:event:023" || !strings.Contains(s0["reason"].(string), "incorrect_data") {
		t.Errorf("supersession %v; want event 023, incorrect_data", s0)
	}
	out, _, err := run(t, nil, "verify-cert", "--pubkey", keyFile, "--url", ts.URL, certFile)
	if err == nil || !strings.Contains(err.Error(), "SUPERSEDED") || !strings.Contains(out, "urn:critmin:demo:event:023") || strings.Contains(out, "not revoked") {
		t.Fatalf("superseded certificate: %v\n%s", err, out)
	}

	// Offline: the signed revocation list names the superseded certificate
	// with why ("superseded by declared in error: …023 (reason
	// incorrect_data …)"), dated when the declaration was recorded, and
	// verify-cert --revocations fails on it saying SUPERSEDED.
	rlFile := filepath.Join(dir, "revocations.json")
	var rl struct {
		Revoked []struct {
			ID           string           `json:"id"`
			At           time.Time        `json:"revoked"`
			Reason       string           `json:"reason"`
			Superseded   bool             `json:"superseded"`
			SupersededBy []map[string]any `json:"supersededBy"`
		} `json:"revoked"`
	}
	if err := json.Unmarshal(get("/api/v1/certificates/revocations", rlFile), &rl); err != nil {
		t.Fatal(err)
	}
	id, _ := v["check"].(map[string]any)["id"].(string)
	if len(rl.Revoked) != 1 || rl.Revoked[0].ID != id || !rl.Revoked[0].Superseded ||
		!strings.HasPrefix(rl.Revoked[0].Reason, "superseded by declared in error: urn:critmin:demo:event:023 (reason incorrect_data") ||
		len(rl.Revoked[0].SupersededBy) == 0 || rl.Revoked[0].At.IsZero() {
		t.Fatalf("revocation list %+v; want certificate %s superseded by the declaration of 023", rl.Revoked, id)
	}
	if rec, _ := time.Parse(time.RFC3339Nano, s0["recordTime"].(string)); !rl.Revoked[0].At.Equal(rec) {
		t.Errorf("superseded at %s; want the declaration's record time %s", rl.Revoked[0].At, rec)
	}
	out, _, err = run(t, nil, "verify-cert", "--pubkey", keyFile, "--revocations", rlFile, certFile)
	if err == nil || !strings.Contains(err.Error(), "SUPERSEDED") || !strings.Contains(err.Error(), "urn:critmin:demo:event:023") || !strings.Contains(out, "declared in error: urn:critmin:demo:event:023") || strings.Contains(out, "not revoked") {
		t.Fatalf("superseded certificate, offline list: %v\n%s", err, out)
	}
}
