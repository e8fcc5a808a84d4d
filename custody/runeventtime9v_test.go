package custody_test

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestRunEventKeepsItsOwnTime9v (fix9v, issue 9 new-user check): an event
// of a run that consumes MORE of a lot the run already consumed must not
// re-date the earlier event's edge. Site mb (declaration(): ree, factor
// 0.9):
//
//	PK, Pakistan, 200 t at Nd 4 % + Pr 1 % (5 % Nd+Pr)
//	a  (Oct 2 10:00, run tA): PK 100 t → OA 1 t oxide at Nd 60 % + Pr 20 %
//	a6 (Oct 3 16:00, run tA): PK 10 t more → OA 0.5 t more
//	credits: consumed 110 × 5 % × 0.9 = 4.95 t, bounded by OA's
//	  1.5 × 80 % = 1.2 t; a earns 4.5 × 1.2 / 4.95 = 1.090909 t, a6
//	  0.45 × 1.2 / 4.95 = 0.109091 t; each entry dated at its own event
//	claim (Oct 2 15:00) on OA, Pakistan 50 %: at most 0.6 t ≤ 1.090909 t
//	  credited by then: accepted (before: refused "before the lot existed",
//	  a's credit dated at a6's time).
//
// Both capture orders (a then a6; a6 then a) give the same.
func TestRunEventKeepsItsOwnTime9v(t *testing.T) {
	a := runT("a", "tA", "2025-10-02T10:00:00Z", "mb", "PK", 100, "OA", 1, "")
	a6 := runT("a6", "tA", "2025-10-03T16:00:00Z", "mb", "PK", 10, "OA", 0.5, "")
	claim := objectEv("cOA", "2025-10-02T15:00:00Z", "urn:t:lot:OA", "ADD", `, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}]}`)
	for name, order := range map[string][]string{"a,a6": {a, a6}, "a6,a": {a6, a}} {
		t.Run(name, func(t *testing.T) {
			db := mbfxStore(t, false, mbfxREE("PK", "PAK", 200))
			svc := mbfxService(db)
			for _, ev := range order {
				mbfxCapture(t, svc, "2025-10-05T00:00:00Z", "", ev)
			}
			if err := mbfxTry(svc, "2025-10-05T00:00:00Z", claim); err != nil {
				t.Errorf("claim on OA at 15:00 (0.6 t ≤ 1.090909 t): %v", err)
			}
			st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
			want := map[string]struct {
				t  float64
				at string
			}{"urn:t:ev:a": {1.090909, "2025-10-02T10:00:00Z"}, "urn:t:ev:a6": {0.109091, "2025-10-03T16:00:00Z"}}
			seen := 0
			for _, c := range st.Categories {
				for _, e := range c.Entries {
					if e.Kind != "credit" {
						continue
					}
					w, ok := want[e.Event]
					if !ok {
						t.Errorf("unexpected credit %+v", e)
						continue
					}
					seen++
					// The bound's note names the run by its earliest
					// event, whatever the order of capture.
					if strings.Contains(e.Note, "bounded by") && !strings.Contains(e.Note, "run urn:t:run:tA (event urn:t:ev:a, 2025-10-02)'s products contain") {
						t.Errorf("credit of %s note %q, want it to name run tA by event a (2025-10-02)", e.Event, e.Note)
					}
					if math.Abs(e.Tonnes-w.t) > 1e-5 || e.Time.UTC().Format(time.RFC3339) != w.at {
						t.Errorf("credit of %s: %g t at %s, want %g t at %s", e.Event, e.Tonnes, e.Time.UTC().Format(time.RFC3339), w.t, w.at)
					}
				}
			}
			if seen != 2 {
				t.Errorf("%d credit entries, want 2 (a, a6)", seen)
			}
		})
	}
}

// TestRunMadeAtFirstOutputWhateverOrder9v (fix9v): the run's "made"
// time of a lot is its first output event's time, whatever the capture
// order. Site mb:
//
//	PK5, Pakistan, 30 t at Nd 4 % + Pr 1 %
//	R5a (Oct 2 10:00, run r5): PK5 10 t → O5 1 t oxide (0.8 t Nd+Pr)
//	R5b (Oct 2 20:00, run r5): PK5 10 t, input only
//	R5c (Oct 3 06:00, run r5): PK5 5 t → O5b 0.2 t oxide
//	credits: 25 × 5 % × 0.9 = 1.125 t, bounded by (1 + 0.2) × 80 % =
//	  0.96 t; R5a earns 0.45 × 0.96/1.125 = 0.384 t by 15:00
//	claim (Oct 2 15:00) 0.3 t (O5, Pakistan 37.5 % of 0.8 t) ≤ 0.384 t:
//	  accepted in either order; before: captured R5c, R5b, R5a it was
//	  refused with R5a dated at R5c's time.
//
// Every credit entry is dated at its own event.
func TestRunMadeAtFirstOutputWhateverOrder9v(t *testing.T) {
	r5a := runT("R5a", "r5", "2025-10-02T10:00:00Z", "mb", "PK5", 10, "O5", 1, "")
	r5b := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R5b", "eventTime": "2025-10-02T20:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "transformationID": "urn:t:run:r5", "inputQuantityList": [{"epcClass": "urn:t:lot:PK5", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`
	r5c := runT("R5c", "r5", "2025-10-03T06:00:00Z", "mb", "PK5", 5, "O5b", 0.2, "")
	claim := objectEv("c5", "2025-10-02T15:00:00Z", "urn:t:lot:O5", "ADD", `, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.375}]}`)
	times := map[string]string{"urn:t:ev:R5a": "2025-10-02T10:00:00Z", "urn:t:ev:R5b": "2025-10-02T20:00:00Z", "urn:t:ev:R5c": "2025-10-03T06:00:00Z"}
	for name, order := range map[string][]string{"abc": {r5a, r5b, r5c}, "cba": {r5c, r5b, r5a}} {
		t.Run(name, func(t *testing.T) {
			db := mbfxStore(t, false, mbfxREE("PK5", "PAK", 30))
			svc := mbfxService(db)
			for _, ev := range order {
				mbfxCapture(t, svc, "2025-10-05T00:00:00Z", "", ev)
			}
			if err := mbfxTry(svc, "2025-10-05T00:00:00Z", claim); err != nil {
				t.Errorf("claim 0.3 t on O5 at 15:00 (≤ 0.384 t): %v", err)
			}
			st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
			seen := 0
			for _, c := range st.Categories {
				for _, e := range c.Entries {
					if e.Kind != "credit" {
						continue
					}
					seen++
					if w, ok := times[e.Event]; !ok || e.Time.UTC().Format(time.RFC3339) != w {
						t.Errorf("credit of %s dated %s, want %s (its own event)", e.Event, e.Time.UTC().Format(time.RFC3339), w)
					}
				}
			}
			if seen != 3 {
				t.Errorf("%d credit entries, want 3", seen)
			}
		})
	}
}
