package cli_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
	_ "modernc.org/sqlite"
)

// TestVerifyLogAndCertificateCommands runs what an operator and an
// auditor type: capture, keygen, keep a checkpoint, verify against it,
// prove an event and check the proof offline, issue and verify a
// certificate — then edit a derived row and an event directly in the
// database and see verify name them.
func TestVerifyLogAndCertificateCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	env := map[string]string{"CRITMIN_DB": db}
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, env, append([]string{"capture"}, files...)...); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "op.key")
	out, _, err := run(t, nil, "keygen", "--out", key)
	if err != nil {
		t.Fatal(err)
	}
	pub := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	cp := filepath.Join(dir, "old.note")
	if _, _, err := run(t, env, "log", "checkpoint", "--key", key, "--out", cp); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, env, "verify", "--checkpoint", cp, "--pubkey", pub)
	if err != nil || !strings.Contains(out, "extends the signed checkpoint") || !strings.Contains(out, "equal their rebuild") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	proof := filepath.Join(dir, "proof.json")
	if _, _, err := run(t, env, "log", "prove", "--key", key, "--event", "urn:critmin:demo:event:001", "--out", proof); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, nil, "log", "check", "--pubkey", pub, proof)
	if err != nil || !strings.Contains(out, "urn:critmin:demo:event:001 is leaf") {
		t.Fatalf("log check: %v %s", err, out)
	}
	cert := filepath.Join(dir, "cert.json")
	if _, _, err := run(t, env, "lot", "certificate", "--key", key, "--out", cert, "urn:critmin:demo:lot:NDPR-2025-001"); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, nil, "verify-cert", "--pubkey", pub, cert)
	if err != nil || !strings.Contains(out, "proved in the signed log") {
		t.Fatalf("verify-cert: %v %s", err, out)
	}

	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE lots SET origin_country = 'CHN' WHERE id = 'urn:critmin:demo:lot:REE-2025-001'`); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, env, "verify")
	if err == nil || !strings.Contains(err.Error(), "table lots") || !strings.Contains(err.Error(), "origin_country") || !strings.Contains(err.Error(), `"CHN"`) {
		t.Fatalf("verify after editing a lot: %v", err)
	}
	if _, _, err := run(t, env, "lot", "certificate", "--key", key, "--out", filepath.Join(dir, "c2.json"), "urn:critmin:demo:lot:NDPR-2025-001"); err == nil || !strings.Contains(err.Error(), "fails verification") {
		t.Errorf("certificate over edited evidence: %v", err)
	}
	if _, err := raw.Exec(`UPDATE events SET raw = REPLACE(raw, 'commissioning', 'inspecting') WHERE event_id = 'urn:critmin:demo:event:001'`); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, env, "verify", "--no-rebuild")
	if err == nil || !strings.Contains(err.Error(), "altered") {
		t.Fatalf("verify after editing an event: %v", err)
	}
	if _, _, err := run(t, env, "verify", "--checkpoint", cp); !cli.UsageError(err) {
		t.Errorf("--checkpoint without --pubkey: %v", err)
	}
	_ = os.Remove(cp)
}
