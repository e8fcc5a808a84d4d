package commercial_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user check (fix13p, 3): one status per class of refusal.
// An Au assay of 4 captured in % (4 × 10 000 = 40 000 g/t, above the
// plausible 1 000 g/t) is recorded data that contradict each other: the
// provisional invoice is refused ECONFLICT (409), and the settlement of
// the same lot answered EINVALID (400: the settlement page and GET
// /api/v1/trade/settlement) for the same refusal. Both are ECONFLICT now,
// with the same message.
func TestSettlementRefusesAsIssueDoes(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-AU", func(m map[string]any) { delete(m, "assay_exchange") })
	bad := "urn:critmin:test:lot:AU-PCT"
	weighedLotAu(t, s, bad, 100000, "KGM", 9, 0, 0, "%")
	_, issueErr := s.IssueAt(ctx, "T-AU", bad, commercial.Provisional, provAt)
	_, _, valueErr := s.Value(ctx, "T-AU", bad)
	if critmin.ErrorCode(issueErr) != critmin.ECONFLICT {
		t.Fatalf("issue: %v; want ECONFLICT", issueErr)
	}
	if critmin.ErrorCode(valueErr) != critmin.ErrorCode(issueErr) {
		t.Errorf("settlement refused %s (%v), issue %s: one refusal, one status", critmin.ErrorCode(valueErr), valueErr, critmin.ErrorCode(issueErr))
	}
	if len(critmin.ErrorFields(valueErr)) == 0 || critmin.ErrorFields(valueErr)[0].Pointer != "/lot/assays/Au" {
		t.Errorf("settlement refusal fields %v; want lot/assays/Au named", critmin.ErrorFields(valueErr))
	}
}
