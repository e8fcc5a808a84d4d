package refinery_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqlite"
)

// TestHandMadeFlowsheetCannotCloseLedgerSite (issue 12, fix12d gap 1):
// the demo corridor's refinery has 6 events in the ledger dated in
// October 2025 at its business location (America/Chicago): 019, 020,
// 021 (receipt, packing, inspection), 023, 024, 025 (transformations).
// A flowsheet whose NdPr oxide tonnage was typed in by hand (2.6 t
// instead of the 2.53 t of lot NDPR-2025-001) is refused by Close with
// an error naming the site, the period and the 6 events; the
// ledger-backed problem itself passes that check. A close of the
// hand-made file stored without the check (ClosePeriod, as before the
// fix) is read with a warning naming its record, by RecoveryFor (so the
// planner and the mass balance) and by the report.
func TestHandMadeFlowsheetCannotCloseLedgerSite(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := demo.Load(ctx, ledger.NewService(store)); err != nil {
		t.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	store.TrustPeriodKeys(pub)
	flow, err := refinery.CorridorFlowsheet()
	if err != nil {
		t.Fatal(err)
	}
	lp, err := refinery.FromLedger(ctx, store, flow, refinery.CorridorSite, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	if err := refinery.CheckLedgerBacked(ctx, store, lp); err != nil {
		t.Fatalf("the ledger-backed problem: %v", err)
	}
	hand := *lp
	hand.Streams = append([]refinery.Stream{}, lp.Streams...)
	found := false
	for i, s := range hand.Streams {
		if s.ID == "ndpr_oxide" {
			m := *s.Mass
			m.Value = 2.6
			m.Source = nil
			hand.Streams[i].Mass = &m
			found = true
		}
	}
	if !found {
		t.Fatal("no ndpr_oxide stream")
	}
	who := refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
	_, _, err = refinery.Close(ctx, store, &hand, who, "test month", key, time.Now())
	msg := critmin.ErrorMessage(err)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(msg, refinery.CorridorSite) || !strings.Contains(msg, "2025-10") ||
		!strings.Contains(msg, "6 events") || !strings.Contains(msg, "ledger-backed") || !strings.Contains(msg, "ndpr_oxide") {
		t.Fatalf("hand-made close: %v, want EINVALID naming the site, 2025-10, 6 events, ndpr_oxide and the ledger-backed close", err)
	}
	if recs, _ := store.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("%d records stored by a refused close", len(recs))
	}
	// As stored before the check.
	rec, _, err := refinery.ClosePeriod(ctx, store, &hand, who, "test month", key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := refinery.RecoveryFor(ctx, store, refinery.CorridorSite, "Nd", "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	want := "close record " + strconv.FormatInt(rec.Seq, 10) + " "
	for _, r := range rs {
		if !strings.Contains(r.Warning, want) || !strings.Contains(r.Warning, "not ledger-backed") {
			t.Errorf("recovery to %s: warning %q, want one naming %q as not ledger-backed", r.Stream, r.Warning, want)
		}
	}
	if len(rs) == 0 {
		t.Fatal("no recovery")
	}
	crec, cp, cr, err := refinery.ClosedResult(ctx, store, refinery.CorridorSite, "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	rep := refinery.NewReport(cp, cr, crec, time.Now())
	if err := rep.CheckStale(ctx, store); err != nil {
		t.Fatal(err)
	}
	if n := strings.Join(rep.Notes, " "); !strings.Contains(n, "NOT LEDGER-BACKED") || !strings.Contains(n, want) {
		t.Errorf("report notes %q: want a NOT LEDGER-BACKED note naming the record", rep.Notes)
	}
}
