package http_test

import (
	"net/url"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/sqldb"
)

// TestCertificateGETWritesNothing (issue 14 final check, fix14p): with
// --public-read an anonymous GET /api/v1/lots/{id}/certificate issued and
// stored a certificate (certificates +1, audit_log +1). A GET is safe (RFC
// 9110 §9.2.1): it must not change what the server stores. Issuing is a
// POST that needs write access (operator); a GET serves the certificate
// issued on the lot's current evidence, or 404 naming the POST.
func TestCertificateGETWritesNothing(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	db := ts.Store.(*sqldb.DB)
	count := func() (certs, audit int) {
		t.Helper()
		if err := db.Write.QueryRow(`SELECT (SELECT COUNT(*) FROM certificates), (SELECT COUNT(*) FROM audit_log)`).Scan(&certs, &audit); err != nil {
			t.Fatal(err)
		}
		return
	}
	path := ts.URL + "/api/v1/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001") + "/certificate"
	c0, a0 := count()
	for _, tok := range []string{"", viewerSecret, viewerSecret} {
		resp, b := do(t, "GET", path, tok, nil, nil)
		if resp.StatusCode != 404 {
			t.Errorf("GET certificate before one is issued (token %q): %d %.300s, want 404", tok, resp.StatusCode, b)
		}
	}
	if c, a := count(); c != c0 || a != a0 {
		t.Fatalf("GET certificate wrote: certificates %d→%d, audit_log %d→%d", c0, c, a0, a)
	}
	// Issuing needs write access.
	for _, tok := range []string{"", viewerSecret} {
		if resp, b := do(t, "POST", path, tok, nil, nil); resp.StatusCode != 401 && resp.StatusCode != 403 {
			t.Errorf("POST certificate with token %q: %d %.300s, want 401/403", tok, resp.StatusCode, b)
		}
	}
	// A body is refused, not ignored, and issues nothing.
	if resp, b := do(t, "POST", path, operatorSecret, []byte(`{"lot": "x"}`), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 400 {
		t.Errorf("POST certificate with a body: %d %.300s, want 400", resp.StatusCode, b)
	}
	if c, _ := count(); c != c0 {
		t.Fatalf("a refused POST stored a certificate")
	}
	resp, issued := do(t, "POST", path, operatorSecret, nil, nil)
	if resp.StatusCode != 201 && resp.StatusCode != 200 {
		t.Fatalf("POST certificate as operator: %d %.300s", resp.StatusCode, issued)
	}
	// One certificate stored (+1), and a GET now serves it, unchanged, and
	// writes nothing.
	c1, a1 := count()
	if c1 != c0+1 {
		t.Fatalf("certificates after one POST: %d, want %d+1", c1, c0)
	}
	for _, tok := range []string{"", viewerSecret} {
		resp, b := do(t, "GET", path, tok, nil, nil)
		if resp.StatusCode != 200 || string(b) != string(issued) {
			t.Errorf("GET certificate after issue (token %q): %d, body equal %v", tok, resp.StatusCode, string(b) == string(issued))
		}
	}
	if c, a := count(); c != c1 || a != a1 {
		t.Fatalf("GET certificate wrote: certificates %d→%d, audit_log %d→%d", c1, c, a1, a)
	}
}

// issueCertificate issues lot's certificate as an operator (POST).
func issueCertificate(t *testing.T, base, lot string) {
	t.Helper()
	if resp, b := do(t, "POST", base+"/api/v1/lots/"+url.PathEscape(lot)+"/certificate", operatorSecret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("issue the certificate of %s: %d %.300s", lot, resp.StatusCode, b)
	}
}
