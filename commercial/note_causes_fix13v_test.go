package commercial_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// retractCorrected declares event id in error at at, naming corrective
// as its corrective event (EPCIS 2.0 §7.4.1.2, correctiveEventIDs).
func retractCorrected(t *testing.T, s *commercial.Service, id, at, corrective string) {
	t.Helper()
	ctx := context.Background()
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{id}, Limit: 1})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("event %s: %v", id, err)
	}
	body, err := epcis.EventWithContext(page.Events[0])
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	ev["errorDeclaration"] = map[string]any{"declarationTime": at, "reason": "incorrect_data", "correctiveEventIDs": []any{corrective}}
	ctxt := ev["@context"]
	delete(ev, "@context")
	body, _ = json.Marshal(map[string]any{"@context": ctxt, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": at,
		"epcisBody": map[string]any{"eventList": []any{ev}}})
	if _, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatal(err)
	}
}

// fix13v item 5: a note's causes list the event declared in error and
// its corrective. Lot NOTE-C (T-NOTE: Cu 20 % at a fixed 10 000 USD/t,
// final at discharge, 0.5 % franchise): the 100 000 kg receipt (b3) is
// declared in error and received again at 99 000 kg (b4): credit note 1,
// 99 × 0.9 × 20 % × 10 000 = 178 200 − 180 000 = −1 800, naming b3 and
// b4. Then b4 itself is declared in error (corrective b5, 98 000 kg):
// 98 × 0.9 × 20 % × 10 000 = 176 400, credit note 2 = 176 400 − 178 200 =
// −1 800. Before, note 2 listed b5 only — b4, named by note 1 as the new
// receipt, was left out though its declaration is what note 2 corrects.
// b3 (declared before note 1) is not named again.
func TestNoteCausesNameDeclaredEvent(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-C"
	b3 := noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	b4 := "urn:uuid:d13f0000-0000-4000-8000-0000000000c4"
	b5 := "urn:uuid:d13f0000-0000-4000-8000-0000000000c5"
	retractCorrected(t, s, b3, "2025-12-01T09:00:00Z", b4)
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": b4, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 99000), "sensorElementList": h2o(10)})
	n1, err := s.IssueNoteAt(ctx, "T-NOTE", lot, "receipt corrected to 99 000 kg", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "note 1", n1.Total, "-1800")
	if !slices.Contains(n1.Events, b3) || !slices.Contains(n1.Events, b4) {
		t.Errorf("note 1 causes %v; want %s and %s", n1.Events, b3, b4)
	}
	retractCorrected(t, s, b4, "2025-12-02T09:00:00Z", b5)
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": b5, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 98000), "sensorElementList": h2o(10)})
	n2, err := s.IssueNoteAt(ctx, "T-NOTE", lot, "receipt corrected to 98 000 kg", time.Date(2025, 12, 2, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "note 2", n2.Total, "-1800")
	if !slices.Contains(n2.Events, b4) || !slices.Contains(n2.Events, b5) || slices.Contains(n2.Events, b3) {
		t.Errorf("note 2 causes %v; want the declared %s and its corrective %s, not %s again", n2.Events, b4, b5, b3)
	}
}
