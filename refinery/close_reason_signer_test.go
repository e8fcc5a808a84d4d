package refinery_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// biasDoc is 16 independent units, each weighing its feed (100 ± 1 t)
// and two products (60 ± 1 t and 40 ± 1 t), grades fixed at 1 % so only
// the mass balances count: dof 16, 48 redundant measurements. Unit u0's
// feed weigher carries a planted bias of +8.66 t (108.66 for 100).
//
// In u0 the imbalance is r = 108.66 − 60 − 40 = 8.66 t with variance
// 1² + 1² + 1² = 3, so χ² = r²/3 = 74.9956/3 = 24.999, below the
// χ²(16) critical value at 95 %, 26.296: the global test passes. Each of
// u0's three measurements is adjusted by r/3 = 2.887 t with adjustment
// sd √(1 − 1/3) = 0.8165, so |z| = 2.887/0.8165 = r/√3 = 4.9999 — over
// the Šidák measurement critical value for 48 redundant measurements,
// Φ⁻¹(1 − β/2) with β = 1 − 0.95^(1/48) = 0.001068, i.e. 3.27: suspected
// gross errors, kept in the solution (the global test passes, so serial
// elimination removes nothing).
func biasDoc() string {
	var b strings.Builder
	b.WriteString(`{"site":"urn:critmin:test:site:bias","period":"2026-01","elements":["Cu"],"nodes":[`)
	for u := range 16 {
		if u > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":"u%d"}`, u)
	}
	b.WriteString(`],"streams":[`)
	for u := range 16 {
		if u > 0 {
			b.WriteString(",")
		}
		feed := 100.0
		if u == 0 {
			feed = 108.66
		}
		fmt.Fprintf(&b, `{"id":"f%d","to":"u%d","mass_t":{"value":%g,"sd":1},"grade_pct":{"Cu":{"value":1,"fixed":true}}},`, u, u, feed)
		fmt.Fprintf(&b, `{"id":"a%d","from":"u%d","mass_t":{"value":60,"sd":1},"grade_pct":{"Cu":{"value":1,"fixed":true}}},`, u, u)
		fmt.Fprintf(&b, `{"id":"b%d","from":"u%d","mass_t":{"value":40,"sd":1},"grade_pct":{"Cu":{"value":1,"fixed":true}}}`, u, u)
	}
	b.WriteString(`]}`)
	return b.String()
}

// TestCloseSuspectNeedsReason: the planted bias of biasDoc is flagged
// (SUSPECT, not removed) while the global test passes; a close without a
// reason is refused naming the flagged measurement, nothing recorded;
// with --accept the reason is kept in the record and shown in the
// report.
func TestCloseSuspectNeedsReason(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	_, r, err := refinery.ClosePeriod(ctx, db, decode(t, biasDoc()), op, "", key, at)
	if r == nil {
		t.Fatalf("no result: %v", err)
	}
	near(t, "chi-square", r.ChiSquare, 8.66*8.66/3, 1e-6)
	if r.DOF != 16 || r.GlobalTest != refinery.TestPass {
		t.Fatalf("dof %d, verdict %s; want 16, pass", r.DOF, r.GlobalTest)
	}
	near(t, "critical |z|", float64(r.MeasurementTestCritical), 3.27, 0.01)
	var flagged bool
	for _, g := range r.GrossErrors {
		if g.Pointer == "/streams/0/mass_t" && !g.Located {
			flagged = true
			near(t, "|z| of f0", math.Abs(g.NormalisedAdjustment), 8.66/math.Sqrt(3), 1e-6)
		}
	}
	if !flagged {
		t.Fatalf("the biased feed is not flagged: %+v", r.GrossErrors)
	}
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "suspected gross errors") || !strings.Contains(err.Error(), "/streams/0/mass_t") {
		t.Fatalf("close with a kept suspect and no reason: %v", err)
	}
	if recs, _ := db.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("a refused close left %d records", len(recs))
	}
	rec, _, err := refinery.ClosePeriod(ctx, db, decode(t, biasDoc()), op, "feed weigher u0 checked; bias accepted", key, at)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Reason != "feed weigher u0 checked; bias accepted" {
		t.Errorf("reason %q", rec.Reason)
	}
	crec, cp, cr, err := refinery.ClosedResult(ctx, db, rec.Site, rec.Period)
	if err != nil {
		t.Fatal(err)
	}
	rep := refinery.NewReport(cp, cr, crec, at)
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "feed weigher u0 checked; bias accepted") {
		t.Errorf("the report does not show the reason: %q", rep.Notes)
	}
}

// TestVerifyChecksSignerAgainstInstallationKey (fix12e item 2): with the
// first close's key pinned, a close signed by a second key is refused
// by the store even when the store is told to trust that key, and
// verify names the installation key it checked. A store from before
// pinning whose records carry a second key, read with no key given,
// fails verify with "signatures not checked: no installation key"
// instead of passing them as signed.
func TestVerifyChecksSignerAgainstInstallationKey(t *testing.T) {
	ctx := context.Background()
	db, key := testStore(t)
	closeTwoProduct(t, db, key)
	pin, err := db.PinnedPeriodKey(ctx)
	if err != nil || !pin.Equal(key.Public()) {
		t.Fatalf("pinned key %v %v, want the first close's", pin, err)
	}
	pub2, key2, _ := ed25519.GenerateKey(rand.Reader)
	db.TrustPeriodKeys(pub2)
	admin := refinery.Actor{Name: "al", Role: critmin.RoleAdmin}
	if _, err := refinery.ReopenPeriod(ctx, db, twoProductSite, "2025-10", admin, "r", key2, at); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("reopen signed by a second key: %v, want EINVALID", err)
	}
	rep, err := db.Verify(ctx, nil, nil)
	if err != nil || !strings.Contains(rep.PeriodProblem, "is not the key") {
		t.Fatalf("verify with a key that is not the pinned one: %+v %v", rep, err)
	}
	db.TrustPeriodKeys()
	if rep, err := db.Verify(ctx, nil, nil); err != nil || rep.PeriodProblem != "" || rep.PeriodKey != refinery.KeyID(pin) {
		t.Fatalf("verify: %+v %v, want ok naming the pinned key", rep, err)
	}
	// A store from before pinning: no pin, no key given.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM audit_log WHERE action = 'refinery.key'`); err != nil {
		t.Fatal(err)
	}
	if rep, err := db.Verify(ctx, nil, nil); err != nil || !strings.Contains(rep.PeriodProblem, "signatures not checked: no installation key") {
		t.Fatalf("verify without any key: %+v %v", rep, err)
	}
}
