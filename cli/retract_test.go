package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCertStatus issues a certificate, declares its commissioning event in
// error, and checks that cert-status reports it superseded (exit error)
// naming the event, the reason and the corrective event.
func TestCertStatus(t *testing.T) {
	dir := t.TempDir()
	db, key, cert := filepath.Join(dir, "c.db"), filepath.Join(dir, "k"), filepath.Join(dir, "cert.json")
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`
	doc := func(event string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument",
 "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [` + event + `]}}`
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, args := range [][]string{
		{"capture", "--db", db, write("a.json", doc(commission+"}"))},
		{"keygen", "--out", key},
		{"lot", "certificate", "--db", db, "--key", key, "--out", cert, "urn:t:lot:A"},
	} {
		if _, stderr, err := run(t, nil, args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, stderr)
		}
	}
	out, _, err := run(t, nil, "cert-status", "--db", db, cert)
	if err != nil || !strings.HasPrefix(out, "current:") {
		t.Fatalf("fresh certificate: %q, %v", out, err)
	}
	// A copy with its origin changed (PAK→AUS) is not the certificate
	// stored under its id: not current, exit non-zero (nu8g 2).
	raw, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	forged := write("forged.json", strings.Replace(string(raw), `"PAK"`, `"AUS"`, 1))
	if !strings.Contains(string(raw), `"PAK"`) {
		t.Fatalf("certificate without its origin: %s", raw)
	}
	if out, _, err := run(t, nil, "cert-status", "--db", db, forged); err == nil || !strings.Contains(err.Error(), "different document") {
		t.Errorf("forged copy: %q, %v; want not current (a different document)", out, err)
	}
	decl := commission + `, "errorDeclaration": {"declarationTime": "2025-10-02T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:A2"]}}`
	if _, stderr, err := run(t, nil, "capture", "--db", db, write("d.json", doc(decl))); err != nil {
		t.Fatalf("declaration: %v %s", err, stderr)
	}
	out, _, err = run(t, nil, "cert-status", "--db", db, cert)
	if err == nil || !strings.Contains(err.Error(), "superseded") || !strings.Contains(out, "declared in error: urn:t:ev:A (reason incorrect_data") || !strings.Contains(out, "corrective: urn:t:ev:A2") {
		t.Errorf("after the declaration: %q, %v", out, err)
	}
	if _, _, err := run(t, nil, "cert-status", "--db", db); err == nil {
		t.Error("cert-status without a file succeeded")
	}
}
