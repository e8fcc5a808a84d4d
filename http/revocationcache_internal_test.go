package http

import (
	"context"
	"testing"

	"github.com/critmin/critmin/custody"
)

// The superseded list is computed once per database revision: asked
// again with the same ledger position and the same standing certificates
// it is served from the cache; a new record (a capture, a correction), a
// certificate issued or revoked (the standing set changes) or a stored
// body altered gives a new key, and it is computed again — never served
// stale.
func TestSupersessionsCachedByRevision(t *testing.T) {
	a := &custody.StoredCertificate{ID: "urn:uuid:a", Body: `{"a":1}`}
	b := &custody.StoredCertificate{ID: "urn:uuid:b", Body: `{"b":1}`}
	base := supersessionKey(10, []*custody.StoredCertificate{a, b})
	if supersessionKey(10, []*custody.StoredCertificate{a, b}) != base {
		t.Fatal("the same revision gives two keys")
	}
	altered := &custody.StoredCertificate{ID: a.ID, Body: `{"a":2}`}
	for name, k := range map[string]string{
		"ledger grew":    supersessionKey(11, []*custody.StoredCertificate{a, b}),
		"b revoked":      supersessionKey(10, []*custody.StoredCertificate{a}),
		"body altered":   supersessionKey(10, []*custody.StoredCertificate{altered, b}),
		"ids run on":     supersessionKey(10, []*custody.StoredCertificate{{ID: a.ID + a.Body, Body: ""}, b}),
		"one issued too": supersessionKey(10, []*custody.StoredCertificate{a, b, {ID: "urn:uuid:c"}}),
	} {
		if k == base {
			t.Errorf("%s: same key as before", name)
		}
	}
	var c supersessions
	calls := 0
	compute := func(context.Context) ([]custody.Revocation, error) {
		calls++
		return []custody.Revocation{{ID: "urn:uuid:b", Superseded: true}}, nil
	}
	ctx := context.Background()
	for range 3 {
		if l, err := c.get(ctx, base, compute); err != nil || len(l) != 1 {
			t.Fatalf("get: %v %v", l, err)
		}
	}
	if calls != 1 {
		t.Errorf("three requests on one revision computed %d times; want 1", calls)
	}
	if _, err := c.get(ctx, supersessionKey(11, []*custody.StoredCertificate{a, b}), compute); err != nil || calls != 2 {
		t.Errorf("a new revision: computed %d times (want 2), %v", calls, err)
	}
}
