package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestCreditReassayedAfterRunIsNoted (issue 9, new-user check 4): a
// credit resting on an assay of its input recorded after the run says so
// in the statement entry. mbStore: run E1 (Oct 5) consumes A, 100 t of
// Pakistani concentrate at Nd 4 % + Pr 1 %, factor 0.9:
//
//	credit at the run = 100 × (4 % + 1 %) × 0.9 = 4.5 t Nd+Pr (PAK)
//
// On Oct 20 A is re-assayed at Pr 2 % dry (event ra):
//
//	inputs × factor now = Nd 100 × 4 % × 0.9 = 3.6 t + Pr 100 × 2 % ×
//	0.9 = 1.8 t = 5.4 t, bounded element by element by what E1's
//	products hold (mbStore: Nd 3.6 t, Pr 0.96 t, fix9c, fix9ad):
//	credit now = 3.6 + 0.96 = 4.56 t
//
// The entry carries "credit recomputed from the assay of Pr (event
// urn:t:ev:ra of 2025-10-20), recorded after run urn:t:ev:E1 of 2025-10-05
// consumed lot urn:t:lot:A: was 4.5 t at the run, now 4.56 t", after the
// bound's note ("… inputs × factor 0.9 would credit 5.4 t"). The lot's
// record keeps only its newest Pr assay, but the figure at the run is
// read from A's events as they stood then (fix9ag): Nd min(3.6, 3.6) +
// Pr min(0.9, 0.96) = 4.5 t (before fix9ag the note said the earlier
// assay was no longer held). Other credits (none re-assayed) carry no
// note.
func TestCreditReassayedAfterRunIsNoted(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	svc.Now = clockAt("2025-10-25T00:00:00Z") // while October is open
	reassay := `{"type": "ObjectEvent", "eventID": "urn:t:ev:ra", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:A"}], "sensorElementList": [{"sensorReport": [{"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 2, "uom": "P1", "cm:basis": "dry"}]}]}`
	if err := capture(svc, reassay); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	const want = "credit recomputed from the assay of Pr (event urn:t:ev:ra of 2025-10-20), recorded after run urn:t:ev:E1 of 2025-10-05 consumed lot urn:t:lot:A: was 4.5 t at the run, now 4.56 t"
	found := false
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind != "credit" {
				continue
			}
			if e.Lot == "urn:t:lot:A" {
				found = true
				if !strings.HasSuffix(e.Note, "; "+want) || !strings.Contains(e.Note, "inputs × factor 0.9 would credit 5.4 t") || !near(e.Tonnes, 4.56) {
					t.Errorf("A's credit %v t, note %q; want 4.56 t, the bound's note and %q", e.Tonnes, e.Note, want)
				}
			} else if e.Note != "" {
				t.Errorf("credit of %s noted %q", e.Lot, e.Note)
			}
		}
	}
	if !found {
		t.Fatalf("no credit entry of A: %+v", st.Categories)
	}
}
