package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// fix13u item 3: a note that changes the dry weight has no per-dmt figure
// (TestNoteHeadlineConsistent: invoiced on 90 dmt, the receipt corrected
// to 99 000 kg at 10 % H2O gives 99 × 0.9 = 89.1 dmt and a credit of
// −1 800.00 whose per-dmt change spans two tonnages). The note as issued
// (IssueNoteAt, POST /api/v1/trade/notes) and as listed (Notes, GET
// /api/v1/trade/notes, trade note list --format json) says so as the
// invoice does: no_per_dmt naming 90 → 89.1 dmt and no "per_dmt": 0.
func TestNotePerDMTJSONWhenWeightChanges(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-PJ"
	receipt := noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	retract(t, s, receipt, "2025-12-01T09:00:00Z")
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000d5", "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 99000), "sensorElementList": h2o(10)})
	n, err := s.IssueNoteAt(ctx, "T-NOTE", lot, "receipt weight corrected to 99 000 kg", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, n *commercial.Note) {
		t.Helper()
		if len(n.Lines) == 0 {
			t.Fatalf("%s: no lines", what)
		}
		for _, l := range n.Lines {
			b, err := json.Marshal(l)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if _, ok := m["per_dmt"]; ok {
				t.Errorf("%s: line %s carries per_dmt %v; the note changes the weight, it has none", what, l.Code, m["per_dmt"])
			}
			if r, _ := m["no_per_dmt"].(string); !strings.Contains(r, "90 → 89.1 dmt") {
				t.Errorf("%s: line %s no_per_dmt %q; want the reason naming 90 → 89.1 dmt", what, l.Code, r)
			}
		}
	}
	check("note as issued", n)
	notes, err := s.Notes(ctx, n.Invoice)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notes of %s: %v %v", n.Invoice, notes, err)
	}
	check("note as listed", notes[0])
}
