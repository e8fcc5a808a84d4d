package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// TestNoteHeadlineConsistent (fix13q item 3): after a note the headline
// dmt and nsr_per_dmt are the corrected settlement's, so that lot_value =
// dmt × nsr_per_dmt. The T-NOTE lot (noteLot) was invoiced on 90 dmt at
// 2 000 USD/dmt = 180 000.00; its receipt corrected to 99 000 kg gives
// 99 × 0.9 = 89.1 dmt × 20 % × 10 000 USD/t = 178 200.00 and a credit
// note of −1 800.00. The headline is then 89.1 dmt, 178 200 ÷ 89.1 =
// 2 000.0000 USD/dmt (not the stale 90 dmt: 90 × 2 000 = 180 000 ≠
// 178 200). The note's line changes the weight (90 → 89.1 dmt), so it
// has no per-dmt figure: its per-dmt change is 2 000 − 2 000 = 0 on an
// amount of −1 800, a false 0; it says n/a with that reason instead.
func TestNoteHeadlineConsistent(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-H"
	receipt := noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	retract(t, s, receipt, "2025-12-01T09:00:00Z")
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000c4", "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 99000), "sensorElementList": h2o(10)})
	if _, err := s.IssueNoteAt(ctx, "T-NOTE", lot, "receipt weight corrected to 99 000 kg", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	v, _, err := s.Value(ctx, "T-NOTE", lot)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "lot value", v.LotValue, "178200")
	eq(t, "headline dmt", v.DMT, "89.1")
	eq(t, "headline NSR per dmt", v.NSRPerDMT, "2000")
	var noteLine *commercial.Line
	for i, l := range v.Lines {
		if strings.HasPrefix(l.Code, "note_") {
			noteLine = &v.Lines[i]
		}
	}
	if noteLine == nil || !noteLine.PerDMT.IsZero() || !strings.Contains(noteLine.NoPerDMT, "90 → 89.1 dmt") {
		t.Errorf("note line %+v; want per-dmt n/a naming the weight change 90 → 89.1 dmt", noteLine)
	}
	if err := v.CheckHeadline(2); err != nil {
		t.Errorf("consistent headline refused: %v", err)
	}
}

// TestHeadlineInvariantRefusesStaleFigures (fix13q item 3): the recheck's
// stale headline — 92 dmt × 2 385.8659 = 219 499.66 against a lot value
// of 212 481.39, a settlement of six lines — is refused: 7 018.27 apart,
// far beyond the rounding the figures carry, 92 × 0.00005 (NSR to 4
// places) + 6 × (0.005 + 92 × 0.0000005) (each line's cents and its
// 6-place per-dmt figure) = 0.0046 + 0.0303 = 0.0349. The current 89.046
// dmt × 2 386.1983 (Σ of the lines' per-dmt figures) = 212 481.4138, 0.0238
// from 212 481.39, is within its 0.004452 + 6 × 0.005044523 = 0.0347.
func TestHeadlineInvariantRefusesStaleFigures(t *testing.T) {
	lines := make([]commercial.Line, 6)
	v := &commercial.Valuation{Currency: "USD", DMT: d("92"), NSRPerDMT: d("2385.8659"), LotValue: d("212481.39"), Lines: lines}
	if err := v.CheckHeadline(2); critmin.ErrorCode(err) != critmin.EINTERNAL || !strings.Contains(critmin.ErrorMessage(err), "219499.66") {
		t.Errorf("stale headline: %v; want EINTERNAL naming 92 × 2385.8659 = 219499.66", err)
	}
	v.DMT, v.NSRPerDMT = d("89.046"), d("2386.1983")
	if err := v.CheckHeadline(2); err != nil {
		t.Errorf("current headline: %v", err)
	}
	// One cent more than the rounding allows is refused: 0.0238 is within
	// 0.0347 for six lines but not 0.0095 for one (0.004452 + 0.005044).
	v.Lines = lines[:1]
	if err := v.CheckHeadline(2); critmin.ErrorCode(err) != critmin.EINTERNAL {
		t.Errorf("one line, 0.0238 apart: %v; want refused", err)
	}
	_ = decimal.Zero
}
