package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// fix13v item 4: a warning a note has corrected is shown resolved by
// the note, not raised again. Lot NOTE-R (T-NOTE, noteLot): the final
// invoice rests on the 100 000 kg receipt b3, declared in error and
// received again at 99 000 kg (b4); the invoice warns that it rests on a
// retracted event. Credit note 1 (178 200 − 180 000 = −1 800) lists b3
// among its causes: served again, the invoice's retracted event b3 is
// resolved by note 1, its warning gone, and the lot's valuation lists it
// resolved too.
func TestNoteResolvesRetractionWarning(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-R"
	b3 := noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	fin, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	b4 := "urn:uuid:d13f0000-0000-4000-8000-0000000000d4"
	retractCorrected(t, s, b3, "2025-12-01T09:00:00Z", b4)
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": b4, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 99000), "sensorElementList": h2o(10)})
	inv, err := s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(inv.Warning(), "declared in error") {
		t.Fatalf("before the note: warning %q; want the retraction named", inv.Warning())
	}
	n, err := s.IssueNoteAt(ctx, "T-NOTE", lot, "receipt corrected to 99 000 kg", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "credit note", n.Total, "-1800")
	inv, err = s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(inv.Warning(), "declared in error") || len(inv.Retracted) != 1 || inv.Retracted[0].ResolvedBy != n.ID || len(inv.Unresolved()) != 0 {
		t.Errorf("after note %s: warning %q, retracted %+v; want b3 resolved by the note, no warning", n.ID, inv.Warning(), inv.Retracted)
	}
	v, _, err := s.Value(ctx, "T-NOTE", lot)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Retracted) != 1 || v.Retracted[0].ResolvedBy != n.ID {
		t.Errorf("valuation retracted %+v; want b3 resolved by %s", v.Retracted, n.ID)
	}
}

// fix13v item 4: a settlement warning the note corrected. Lot NOTE-M
// (T-NOTE, final at discharge): the receipt of 99 000 kg came without a
// moisture determination, so the final invoice was issued on the loading
// moisture, accepted (AcceptLoadingMoisture), with a warning saying so:
// 99 × (1 − 10 %) = 89.1 dmt × 20 % × 10 000 = 178 200. The receipt is
// declared in error and captured again with H2O 11 %: 99 × 0.89 = 88.11
// dmt × 20 % × 10 000 = 176 220, credit note −1 980. The lot's view shows
// the moisture warning resolved by the credit note, not as a live one.
func TestNoteResolvesSettlementWarning(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-M"
	noteLot(t, s, "urn:critmin:test:lot:NOTE-M0") // saves T-NOTE
	capture(t, s,
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000e1", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.10, "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 20.0, "cm:unit": "%", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000e2", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:NOTE-M"}}},
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000e3", "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
			"quantityList": qty(lot, 99000)})
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	fin, err := s.IssueAccepting(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC),
		[]commercial.Acceptance{{Check: commercial.AcceptLoadingMoisture, By: "trader", Reason: "no moisture taken at the receipt"}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "invoiced lot value", fin.Settlement.Value, "178200")
	warned := func(ws []string) (live, resolved bool) {
		for _, w := range ws {
			if strings.Contains(w, "has no moisture determination") {
				if strings.HasPrefix(w, "resolved by credit note ") {
					resolved = true
				} else {
					live = true
				}
			}
		}
		return
	}
	v, _, err := s.Value(ctx, "T-NOTE", lot)
	if err != nil {
		t.Fatal(err)
	}
	if live, _ := warned(v.Warnings); !live {
		t.Fatalf("before the note: warnings %q; want the loading-moisture warning", v.Warnings)
	}
	e4 := "urn:uuid:d13f0000-0000-4000-8000-0000000000e4"
	retractCorrected(t, s, "urn:uuid:d13f0000-0000-4000-8000-0000000000e3", "2025-12-01T09:00:00Z", e4)
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": e4, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 99000), "sensorElementList": h2o(11)})
	n, err := s.IssueNoteAt(ctx, "T-NOTE", lot, "receipt moisture determined: 11 %", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "credit note", n.Total, "-1980")
	v, _, err = s.Value(ctx, "T-NOTE", lot)
	if err != nil {
		t.Fatal(err)
	}
	if live, resolved := warned(v.Warnings); live || !resolved || !strings.Contains(strings.Join(v.Warnings, " "), n.ID) {
		t.Errorf("after note %s: warnings %q; want the moisture warning resolved by the note", n.ID, v.Warnings)
	}
}
