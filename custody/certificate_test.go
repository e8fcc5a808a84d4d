package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

const ndpr = "urn:critmin:demo:lot:NDPR-2025-001"

func TestCertificateIssueAndVerify(t *testing.T) {
	db := demoStore(t)
	dir := t.TempDir()
	pub64, _ := custody.GenerateKey(filepath.Join(dir, "k"))
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	pub, _ := custody.ParsePublicKey(pub64)
	cert, err := custody.Issue(context.Background(), db, ndpr, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "Test issuer"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.MarshalIndent(cert, "", " ")
	chk, err := custody.VerifyCertificate(data, pub, nil)
	if err != nil {
		t.Fatalf("genuine certificate: %v", err)
	}
	got := chk.Cert
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
	// Every traceability event is proved in the signed log.
	head, _ := db.LogHead(context.Background())
	if chk.Events != len(events) || chk.LogSize != head.Size || chk.Lot != ndpr || chk.Revoked != nil {
		t.Errorf("check %+v; want %d events proved in a log of %d", chk, len(events), head.Size)
	}
	for _, change := range []struct{ from, to string }{{`"massFraction": 1`, `"massFraction": 0.9`}, {`"conformance": true`, `"conformance": false`}, {`"Test issuer"`, `"Someone else"`}} {
		forged := strings.Replace(string(data), change.from, change.to, 1)
		if forged == string(data) {
			t.Fatalf("test did not change %q", change.from)
		}
		if _, err := custody.VerifyCertificate([]byte(forged), pub, nil); err == nil {
			t.Errorf("changing %s went unnoticed", change.from)
		}
	}
	other, _ := custody.GenerateKey(filepath.Join(dir, "o"))
	op, _ := custody.ParsePublicKey(other)
	if _, err := custody.VerifyCertificate(data, op, nil); err == nil {
		t.Error("verified with another issuer's key")
	}
}

// TestCertificateInclusionProofsOffline re-signs a certificate whose log
// member was changed — a record edited, a proof hash swapped, another
// checkpoint — so that only the inclusion proofs can tell.
func TestCertificateInclusionProofsOffline(t *testing.T) {
	db := demoStore(t)
	dir := t.TempDir()
	pub64, _ := custody.GenerateKey(filepath.Join(dir, "k"))
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	pub, _ := custody.ParsePublicKey(pub64)
	cert, err := custody.Issue(context.Background(), db, ndpr, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resign := func(c custody.Certificate) []byte {
		delete(c, "proof")
		proof, err := custody.SignProof(c, key, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		c["proof"] = proof
		b, _ := json.Marshal(c)
		return b
	}
	clone := func() (custody.Certificate, map[string]any) {
		b, _ := json.Marshal(cert)
		var c custody.Certificate
		_ = json.Unmarshal(b, &c)
		return c, c["cm:log"].(map[string]any)
	}
	if _, err := custody.VerifyCertificate(resign(func() custody.Certificate { c, _ := clone(); return c }()), pub, nil); err != nil {
		t.Fatalf("re-signed unchanged certificate: %v", err)
	}
	cases := []struct {
		name, want string
		edit       func(lg map[string]any)
	}{
		{"record edited", "not in the signed log", func(lg map[string]any) {
			r := lg["entries"].([]any)[0].(map[string]any)["record"].(map[string]any)
			r["event"] = strings.Replace(r["event"].(string), "2025", "2024", 1)
		}},
		{"proof hash swapped", "not in the signed log", func(lg map[string]any) {
			p := lg["entries"].([]any)[1].(map[string]any)["proof"].([]any)
			p[0] = p[len(p)-1]
			if len(p) == 1 {
				p[0] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
			}
		}},
		{"entry dropped", "no record in the log", func(lg map[string]any) {
			lg["entries"] = lg["entries"].([]any)[1:]
		}},
		{"checkpoint unsigned", "checkpoint", func(lg map[string]any) {
			cp := lg["checkpoint"].(string)
			lg["checkpoint"] = cp[:strings.Index(cp, "\n\n")+2]
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cc, lg := clone()
			c.edit(lg)
			_, err := custody.VerifyCertificate(resign(cc), pub, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v; want one with %q", err, c.want)
			}
		})
	}
}

// TestCertificateStoredAndRevoked: the same lot on unchanged evidence gets
// the same stored certificate; a revoked one is reported offline through
// the signed revocation list.
func TestCertificateStoredAndRevoked(t *testing.T) {
	ctx := context.Background()
	db := demoStore(t)
	dir := t.TempDir()
	pub64, _ := custody.GenerateKey(filepath.Join(dir, "k"))
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	pub, _ := custody.ParsePublicKey(pub64)
	iss := custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}
	first, err := custody.Issue(ctx, db, ndpr, custody.DefaultPack(), key, iss, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	again, err := custody.Issue(ctx, db, ndpr, custody.DefaultPack(), key, iss, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Fatal("asking again on unchanged evidence gave another certificate")
	}
	id := first["id"].(string)
	stored, err := db.FindCertificate(ctx, id)
	if err != nil || stored.Body != string(a) || stored.Lot != ndpr {
		t.Fatalf("stored certificate %v: %v", stored, err)
	}
	if err := db.RevokeCertificate(ctx, id, "assay superseded", "admin", time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeCertificate(ctx, id, "again", "admin", time.Now()); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("second revocation: %v", err)
	}
	list, err := db.Revocations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := custody.SignRevocations(list, key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rlData, _ := json.Marshal(rl)
	opened, err := custody.OpenRevocations(rlData, pub)
	if err != nil {
		t.Fatal(err)
	}
	chk, err := custody.VerifyCertificate(a, pub, opened)
	if err != nil {
		t.Fatal(err)
	}
	if chk.Revoked == nil || chk.Revoked.Reason != "assay superseded" {
		t.Errorf("revocation not reported: %+v", chk.Revoked)
	}
	if _, err := custody.OpenRevocations([]byte(strings.Replace(string(rlData), "assay", "essay", 1)), pub); err == nil {
		t.Error("an edited revocation list opened")
	}
	// The revocation is in the audit chain; a revoked certificate is not
	// handed out again: the lot gets a new one.
	var revokes int
	_ = db.ScanAudit(ctx, func(e *critmin.AuditEntry) error {
		if e.Action == critmin.AuditCertRevoke && e.Subject == id {
			revokes++
		}
		return nil
	})
	if revokes != 1 {
		t.Errorf("%d audit entries for the revocation", revokes)
	}
	third, err := custody.Issue(ctx, db, ndpr, custody.DefaultPack(), key, iss, time.Date(2025, 12, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if third["validFrom"] == first["validFrom"] {
		t.Error("a revoked certificate was handed out again")
	}
}

// TestCertificateRefusedOnTamperedEvidence: no certificate is signed over
// evidence that fails verification; the error names the failing record
// or row.
func TestCertificateRefusedOnTamperedEvidence(t *testing.T) {
	cases := []struct {
		name, sql, want string
	}{
		{"lot origin edited", `UPDATE lots SET origin_country = 'CHN' WHERE origin_country = 'PAK'`, "table lots"},
		{"event record edited", `UPDATE events SET raw = REPLACE(raw, '"bizStep"', '"bizStep" ') WHERE chain_seq = (SELECT MIN(e.chain_seq) FROM events e JOIN event_quantities q ON q.event_pk = e.pk WHERE q.epc_class = '` + ndpr + `')`, "evidence record"},
		{"genealogy link edited", `UPDATE lot_links SET parent_qty = parent_qty * 2 WHERE child = '` + ndpr + `'`, "table lot_links"},
		{"site master data edited", `UPDATE master_data SET attrs = '{}'`, "table master_data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := demoStore(t)
			dir := t.TempDir()
			_, _ = custody.GenerateKey(filepath.Join(dir, "k"))
			key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
			if _, err := db.Write.Exec(c.sql); err != nil {
				t.Fatal(err)
			}
			_, err := custody.Issue(context.Background(), db, ndpr, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key)}, time.Now())
			if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("issue over tampered evidence: %v; want a conflict naming %q", err, c.want)
			}
		})
	}
}
