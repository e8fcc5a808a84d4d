package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// Shared set-ups of the mass-balance claim tests at site mb (fix9g, 9j,
// 9k, 9o, 9p, 9q, 9r). They hold no figure of their own: each test states
// and checks its figures.

// mbfxREE is an REE concentrate feed lot of country iso, tonnes t at
// Nd 4 % + Pr 1 % (5 % Nd+Pr).
func mbfxREE(lot, iso string, t float64) string {
	return feed(lot, "ree_concentrate", iso, t, "Nd:4", "Pr:1")
}

// mbfxOxide is a run id at mb on when taking inputs and making lot of
// tonnes NdPr oxide at Nd 60 % + Pr 20 % (80 % Nd+Pr), with extra ILMD
// (a claim, or "").
func mbfxOxide(id, when string, inputs []string, lot string, tonnes float64, extra string) string {
	return runOf(id, "mb", when, inputs, product{lot: lot, commodity: "ndpr_oxide", t: tonnes, assays: []string{"Nd:60", "Pr:20"}, extra: extra})
}

// mbfxStore stores events at site mb (mass balance) and declares its
// balance (declaration) from Sep 30, 2025; rolling makes it a
// rolling-average site with no carry-forward (October alone).
func mbfxStore(t *testing.T, rolling bool, events ...string) *sqldb.DB {
	t.Helper()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, events...))
	d := declaration("urn:t:site:mb")
	if rolling {
		d.Method, d.CarryForward = critmin.MassBalanceRollingAverage, 0
	}
	if err := custody.DeclareMassBalance(context.Background(), db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return db
}

// mbfxService is a ledger service on db that checks claims at capture.
func mbfxService(db *sqldb.DB) *ledger.Service {
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	return svc
}

// mbfxTry sets svc's clock to now and captures docs, returning the
// capture's error.
func mbfxTry(svc *ledger.Service, now string, docs ...string) error {
	svc.Now = clockAt(now)
	return capture(svc, docs...)
}

// mbfxCapture is mbfxTry that fails the test when the capture is
// refused, naming what was captured (or, what being "", when).
func mbfxCapture(t *testing.T, svc *ledger.Service, now, what string, docs ...string) {
	t.Helper()
	if err := mbfxTry(svc, now, docs...); err != nil {
		if what == "" {
			what = "capture at " + now
		}
		t.Fatalf("%s: %v", what, err)
	}
}

// mbfxClaim is lot's claim as its origin reads it (lot without the
// urn:t:lot: prefix); the test fails when lot has none.
func mbfxClaim(t *testing.T, db custody.Store, lot string) *custody.Claim {
	t.Helper()
	o, err := custody.OriginOf(context.Background(), db, "urn:t:lot:"+lot, false)
	if err != nil || o.Claimed == nil {
		t.Fatalf("%s origin: %+v %v", lot, o, err)
	}
	return o.Claimed
}

// mbfxStatement is site mb's statement of period as of at.
func mbfxStatement(t *testing.T, db custody.Store, period string, at time.Time) *custody.Statement {
	t.Helper()
	st, err := custody.StatementOf(context.Background(), db, "urn:t:site:mb", period, nil, at)
	if err != nil {
		t.Fatalf("statement %s: %v", period, err)
	}
	return st
}

// mbfxDeficit9g captures on setup9g the deficit of
// TestDeficitAllocatedFromLast: R2 and R3 (Oct 6, recorded Oct 7) make
// O2 and O3, 0.5 t × 80 % = 0.4 t each claiming PAK (0.8 ≤ 0.8, both
// accepted); AS1 (dated Oct 5, recorded Oct 8) puts O1 at Nd 5 %, so R1
// credits 1 × (5 + 20) % = 0.25 t: deficit 0.8 − 0.25 = 0.55 t.
func mbfxDeficit9g(t *testing.T, svc *ledger.Service) {
	t.Helper()
	mbfxCapture(t, svc, "2025-10-07T00:00:00Z", "O2 and O3, 0.4 t each on 0.8 t",
		oxide9g("R2", "2025-10-06T00:00:00Z", "O2", 0.5), oxide9g("R3", "2025-10-06T01:00:00Z", "O3", 0.5))
	mbfxCapture(t, svc, "2025-10-08T00:00:00Z", "AS1 (O1 Nd 5 %)",
		lateAssay9d("AS1", "2025-10-05T00:00:00Z", "urn:t:lot:O1", "5"))
}

// mbfxCert issues, with a new key, a certificate on lot from svc's store
// as of at, and returns it as JSON.
func mbfxCert(t *testing.T, svc *ledger.Service, lot string, at time.Time) []byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	cert, err := custody.Issue(context.Background(), svc.Store.(*sqldb.DB), lot, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, at)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cert)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mbfxRolling9u stores at mb, a rolling-average site (mbfxStore), the
// feeds the fix9u tests share — PK (Pakistan) 10 t, CN (China) 10 t, MM
// and MM2 (Myanmar) 20 t each, all at Nd 4 % + Pr 1 % — then more (each
// test's own feeds), and captures their first two runs:
//
//	RA1 (Oct 5, run t1): PK 10 t + CN 10 t → O1 1 t of NdPr oxide.
//	RA2 (Oct 6, run t2): MM 20 t + MM2 20 t → O2 2 t.
func mbfxRolling9u(t *testing.T, more ...string) (*sqldb.DB, *ledger.Service) {
	t.Helper()
	feeds := append([]string{mbfxREE("PK", "PAK", 10), mbfxREE("CN", "CHN", 10), mbfxREE("MM", "MMR", 20), mbfxREE("MM2", "MMR", 20)}, more...)
	db := mbfxStore(t, true, feeds...)
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T01:00:00Z", "RA1", run9p("RA1", "t1", "2025-10-05T00:00:00Z", []string{"PK:10", "CN:10"}, "O1", 1, ""))
	mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "RA2", run9p("RA2", "t2", "2025-10-06T00:00:00Z", []string{"MM:20", "MM2:20"}, "O2", 2, ""))
	return db, svc
}

// mbfxRunOrder stores feeds at mb (credit method, mbfxStore), captures
// events in order (by key) at now, and returns October 2025's statement
// as of Oct 20.
func mbfxRunOrder(t *testing.T, now string, events map[string]string, order []string, feeds ...string) *custody.Statement {
	t.Helper()
	db := mbfxStore(t, false, feeds...)
	svc := mbfxService(db)
	for _, k := range order {
		mbfxCapture(t, svc, now, k, events[k])
	}
	return mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
}
