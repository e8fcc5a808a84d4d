package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// dryGainLot captures a copper lot loaded at 100 000 kg with moisture
// 0.11 (cm:moisture is a fraction: 11 %), shipped on 2 Sep 2025 and
// received on 4 Oct 2025 at 98 900 kg with an H2O MassConcentration of
// receiptH2O in uom P1 (per cent).
func dryGainLot(t *testing.T, s *commercial.Service, lot string, n int, receiptH2O float64) {
	t.Helper()
	ids := func(k int) string {
		return "urn:uuid:d13f0000-0000-4000-8000-" + strings.Repeat("0", 10) + string(rune('0'+n)) + string(rune('0'+k))
	}
	capture(t, s,
		map[string]any{"type": "ObjectEvent", "eventID": ids(1), "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.11, "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventID": ids(2), "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:DRY-" + lot[len(lot)-1:]}}},
		map[string]any{"type": "ObjectEvent", "eventID": ids(3), "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
			"quantityList": qty(lot, 98900), "sensorElementList": h2o(receiptH2O)})
}

// Issue 13, new-user check (fix13k, 1): a receipt H2O of 0.115 in uom P1
// (0.115 %, a slip for 11.5 %) made the outturn 98.9 × (1 − 0.115 %) =
// 98.9 − 0.113735 = 98.786 dmt against 100 × (1 − 11 %) = 89 dmt loaded:
// 9.786 dmt (9.786 ÷ 89 = 11.0 %) of concentrate gained at sea, and the
// final invoice was issued on it (the buyer paying for water as metal).
// Dry mass cannot grow in transit: beyond 89 × (1 + 0.5 %) = 89.445 dmt
// the final settlement is missing (the valuation says why) and the final
// invoice is refused 409, naming the lot, both dry tonnages and the
// moisture figures with their unit. With the H2O captured right (11.5):
// 98.9 × (1 − 11.5 %) = 87.5265 → 87.527 dmt ≤ 89.445, issued.
func TestDischargeDryGainRefusesFinalInvoice(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-DRY", func(m map[string]any) { delete(m, "assay_exchange") })
	bad, good := "urn:critmin:test:lot:DRY-A", "urn:critmin:test:lot:DRY-B"
	dryGainLot(t, s, bad, 1, 0.115)
	dryGainLot(t, s, good, 2, 11.5)
	prov := time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)
	fin := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, lot := range []string{bad, good} {
		if _, err := s.IssueAt(ctx, "T-DRY", lot, commercial.Provisional, prov); err != nil {
			t.Fatalf("%s provisional: %v", lot, err)
		}
	}
	v, _, err := s.Value(ctx, "T-DRY", bad)
	if err != nil {
		t.Fatal(err)
	}
	if v.Final != nil || !strings.Contains(v.Missing, "dry mass cannot grow in transit") {
		t.Errorf("valuation of %s: final %v, missing %q; want the final missing for the dry gain", bad, v.Final != nil, v.Missing)
	}
	_, err = s.IssueAt(ctx, "T-DRY", bad, commercial.Final, fin)
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("final invoice on a dry gain: %v; want ECONFLICT", err)
	}
	for _, want := range []string{bad, "discharge 98.786 dmt", "loading 89 dmt", "98.9 wmt × (1 − 0.115 %)", "100 wmt × (1 − 11 %)", "9.786 dmt (11 %)", "0.5 % weighing tolerance", "uom P1 is per cent"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("refusal %q does not say %q", critmin.ErrorMessage(err), want)
		}
	}
	inv, err := s.IssueAt(ctx, "T-DRY", good, commercial.Final, fin)
	if err != nil {
		t.Fatalf("final invoice with the moisture right: %v", err)
	}
	eq(t, "final dmt", inv.Settlement.DMT, "87.527")
}
