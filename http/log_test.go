package http_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/sqldb"
)

// TestLogAndCertificateAPI walks what a buyer and an auditor do: download
// the key as served, keep a checkpoint, ask for proofs, fetch a
// certificate twice and by id, see it revoked — and get 409, not a
// certificate, once the evidence is edited in the database.
func TestLogAndCertificateAPI(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The key as downloaded is what verify-cert --pubkey reads.
	_, kb := do(t, "GET", ts.URL+"/api/v1/signing-key", "", nil, nil)
	keyFile := filepath.Join(t.TempDir(), "signing-key.json")
	if err := os.WriteFile(keyFile, kb, 0o644); err != nil {
		t.Fatal(err)
	}
	pub, err := custody.ParsePublicKey(keyFile)
	if err != nil {
		t.Fatalf("served key not accepted as downloaded: %v", err)
	}
	var served struct{ NoteKey string }
	_ = json.Unmarshal(kb, &served)
	if k, err := custody.ParsePublicKey(served.NoteKey); err != nil || !k.Equal(pub) {
		t.Errorf("note key %q: %v", served.NoteKey, err)
	}

	resp, note := do(t, "GET", ts.URL+"/api/v1/log/checkpoint", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("checkpoint: %d %s", resp.StatusCode, note)
	}
	old, err := custody.OpenCheckpoint(note, pub)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := ts.Store.LogHead(ctx)
	if old.Size != head.Size || old.Root != head.Root {
		t.Fatalf("checkpoint %+v; head %+v", old, head)
	}

	// Inclusion of the first event in the checkpoint's tree.
	var first string
	_ = ts.Store.ScanChain(ctx, func(r *critmin.ChainRecord) error {
		if first == "" {
			first = r.EventID
		}
		return nil
	})
	resp, b := do(t, "GET", ts.URL+"/api/v1/log/proof/inclusion?event="+url.QueryEscape(first)+"&size="+itoa(old.Size), viewerSecret, nil, nil)
	var inc struct {
		Checkpoint string
		Entries    []*custody.LogEntry
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &inc) != nil || len(inc.Entries) != 1 {
		t.Fatalf("inclusion: %d %s", resp.StatusCode, b)
	}
	cp, err := custody.OpenCheckpoint([]byte(inc.Checkpoint), pub)
	if err != nil || cp.Root != old.Root {
		t.Fatalf("inclusion checkpoint %+v: %v", cp, err)
	}
	if err := custody.CheckEntry(inc.Entries[0], old); err != nil {
		t.Errorf("inclusion proof does not check against the kept checkpoint: %v", err)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/log/proof/inclusion?event=urn:no:such", viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	// An explicit size=0 is refused naming size, not taken for "the
	// current size" as a left-out size is (nu14 item 5's class).
	resp, b = do(t, "GET", ts.URL+"/api/v1/log/proof/inclusion?event="+url.QueryEscape(first)+"&size=0", viewerSecret, nil, nil)
	if mustProblem(t, resp, b, 400); !strings.Contains(string(b), "size") {
		t.Errorf("size=0: %s; want a problem naming size", b)
	}

	// The log grows; the new checkpoint is consistent with the old.
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/log/proof/consistency?old="+itoa(old.Size), "", nil, nil)
	var con struct {
		Checkpoint string
		Proof      []string
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &con) != nil {
		t.Fatalf("consistency: %d %s", resp.StatusCode, b)
	}
	newer, err := custody.OpenCheckpoint([]byte(con.Checkpoint), pub)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := custody.DecodeProof(con.Proof)
	if err != nil {
		t.Fatal(err)
	}
	if err := custody.CheckConsistency(old, newer, proof); err != nil {
		t.Errorf("consistency proof: %v", err)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/log/proof/consistency?old="+itoa(newer.Size+1), "", nil, nil)
	mustProblem(t, resp, b, 400)
	// Size 0 (the empty tree) and 0..0 are refused as 400, not a 500
	// from tlog (RFC 9162 §2.1.4: 0 < first <= second).
	for _, q := range []string{"old=0", "old=0&new=0", "old=0&new=1"} {
		resp, b = do(t, "GET", ts.URL+"/api/v1/log/proof/consistency?"+q, "", nil, nil)
		mustProblem(t, resp, b, 400)
	}
	// A negative size is named as given, not called missing (issue 14
	// recheck: old=-1 answered "old: required").
	resp, b = do(t, "GET", ts.URL+"/api/v1/log/proof/consistency?old=-1&new=2", "", nil, nil)
	mustProblem(t, resp, b, 400)
	if strings.Contains(string(b), "required") || !strings.Contains(string(b), "-1 is not a tree size") {
		t.Errorf("old=-1: %s; want it named as not a tree size", b)
	}

	// Certificates: the same document twice, and by id.
	nd := "/api/v1/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001") + "/certificate"
	// Issued by a POST (fix14p), twice on unchanged evidence, then read.
	_, c1 := do(t, "POST", ts.URL+nd, operatorSecret, nil, nil)
	_, c2 := do(t, "POST", ts.URL+nd, operatorSecret, nil, nil)
	_, c2get := do(t, "GET", ts.URL+nd, "", nil, nil)
	if string(c1) != string(c2) || string(c1) != string(c2get) {
		t.Error("asking twice on unchanged evidence gave two certificates")
	}
	var cert map[string]any
	if err := json.Unmarshal(c1, &cert); err != nil {
		t.Fatalf("certificate: %s", c1)
	}
	id := cert["id"].(string)
	resp, c3 := do(t, "GET", ts.URL+"/api/v1/certificates/"+url.PathEscape(id), "", nil, nil)
	var a, b3 any
	_ = json.Unmarshal(c1, &a)
	_ = json.Unmarshal(c3, &b3)
	if resp.StatusCode != 200 || !jsonEqual(a, b3) {
		t.Errorf("GET by id: %d, not the same document", resp.StatusCode)
	}
	// GET …/status says whether it stands, with the flags POST
	// /api/v1/certificates/status gives.
	standing := func(id string) map[string]any {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+"/api/v1/certificates/"+url.PathEscape(id)+"/status", "", nil, nil)
		var m map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(b, &m) != nil {
			t.Fatalf("status: %d %s", resp.StatusCode, b)
		}
		return m
	}
	if m := standing(id); m["stands"] != true || m["isRevoked"] != false || m["superseded"] != false || m["id"] != id {
		t.Errorf("status of a fresh certificate: %v", m)
	}
	// Revocation: viewers may not, admins may; then verification says so.
	resp, b = do(t, "POST", ts.URL+"/api/v1/certificates/"+url.PathEscape(id)+"/revoke", operatorSecret, []byte(`{"reason": "x"}`), jsonCT)
	mustProblem(t, resp, b, 403)
	resp, b = do(t, "POST", ts.URL+"/api/v1/certificates/"+url.PathEscape(id)+"/revoke", adminSecret, []byte(`{}`), jsonCT)
	mustProblem(t, resp, b, 400)
	resp, b = do(t, "POST", ts.URL+"/api/v1/certificates/"+url.PathEscape(id)+"/revoke", adminSecret, []byte(`{"reason": "assay withdrawn by the laboratory"}`), jsonCT)
	if resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/certificates/verify", "", c1, map[string]string{"Content-Type": "application/ld+json"})
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"valid": false`) || !strings.Contains(string(b), "assay withdrawn") {
		t.Errorf("verify after revocation: %d %s", resp.StatusCode, b)
	}
	if m := standing(id); m["stands"] != false || m["isRevoked"] != true || m["revokedReason"] != "assay withdrawn by the laboratory" {
		t.Errorf("status of a revoked certificate: %v", m)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/certificates/status", viewerSecret, c1, map[string]string{"Content-Type": "application/ld+json"})
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"stands": false`) || !strings.Contains(string(b), `"isRevoked": true`) {
		t.Errorf("POST status of a revoked certificate: %d %s", resp.StatusCode, b)
	}
	_, rl := do(t, "GET", ts.URL+"/api/v1/certificates/revocations", "", nil, nil)
	list, err := custody.OpenRevocations(rl, pub)
	if err != nil || list.Find(id) == nil {
		t.Errorf("revocation list %s: %v", rl, err)
	}
	// A revoked certificate is never handed out again: the lot, on the
	// same evidence, gets a new ID (revocation generation 1), the same one
	// when asked twice, and verifies; revoking that gives generation 2.
	newID := func() string {
		resp, c := do(t, "POST", ts.URL+nd, operatorSecret, nil, nil)
		if r2, c2 := do(t, "GET", ts.URL+nd, "", nil, nil); r2.StatusCode != 200 || string(c2) != string(c) {
			t.Errorf("GET after issuing: %d, not the certificate just issued: %.200s", r2.StatusCode, c2)
		}
		var m map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(c, &m) != nil {
			t.Fatalf("certificate after revocation: %d %s", resp.StatusCode, c)
		}
		resp, v := do(t, "POST", ts.URL+"/api/v1/certificates/verify", "", c, map[string]string{"Content-Type": "application/ld+json"})
		if resp.StatusCode != 200 || !strings.Contains(string(v), `"valid": true`) {
			t.Errorf("new certificate %s does not verify: %s", m["id"], v)
		}
		return m["id"].(string)
	}
	id1 := newID()
	if id1 == id || id1 != newID() {
		t.Errorf("after revoking %s the lot's certificate is %s (want a new ID, stable)", id, id1)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/certificates/"+url.PathEscape(id1)+"/revoke", adminSecret, []byte(`{"reason": "second"}`), jsonCT)
	if resp.StatusCode != 200 {
		t.Fatalf("revoke %s: %d %s", id1, resp.StatusCode, b)
	}
	if id2 := newID(); id2 == id || id2 == id1 {
		t.Errorf("after two revocations the lot's certificate is %s again", id2)
	}

	// Evidence edited in the database: 409 naming the row, no certificate.
	db := ts.Store.(*sqldb.DB)
	if _, err := db.Write.Exec(`UPDATE lots SET origin_country = 'CHN' WHERE origin_country = 'PAK'`); err != nil {
		t.Fatal(err)
	}
	resp, b = do(t, "GET", ts.URL+nd, "", nil, nil)
	if p := mustProblem(t, resp, b, 409); !strings.Contains(p.Detail, "lots") || !strings.Contains(p.Detail, "origin_country") {
		t.Errorf("409 does not name the failing row: %s", b)
	}

	// A revocation undone in the database is not answered as standing:
	// the status, the certificate and the revocation list answer 409
	// naming it, and verify reports the row.
	if _, err := db.Write.Exec(`UPDATE certificates SET revoked_us = NULL, revoked_reason = '' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"/api/v1/certificates/" + url.PathEscape(id) + "/status", "/api/v1/certificates/" + url.PathEscape(id), "/api/v1/certificates/revocations"} {
		resp, b := do(t, "GET", ts.URL+u, "", nil, nil)
		if p := mustProblem(t, resp, b, 409); !strings.Contains(p.Detail, id) {
			t.Errorf("GET %s after an undone revocation: %s", u, b)
		}
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/certificates/verify", "", c1, map[string]string{"Content-Type": "application/ld+json"})
	if resp.StatusCode != 409 {
		t.Errorf("verify after an undone revocation: %d %s", resp.StatusCode, b)
	}
	if _, p, err := db.VerifyAttested(ctx); err != nil || p == nil || p.Table != "certificates" || !strings.Contains(p.Row, id) {
		t.Errorf("verify: %v %v", p, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func jsonEqual(a, b any) bool { return reflect.DeepEqual(a, b) }
