package http_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
)

// The revocation list served after a revocation names the certificate,
// although the list was asked for (and its superseded part cached) just
// before: the cache is keyed by the database's revision, never by time.
func TestRevocationListFreshAfterRevocation(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	nd := "/api/v1/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001") + "/certificate"
	resp, c := do(t, "POST", ts.URL+nd, operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("certificate: %d %s", resp.StatusCode, c)
	}
	var cert struct{ ID string }
	_ = json.Unmarshal(c, &cert)
	id := cert.ID
	if id == "" {
		t.Fatalf("no id in %s", c)
	}
	_, kb := do(t, "GET", ts.URL+"/api/v1/signing-key", "", nil, nil)
	pub, err := custody.ParsePublicKey(string(kb))
	if err != nil {
		t.Fatal(err)
	}
	list := func() *custody.RevocationList {
		t.Helper()
		_, rl := do(t, "GET", ts.URL+"/api/v1/certificates/revocations", "", nil, nil)
		l, err := custody.OpenRevocations(rl, pub)
		if err != nil {
			t.Fatalf("revocation list %s: %v", rl, err)
		}
		return l
	}
	if list().Find(id) != nil {
		t.Fatalf("%s listed before its revocation", id)
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/certificates/"+url.PathEscape(id)+"/revoke", adminSecret, []byte(`{"reason": "assay withdrawn"}`), jsonCT)
	if resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
	if r := list().Find(id); r == nil || !strings.Contains(r.Reason, "assay withdrawn") {
		t.Errorf("%s not listed right after its revocation: %+v", id, r)
	}
}
