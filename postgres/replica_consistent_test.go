package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
)

const lagDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:LAG", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:LAG", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:m"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}]}}`

// TestSecurityAndLocationReadsUseThePrimary: under --db-read a
// streaming replica shows the primary's commits only after its replay
// lag. A copy of the primary made before the writes below stands in for
// a replica that has replayed none of them (issue 14 new-user check):
//
//   - security: token "old" revoked and session "s-old" ended through
//     the store were still accepted (the replica shows them live), and
//     token "new", just created, was "unknown token" (401);
//   - read-your-writes: what a write just returned — a capture job (the
//     Location of POST /epcis/capture), its event and lot, a named query
//     and its subscription, a plan job, a certificate — was "not found"
//     (404), and the signed revocation list, dated now, lacked the
//     certificate just revoked.
//
// Each must be read from the primary. The event and capture-job lists
// still read the replica (they do not show the new capture), so the
// replica still takes the read-only work.
func TestSecurityAndLocationReadsUseThePrimary(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	primary := pgtest.MustCreateDatabase(t)
	p, err := postgres.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CreateToken(ctx, &critmin.Token{Name: "old", Role: critmin.RoleOperator, Hash: "h-old", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	old, err := p.FindTokenByHash(ctx, "h-old")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CreateSession(ctx, &critmin.Session{IDHash: "s-old", TokenID: old.ID, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := p.SaveCertificate(ctx, &custody.StoredCertificate{ID: "urn:t:cert:old", Lot: "urn:t:lot:A", Evidence: "e-old", Signer: "k", Body: `{"id":"urn:t:cert:old"}`, IssuedAt: now}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	replica := mustCopyDatabase(t, primary)

	lagging, err := postgres.OpenWithReadPool(ctx, primary, replica, false)
	if err != nil {
		t.Fatal(err)
	}
	defer lagging.Close()
	lagging.Now = func() time.Time { return now }
	if _, err := lagging.RevokeToken(ctx, "old", now); err != nil {
		t.Fatal(err)
	}
	if err := lagging.DeleteSession(ctx, "s-old"); err != nil {
		t.Fatal(err)
	}
	if err := lagging.CreateToken(ctx, &critmin.Token{Name: "new", Role: critmin.RoleViewer, Hash: "h-new", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	job, err := ledger.NewService(lagging).Capture(ctx, ledger.CaptureRequest{Body: []byte(lagDoc)})
	if err != nil {
		t.Fatal(err)
	}
	if err := lagging.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "lagq", Query: json.RawMessage(`{"EQ_bizStep":["shipping"]}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := lagging.CreateSubscription(ctx, &critmin.Subscription{ID: "lags", QueryName: "lagq", Dest: "http://h/", Stream: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := lagging.SavePlanJob(ctx, &critmin.PlanJob{ID: "plan-lag", Network: "n", Scenarios: []string{"baseline"}, Status: critmin.PlanRunning, Created: now}); err != nil {
		t.Fatal(err)
	}

	if err := lagging.RevokeCertificate(ctx, "urn:t:cert:old", "assay withdrawn", "admin", now); err != nil {
		t.Fatal(err)
	}
	if err := lagging.SaveCertificate(ctx, &custody.StoredCertificate{ID: "urn:t:cert:new", Lot: "urn:t:lot:A", Evidence: "e-new", Signer: "k", Body: `{"id":"urn:t:cert:new"}`, IssuedAt: now}); err != nil {
		t.Fatal(err)
	}

	// Security.
	if revs, err := lagging.Revocations(ctx); err != nil || len(revs) != 1 || revs[0].ID != "urn:t:cert:old" {
		t.Errorf("revocations (the signed list is dated now): %+v, %v; want urn:t:cert:old", revs, err)
	}
	if tok, err := lagging.FindTokenByHash(ctx, "h-old"); err == nil && tok.RevokedAt.IsZero() {
		t.Error(`revoked token "old" read as live: the look-up read the replica`)
	}
	if _, _, err := lagging.FindSession(ctx, "s-old", now); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf(`ended session "s-old": %v, want ENOTFOUND`, err)
	}
	if _, err := lagging.FindTokenByHash(ctx, "h-new"); err != nil {
		t.Errorf(`token "new" just created: %v`, err)
	}
	if ts, err := lagging.ListTokens(ctx); err != nil || len(ts) != 2 || ts[0].RevokedAt.IsZero() {
		t.Errorf("token list: %d tokens, %v; want old (revoked) and new", len(ts), err)
	}
	// Read-your-writes.
	if _, err := lagging.FindCaptureJob(ctx, job.CaptureID); err != nil {
		t.Errorf("capture job %s just acknowledged: %v", job.CaptureID, err)
	}
	if evs, err := lagging.FindEventsByID(ctx, "urn:t:ev:LAG"); err != nil || len(evs) != 1 {
		t.Errorf("event just captured: %d, %v", len(evs), err)
	}
	if _, err := lagging.FindLot(ctx, "urn:t:lot:LAG"); err != nil {
		t.Errorf("lot just captured: %v", err)
	}
	if _, err := lagging.FindNamedQuery(ctx, "lagq"); err != nil {
		t.Errorf("named query just created: %v", err)
	}
	if _, err := lagging.FindSubscription(ctx, "lagq", "lags"); err != nil {
		t.Errorf("subscription just created: %v", err)
	}
	if c, err := lagging.FindCertificate(ctx, "urn:t:cert:new"); err != nil || c.RevokedAt != nil {
		t.Errorf("certificate just issued: %+v, %v", c, err)
	}
	if c, err := lagging.FindCertificate(ctx, "urn:t:cert:old"); err != nil || c.RevokedAt == nil {
		t.Errorf("certificate just revoked: %+v, %v; want it revoked", c, err)
	}
	if _, err := lagging.FindPlanJob(ctx, "plan-lag"); err != nil {
		t.Errorf("plan job just started: %v", err)
	}
	// The rest still reads the replica, which has replayed none of it.
	if jobs, err := lagging.ListCaptureJobs(ctx, nil, 10); err != nil || len(jobs) != 0 {
		t.Errorf("capture job list: %d, %v; want 0 from the stand-in replica", len(jobs), err)
	}
	if n, err := lagging.CountEvents(ctx); err != nil || n != 0 {
		t.Errorf("event count: %d, %v; want 0 from the stand-in replica", n, err)
	}
}
