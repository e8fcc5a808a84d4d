package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// testRefineryPeriods closes a period signed with a key, refuses a second
// close and a reopen by an operator or without a reason, reopens it as an
// admin, closes it again, and checks that the audit trail holds all three
// records in one verifiable chain and that the closed period's
// recoveries are read back from the store.
func testRefineryPeriods(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)
	op := refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}
	admin := refinery.Actor{Name: "controller", Role: critmin.RoleAdmin}
	if _, err := s.ClosedPeriod(ctx, p.Site, p.Period); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("ClosedPeriod before any close: %v, want ENOTFOUND", err)
	}
	// No installation key known: the store itself refuses every record,
	// so that no writer can record a close no reader could trust.
	if _, _, err := refinery.ClosePeriod(ctx, s, p, op, "", key, now); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "signing key is not known") {
		t.Fatalf("close with no installation key known: %v, want EINVALID", err)
	}
	s.(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	// A key other than the installation's is refused by the store, not
	// only by refinery's writers: a record signed by it is never stored.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	if _, _, err := refinery.ClosePeriod(ctx, s, p, op, "", other, now); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("close signed by a foreign key: %v, want EINVALID", err)
	}
	forged := &critmin.PeriodRecord{Site: p.Site, Period: "2025-09", Action: critmin.PeriodClose, Actor: "x", Role: critmin.RoleOperator, At: now}
	refinery.Sign(forged, other)
	if err := s.AppendPeriodRecord(ctx, forged); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("AppendPeriodRecord of a record signed by a foreign key: %v, want EINVALID", err)
	}
	if recs, _ := s.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("%d records stored after refused appends", len(recs))
	}
	if _, _, err := refinery.ClosePeriod(ctx, s, p, refinery.Actor{Name: "v", Role: critmin.RoleViewer}, "", key, now); critmin.ErrorCode(err) != critmin.EFORBIDDEN {
		t.Errorf("close by a viewer: %v, want EFORBIDDEN", err)
	}
	rec, _, err := refinery.ClosePeriod(ctx, s, p, op, "", key, now)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Seq == 0 || rec.Prev != "" || rec.Hash != refinery.RecordHash(rec) {
		t.Fatalf("first close record %+v", rec)
	}
	if _, _, err := refinery.ClosePeriod(ctx, s, p, op, "", key, now.Add(time.Minute)); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("second close: %v, want ECONFLICT", err)
	}
	if _, err := refinery.ReopenPeriod(ctx, s, p.Site, p.Period, op, "typo in a weighbridge ticket", key, now); critmin.ErrorCode(err) != critmin.EFORBIDDEN {
		t.Errorf("reopen by an operator: %v, want EFORBIDDEN", err)
	}
	if _, err := refinery.ReopenPeriod(ctx, s, p.Site, p.Period, admin, " ", key, now); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("reopen without a reason: %v, want EINVALID", err)
	}
	if _, err := refinery.ReopenPeriod(ctx, s, p.Site, "2025-09", admin, "x", key, now); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("reopen of a period never closed: %v, want ECONFLICT", err)
	}
	// A stale chain head is refused: the store checks Prev itself.
	stale := &critmin.PeriodRecord{Site: p.Site, Period: "2025-11", Action: critmin.PeriodClose, Actor: "x", Role: critmin.RoleOperator, At: now, Prev: "", Hash: "h", KeyID: "k", Signature: "s"}
	if err := s.AppendPeriodRecord(ctx, stale); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("append on a stale head: %v, want ECONFLICT", err)
	}
	reo, err := refinery.ReopenPeriod(ctx, s, p.Site, p.Period, admin, "typo in a weighbridge ticket", key, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClosedPeriod(ctx, p.Site, p.Period); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("ClosedPeriod after reopen: %v, want ENOTFOUND", err)
	}
	again, _, err := refinery.ClosePeriod(ctx, s, p, op, "", key, now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	trail, err := s.PeriodRecords(ctx, p.Site, p.Period)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 3 || trail[1].Action != critmin.PeriodReopen || trail[1].Reason != "typo in a weighbridge ticket" || trail[1].Actor != "controller" {
		t.Fatalf("audit trail %+v", trail)
	}
	if trail[1].Prev != rec.Hash || trail[2].Prev != reo.Hash || trail[2].Hash != again.Hash {
		t.Error("records are not chained in order")
	}
	if !trail[0].At.Equal(now) {
		t.Errorf("close time %v, want %v", trail[0].At, now)
	}
	if err := refinery.VerifyPeriods(trail, pub); err != nil {
		t.Errorf("VerifyPeriods: %v", err)
	}
	trail[0].Result = trail[0].Result[:len(trail[0].Result)-2] + " }"
	if err := refinery.VerifyPeriods(trail, pub); err == nil {
		t.Error("VerifyPeriods accepted an edited result")
	}
	got, err := refinery.RecoveryFor(ctx, s, p.Site, "Nd", p.Period)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range got {
		if r.Stream == "ndpr_oxide" && r.Fraction > 0.9 && r.Fraction < 1 && r.Seq == again.Seq {
			found = true
		}
		if r.Stream == "leach_residue" {
			t.Errorf("a residue counted as a product: %+v", r)
		}
	}
	if !found {
		t.Errorf("RecoveryFor Nd = %+v, want ndpr_oxide from record %d", got, again.Seq)
	}
}
