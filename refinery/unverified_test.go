package refinery_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqlite"
)

// TestReaderWithoutKeyDoesNotCallPeriodClosed (issue 12, fix12d gap 4):
// a period closed with the installation's key is read by a store that
// knows no installation key (as a PostgreSQL store opened by a read-only
// command without signing.key or CRITMIN_SIGNING_KEY). Its signer cannot
// be checked, so ClosedResult, ClosedPeriods and RecoveryFor treat the
// period as not closed (ENOTFOUND wrapping ErrUnverified) and say the key
// is missing; the mass balance's conversion factor keeps the declared
// 0.5 and names why. Given the key again, the period is closed. (A store
// with a pinned key knows it: this is a store from before pinning.)
func TestReaderWithoutKeyDoesNotCallPeriodClosed(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	store.TrustPeriodKeys(pub)
	p := twoProductProblem()
	p.Site, p.Period = "urn:critmin:test:site:keyless", "2025-10"
	who := refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
	if _, _, err := refinery.ClosePeriod(ctx, store, p, who, "test month", key, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := refinery.ClosedResult(ctx, store, p.Site, p.Period); err != nil {
		t.Fatalf("with the key: %v", err)
	}
	// A store from before keys were pinned (no pin entry), opened by a
	// reader that knows no key: the pinned key would otherwise be known.
	if _, err := store.Write.ExecContext(ctx, `DELETE FROM audit_log WHERE action = 'refinery.key'`); err != nil {
		t.Fatal(err)
	}
	store.TrustPeriodKeys()
	check := func(what string, err error) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.ENOTFOUND || !errors.Is(err, refinery.ErrUnverified) ||
			!strings.Contains(err.Error(), "cannot be verified") || !strings.Contains(err.Error(), "signing.key") || !strings.Contains(err.Error(), "CRITMIN_SIGNING_KEY") {
			t.Errorf("%s without the key: %v, want ENOTFOUND wrapping ErrUnverified naming signing.key and CRITMIN_SIGNING_KEY", what, err)
		}
	}
	_, _, _, err = refinery.ClosedResult(ctx, store, p.Site, p.Period)
	check("ClosedResult", err)
	ps, err := refinery.ClosedPeriods(ctx, store, p.Site)
	check("ClosedPeriods", err)
	if len(ps) != 0 {
		t.Errorf("closed periods %v without the key, want none", ps)
	}
	_, err = refinery.RecoveryFor(ctx, store, p.Site, "Cu", p.Period)
	check("RecoveryFor", err)
	cat := critmin.MaterialCategory{Elements: []string{"Cu"}, Product: "conc", ConversionFactor: 0.5}
	f, src, ok, err := refinery.ConversionFactors{Store: store}.ConversionFactor(ctx, p.Site, cat, critmin.ClaimPeriod{From: "2025-10-01", To: "2025-11-01"})
	if err != nil || !ok || f != 0.5 || !strings.Contains(src, "cannot be verified") {
		t.Errorf("conversion factor without the key: %g %q %v %v, want the declared 0.5 with a source saying the close cannot be verified", f, src, ok, err)
	}
	store.TrustPeriodKeys(pub)
	if _, _, _, err := refinery.ClosedResult(ctx, store, p.Site, p.Period); err != nil {
		t.Fatalf("with the key again: %v", err)
	}
}

// twoProductProblem is the plain problem: feed 100 ± 2 t at
// 1.0 ± 0.03 % Cu, concentrate (kind product, commodity conc) 8 ± 0.3 t
// at 10.0 ± 0.2 %, tailing 92 ± 2 t at 0.2 ± 0.01 %.
func twoProductProblem() *refinery.Problem {
	p, err := refinery.DecodeProblem(strings.NewReader(`{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
 {"id": "conc", "from": "flotation", "kind": "product", "commodity": "conc", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	if err != nil {
		panic(err)
	}
	return p
}
