package cli_test

import (
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

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestVerifyCertAgainstServer runs `critmin verify-cert --url` against a
// running server (the real HTTP server over a SQLite store, in
// httptest): a certificate as downloaded verifies and is reported not
// revoked; after an admin revokes it, verify-cert reports the revocation
// (when and why) and fails; a tampered certificate — its figures edited,
// or its log proof edited and signed again with the issuer's key — fails
// before the server is asked; a server that does not know the
// certificate's status is an error, not "not revoked".
func TestVerifyCertAgainstServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const admin = "verify-cert-admin-secret"
	if err := store.CreateToken(ctx, &critmin.Token{Name: "admin", Role: critmin.RoleAdmin, Hash: critminhttp.HashToken(admin), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
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
		if file != "" {
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return b
	}
	keyFile := filepath.Join(dir, "signing-key.json") // the key as downloaded
	get("/api/v1/signing-key", keyFile)
	// Issued first (POST /api/v1/lots/{id}/certificate's handler, as an
	// operator would): a GET serves it and issues nothing (fix14p).
	if _, err := srv.IssueCertificate(ctx, "urn:critmin:demo:lot:NDPR-2025-001"); err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, "cert.json")
	body := get("/api/v1/lots/"+url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")+"/certificate", certFile)
	var cert custody.Certificate
	if err := json.Unmarshal(body, &cert); err != nil {
		t.Fatal(err)
	}
	id, _ := cert["id"].(string)

	out, _, err := run(t, nil, "verify-cert", "--pubkey", keyFile, "--url", ts.URL, certFile)
	if err != nil || !strings.Contains(out, "ok: certificate "+id) || !strings.Contains(out, "not revoked (asked "+ts.URL+")") {
		t.Fatalf("standing certificate: %v\n%s", err, out)
	}

	// Tampered certificates fail, whatever the server would say.
	tampered := func(name string, edit func(c custody.Certificate)) string {
		var c custody.Certificate
		_ = json.Unmarshal(body, &c)
		edit(c)
		b, _ := json.Marshal(c)
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	figures := tampered("figures.json", func(c custody.Certificate) {
		subj := c["credentialSubject"].(map[string]any)
		mp := subj["materialsProvenance"].([]any)
		mp[0].(map[string]any)["countryName"] = "Australia"
	})
	if out, _, err := run(t, nil, "verify-cert", "--pubkey", keyFile, "--url", ts.URL, figures); err == nil || !strings.Contains(err.Error(), "certificate proof") || strings.Contains(out, "ok:") {
		t.Errorf("certificate with edited figures: %v\n%s", err, out)
	}
	logProof := tampered("log.json", func(c custody.Certificate) {
		lg := c["cm:log"].(map[string]any)
		e := lg["entries"].([]any)[0].(map[string]any)
		rec := e["record"].(map[string]any)
		rec["event"] = strings.Replace(rec["event"].(string), `"eventTime"`, `"eventTime" `, 1)
		delete(c, "proof") // signed again by the issuer's key: only the log proof can tell
		proof, err := custody.SignProof(c, key, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		c["proof"] = proof
	})
	if out, _, err := run(t, nil, "verify-cert", "--pubkey", keyFile, "--url", ts.URL, logProof); err == nil || !strings.Contains(err.Error(), "log proofs") || strings.Contains(out, "ok:") {
		t.Errorf("certificate with an edited log record: %v\n%s", err, out)
	}

	// A server that does not serve the status is an error.
	if _, _, err := run(t, nil, "verify-cert", "--pubkey", keyFile, "--url", ts.URL+"/elsewhere", certFile); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("status from a wrong URL: %v", err)
	}

	// Revoked by an admin: verify-cert says so, with when and why, and fails.
	const reason = "assay report withdrawn by the laboratory"
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/certificates/"+url.PathEscape(id)+"/revoke", strings.NewReader(`{"reason": "`+reason+`"}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st custody.StoredCertificate
	_ = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if resp.StatusCode != 200 || st.RevokedAt == nil {
		t.Fatalf("revoke: %d %+v", resp.StatusCode, st)
	}
	out, _, err = run(t, nil, "verify-cert", "--pubkey", keyFile, "--url", ts.URL+"/", certFile)
	if err == nil || !strings.Contains(err.Error(), "REVOKED on "+st.RevokedAt.Format(time.RFC3339)) || !strings.Contains(err.Error(), reason) || strings.Contains(out, "not revoked") {
		t.Fatalf("revoked certificate: %v\n%s", err, out)
	}
	// Offline, the signed revocation list as downloaded says the same.
	rlFile := filepath.Join(dir, "revocations.json")
	get("/api/v1/certificates/revocations", rlFile)
	if _, _, err := run(t, nil, "verify-cert", "--pubkey", keyFile, "--revocations", rlFile, certFile); err == nil || !strings.Contains(err.Error(), reason) {
		t.Errorf("revoked certificate, offline list: %v", err)
	}

	// The revocation undone in the database: the server answers 409 with
	// why ("certificates row id=… differs from its audit entry 5: it was
	// edited after it was recorded"); verify-cert shows that detail, not
	// only the status.
	if _, err := store.Write.Exec(`UPDATE certificates SET revoked_us = NULL, revoked_reason = '' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, nil, "verify-cert", "--pubkey", keyFile, "--url", ts.URL, certFile)
	if err == nil || !strings.Contains(err.Error(), "409") || !strings.Contains(err.Error(), "differs from its audit entry") || !strings.Contains(err.Error(), id) || strings.Contains(out, "not revoked") {
		t.Errorf("status answered 409: %v\n%s; want the server's detail shown", err, out)
	}
}
