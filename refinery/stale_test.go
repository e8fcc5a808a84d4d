package refinery_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestStaleAfterErrorDeclaration (nu12 item 6d): October at the leach
// plant is closed from its sensor reports; afterwards the conc report of
// 26 Oct is declared in error (EPCIS 2.0 §7.4.1.2: the event as
// captured, with an errorDeclaration, recorded after the close). The
// month's figures relied on that report, so the closed period's report
// is flagged stale and names the event. A report of the same month
// re-read before the declaration is not stale.
func TestStaleAfterErrorDeclaration(t *testing.T) {
	ctx, store, svc, flow := sensorStore(t)
	rpS, rpF, rpR, rpC := "urn:critmin:test:rp:stockpile", "urn:critmin:test:rp:feed", "urn:critmin:test:rp:reclaim", "urn:critmin:test:rp:conc"
	c1 := sensorEvent("c1", "2025-10-26T08:00:00Z", "", rpC, mass(20, "TNE"), conc("Cu", 17))
	captureEvents(t, ctx, svc,
		sensorEvent("s1", "2025-09-30T18:00:00Z", "stock_taking", rpS, mass(500, "TNE", 5), conc("Cu", 2.0, 0.05)),
		sensorEvent("s2", "2025-10-31T18:00:00Z", "stock_taking", rpS, mass(600, "TNE"), conc("Cu", 1.8)),
		sensorEvent("f1", "2025-10-05T08:00:00Z", "", rpF, mass(300, "TNE"), conc("Cu", 2.5)),
		sensorEvent("r1", "2025-10-25T08:00:00Z", "", rpR, mass(200, "TNE"), conc("Cu", 2.4)),
		c1,
	)
	p, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	who := refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	store.TrustPeriodKeys(pub)
	if _, _, err := refinery.ClosePeriod(ctx, store, p, who, "test month", key, time.Now()); err != nil {
		t.Fatal(err)
	}
	report := func() *refinery.Report {
		t.Helper()
		rec, cp, cr, err := refinery.ClosedResult(ctx, store, sensorSite, "2025-10")
		if err != nil {
			t.Fatal(err)
		}
		rep := refinery.NewReport(cp, cr, rec, time.Now())
		if err := rep.CheckStale(ctx, store); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := report(); rep.Stale != nil {
		t.Fatalf("stale before any late event: %+v", rep.Stale)
	}
	// Every reader of the recoveries (refinery yields, GET
	// /api/v1/refinery/recoveries, critmin plan, the mass balance) reads
	// them through RecoveryFor, which carries the stale flag.
	recoveries := func() []refinery.Recovery {
		t.Helper()
		rs, err := refinery.RecoveryFor(ctx, store, sensorSite, "Cu", "2025-10")
		if err != nil || len(rs) == 0 {
			t.Fatalf("recoveries: %v %+v", err, rs)
		}
		return rs
	}
	if rs := recoveries(); rs[0].Stale != nil || rs[0].Warning != "" {
		t.Fatalf("recovery stale before any late event: %+v", rs[0])
	}
	time.Sleep(2 * time.Millisecond) // the declaration's record time follows the close's
	captureEvents(t, ctx, svc, strings.TrimSuffix(c1, "}")+`, "errorDeclaration": {"declarationTime": "2025-11-20T09:00:00Z", "reason": "incorrect_data"}}`)
	rep := report()
	if rep.Stale == nil || len(rep.Stale.Events) != 1 || rep.Stale.Events[0] != "urn:critmin:test:event:c1" {
		t.Fatalf("after the declaration: stale %+v, want c1 named", rep.Stale)
	}
	for _, r := range recoveries() {
		if r.Stale == nil || len(r.Stale.Events) != 1 || r.Stale.Events[0] != "urn:critmin:test:event:c1" || !strings.Contains(r.Warning, "STALE") || !strings.Contains(r.Warning, "urn:critmin:test:event:c1") {
			t.Errorf("recovery of a stale close without its flag: %+v", r)
		}
	}
	if n := strings.Join(rep.Notes, " "); !strings.Contains(n, "declared in error") {
		t.Errorf("notes %q do not say the event was declared in error", rep.Notes)
	}
}
