package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// The run a credit's note names, and the time the run counts from, is its
// first event: the earliest of its edges by event time that is neither a
// Replay (genealogy only, ledger.RunLinks) nor Carried (a later input
// line carried to an output an earlier event stated), ties by event ID —
// never whichever edge the store returns first (fix9w). EPCIS 2.0 §7.4.6:
// the events sharing a transformationID are one run; ISO 22095-2: a claim
// draws on the balance when it is made, so when the run made its product
// decides whether a claim on it came before the lot existed.

// TestRunNoteNamesFirstEvent9w: a later input joins run tW as an
// input-only event w0, captured after w1 and dated before it. Its edge
// B → OW is Carried, dated at the run's first output (w1, Oct 10 10:00:
// critmin.LinkTime), so it ties with w1's K → OW; SQLite returns the
// tie by parent (B before K), which named w0 — an event that made
// nothing, under w1's date. Site mb (declaration(): ree, factor 0.9):
//
//	K, Pakistan, 20 t; B, Pakistan, 10 t; each at Nd 4 % + Pr 1 %
//	w1 (Oct 10 10:00, run tW): K 20 t → OW 1 t oxide at Nd 60 % + Pr 20 %
//	w0 (Oct 5, run tW): B 10 t, input only
//	credits: (20 + 10) × 5 % × 0.9 = 1.35 t, bounded by OW's 1 × 80 % =
//	  0.8 t: the note names run tW by w1 (2025-10-10), in either order
//	  of capture.
func TestRunNoteNamesFirstEvent9w(t *testing.T) {
	w1 := runT("w1", "tW", "2025-10-10T10:00:00Z", "mb", "K", 20, "OW", 1, "")
	w0 := `{"type": "TransformationEvent", "eventID": "urn:t:ev:w0", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "transformationID": "urn:t:run:tW", "inputQuantityList": [{"epcClass": "urn:t:lot:B", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`
	for name, order := range map[string][]string{"w1,w0": {w1, w0}, "w0,w1": {w0, w1}} {
		t.Run(name, func(t *testing.T) {
			db, svc := run9wStore(t)
			for _, ev := range order {
				mbfxCapture(t, svc, "2025-10-12T00:00:00Z", "", ev)
			}
			run9wBoundedNote(t, db, "tW", "w1", "2025-10-10", "1.35 t bounded by OW's 0.8 t")
		})
	}
}

// TestRunJoinedAtCaptureCountsFromFirstEvent9w: an event dated before a
// stored run's joins it at capture (the document's event, pending). The
// capture check kept the stored event as the run's first, so the run
// counted from Oct 20 and the document's own claim on O0, made by s0 on
// Oct 5, was refused as made "before the lot existed"; once stored, the
// store's edges date the run at s0. Site mb (factor 0.9):
//
//	K, Pakistan, 20 t; B, Pakistan, 10 t; each at Nd 4 % + Pr 1 %
//	s1 (Oct 20, run tX, stored): K 20 t → O1 1 t oxide (0.8 t Nd+Pr)
//	s0 (Oct 5, run tX, captured after): B 10 t → O0 0.5 t oxide
//	  (0.4 t Nd+Pr), claiming Pakistan 50 %: 0.2 t
//	credits: 30 × 5 % × 0.9 = 1.35 t, bounded by (1 + 0.5) × 80 % =
//	  1.2 t; the run counts from s0 (Oct 5), so the claim, at O0's making,
//	  draws 0.2 ≤ 1.2 t: accepted. The note names run tX by s0
//	  (2025-10-05), at capture and in the stored statement alike.
func TestRunJoinedAtCaptureCountsFromFirstEvent9w(t *testing.T) {
	db, svc := run9wStore(t)
	mbfxCapture(t, svc, "2025-10-21T00:00:00Z", "s1", runT("s1", "tX", "2025-10-20T00:00:00Z", "mb", "K", 20, "O1", 1, ""))
	s0 := runT("s0", "tX", "2025-10-05T00:00:00Z", "mb", "B", 10, "O0", 0.5, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}]`)
	if err := mbfxTry(svc, "2025-10-21T00:00:00Z", s0); err != nil {
		t.Fatalf("s0 (Oct 5) joining run tX with a claim on O0 (0.2 t ≤ 1.2 t, made at s0): %v", err)
	}
	if cl := mbfxClaim(t, db, "O0"); cl.Status != "accepted" {
		t.Errorf("O0 claim %+v, want accepted", cl)
	}
	run9wBoundedNote(t, db, "tX", "s0", "2025-10-05", "1.35 t bounded by 1.2 t")
}

// run9wStore is the two tests' site mb (declaration(): ree, factor 0.9)
// holding K, Pakistan, 20 t and B, Pakistan, 10 t, each at Nd 4 % +
// Pr 1 % (mbfxREE), and its capture service.
func run9wStore(t *testing.T) (*sqldb.DB, *ledger.Service) {
	db := mbfxStore(t, false, mbfxREE("K", "PAK", 20), mbfxREE("B", "PAK", 10))
	return db, mbfxService(db)
}

// run9wBoundedNote checks October 2025's statement at mb as of Oct 25:
// it has a credit bounded by the run's products (want words the bound
// the test works out), and each such credit's note names run urn:t:run:
// run by its first event urn:t:ev:ev, dated day.
func run9wBoundedNote(t *testing.T, db *sqldb.DB, run, ev, day, want string) {
	t.Helper()
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	bounded := 0
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind != "credit" || !strings.Contains(e.Note, "bounded by") {
				continue
			}
			bounded++
			if !strings.Contains(e.Note, "run urn:t:run:"+run+" (event urn:t:ev:"+ev+", "+day+")'s products contain") {
				t.Errorf("credit of %s note %q, want it to name run %s by event %s (%s)", e.Event, e.Note, run, ev, day)
			}
		}
	}
	if bounded == 0 {
		t.Errorf("no bounded credit: want %s", want)
	}
}
