package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// fix9aq: an ended claim period's statement restated by a declaration in
// error recorded after its close says so: its figures as at close, each
// changed line old → new, and the declaration that changed it.
//
// The set-up, at site mb (declaration(): Nd + Pr at factor 0.9, carry
// forward 1), with two claim periods, October and November 2025:
//
//	PK  Pakistan 10 t at Nd 4 % + Pr 1 %: 0.4 t Nd, 0.1 t Pr.
//	CN  China 10 t at Nd 4 % + Pr 1 %.
//	R1 (Oct 5, recorded Oct 5): PK 10 t → O1 0.6 t at Nd 60 % + Pr 15 %:
//	  credit PAK Nd min(0.4 × 0.9, 0.6 × 60 %) = 0.36 + Pr min(0.1 ×
//	  0.9, 0.6 × 15 %) = 0.09 → 0.45 t.
//	R2 (Oct 6, recorded Oct 6): CN 10 t → O2 0.25 t at Nd 60 % + Pr 20 %
//	  = 0.2 t, claiming Pakistan: 0.2 ≤ 0.45, accepted. (CHN credit 0.2 t,
//	  the product bound; untouched below.)
//	October closes (Nov 1): PAK opening 0, credits 0.45, claims 0.2,
//	  expired 0, closing 0.45 − 0.2 = 0.25.
//	R3 (Nov 5, recorded Nov 5): PK2 (Pakistan, as PK) → O3 as O1: credit
//	  PAK 0.45 t in November; it touches no figure of October.
//
// It returns the store, the service, and R1 and R3 as captured (their
// TransformationEvents, for declaring them in error).
func fix9aqStore(t *testing.T) (*sqldb.DB, *ledger.Service, map[string]string) {
	t.Helper()
	r1 := fix9aiRun("R1", "2025-10-05T00:00:00Z", "PK", "O1", 0.6, "Pr:15", "")
	r2 := fix9aiRun("R2", "2025-10-06T00:00:00Z", "CN", "O2", 0.25, "Pr:20", claimPAK)
	r3 := fix9aiRun("R3", "2025-11-05T00:00:00Z", "PK2", "O3", 0.6, "Pr:15", "")
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, mbfxREE("PK", "PAK", 10), mbfxREE("CN", "CHN", 10), mbfxREE("PK2", "PAK", 10)))
	d := declaration("urn:t:site:mb")
	d.Periods = d.Periods[:2]
	if err := custody.DeclareMassBalance(context.Background(), db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T12:00:00Z", "R1", r1)
	mbfxCapture(t, svc, "2025-10-06T12:00:00Z", "R2 (0.2 t on 0.45 t)", r2)
	mbfxCapture(t, svc, "2025-11-05T12:00:00Z", "R3", r3)
	// A run is declared in error by its TransformationEvent alone.
	runOnly := func(ev string) string { return ev[:strings.Index(ev, `},{"type": "ObjectEvent"`)+1] }
	return db, svc, map[string]string{"R1": runOnly(r1), "R3": runOnly(r3)}
}

// TestRestatedAfterClose (fix9aq): R1 is declared in error on November
// 10, after October closed. October's statement, read on November 20
// (November open), shows the current figures — PAK opening 0, credits 0,
// claims 0.2 (O2's claim, accepted at capture, stays booked in full),
// expired 0, closing 0 + 0 − 0.2 − 0 = −0.2 — and a restated section:
// PAK credits 0.45 → 0, closing 0.25 → −0.2 (opening, claims and
// expired unchanged), as at close 0 + 0.45 − 0.2 − 0 = 0.25, restated by
// the declaration of R1 recorded 2025-11-10. November opens at the
// current closing, −0.2 (+ R3's 0.45 = 0.25). R3, declared in error on
// November 12 too, changed nothing in October and is not named.
// Before, October's statement read the new figures with no trace of the
// restatement.
func TestRestatedAfterClose(t *testing.T) {
	db, svc, ev := fix9aqStore(t)
	retractEvent(t, svc, ev["R1"], "2025-11-10T00:00:00Z")
	retractEvent(t, svc, ev["R3"], "2025-11-12T00:00:00Z")
	now := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	oct := mbfxStatement(t, db, "2025-10", now)
	sameLine(t, "Oct", line(t, oct, "ree", "PAK"), 0, 0, 0.2, 0, -0.2)
	r := oct.Restated
	if r == nil {
		t.Fatalf("October restated by R1's declaration recorded after its close, but the statement says nothing: %+v", oct.Categories)
	}
	if !r.AtClose.Equal(time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("as at close %v, want 2025-11-01", r.AtClose)
	}
	if len(r.Lines) != 1 {
		t.Fatalf("restated lines %+v, want PAK alone (CHN unchanged)", r.Lines)
	}
	l := r.Lines[0]
	if l.Category != "ree" || l.Country != "PAK" || strings.Join(l.Changed, ",") != "credits,closing" {
		t.Errorf("restated line %+v, want ree PAK credits and closing changed", l)
	}
	was := custody.BalanceFigures{Opening: 0, Credits: 0.45, Claims: 0.2, Expired: 0, Closing: 0.25}
	is := custody.BalanceFigures{Opening: 0, Credits: 0, Claims: 0.2, Expired: 0, Closing: -0.2}
	for _, f := range []struct {
		name    string
		got, at float64
	}{{"as at close opening", l.AtClose.Opening, was.Opening}, {"as at close credits", l.AtClose.Credits, was.Credits}, {"as at close claims", l.AtClose.Claims, was.Claims},
		{"as at close expired", l.AtClose.Expired, was.Expired}, {"as at close closing", l.AtClose.Closing, was.Closing},
		{"current credits", l.Current.Credits, is.Credits}, {"current closing", l.Current.Closing, is.Closing}, {"current claims", l.Current.Claims, is.Claims}} {
		if !near(f.got, f.at) {
			t.Errorf("%s %v, want %v", f.name, f.got, f.at)
		}
	}
	if got := l.Words(); got != "credits 0.45 → 0 t, closing 0.25 → -0.2 t" {
		t.Errorf("words %q", got)
	}
	if len(r.By) != 1 {
		t.Fatalf("restated by %+v, want R1's declaration alone", r.By)
	}
	by := r.By[0]
	if by.Event != "urn:t:ev:R1" || by.Reason != "incorrect_data" || !by.RecordTime.Equal(time.Date(2025, 11, 10, 0, 0, 0, 0, time.UTC)) ||
		!strings.Contains(by.Words, "declared in error on 2025-11-10") || !strings.Contains(by.Words, "incorrect_data") {
		t.Errorf("restated by %+v, want R1 declared in error, recorded 2025-11-10, reason incorrect_data", by)
	}
	b, err := json.Marshal(oct)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"restated":{"atClose":"2025-11-01T00:00:00Z"`, `"restatedBy":[{"event":"urn:t:ev:R1","recordTime":"2025-11-10T00:00:00Z","reason":"incorrect_data"`, `"changed":["credits","closing"]`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("JSON lacks %s: %s", w, b)
		}
	}
	// The closing carried into November is the current (restated) one;
	// R3 declared in error, November credits nothing.
	nov := mbfxStatement(t, db, "2025-11", now)
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), -0.2, 0, 0, 0, -0.2)
	if err := custody.CheckCarry(oct, nov); err != nil {
		t.Error(err)
	}
	if nov.Restated != nil {
		t.Errorf("November is open, yet restated: %+v", nov.Restated)
	}
}

// TestNotRestatedNoSection (fix9aq): an ended period whose figures are
// those it closed with shows no restated section — R1 declared in error
// on October 20, before October closed (PAK: credits 0, claims 0.2,
// closing −0.2 at the close and now); R3, November's run, declared in
// error on November 12, after October closed but of nothing October read
// (PAK closing 0.25 at the close and now); and no declaration at all.
func TestNotRestatedNoSection(t *testing.T) {
	now := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name        string
		retract, at string
		credits     float64
		closing     float64
	}{
		{"declared before the close", "R1", "2025-10-20T00:00:00Z", 0, -0.2},
		{"a later period's run declared after the close", "R3", "2025-11-12T00:00:00Z", 0.45, 0.25},
		{"nothing declared", "", "", 0.45, 0.25},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, svc, ev := fix9aqStore(t)
			if c.retract != "" {
				retractEvent(t, svc, ev[c.retract], c.at)
			}
			oct := mbfxStatement(t, db, "2025-10", now)
			sameLine(t, "Oct", line(t, oct, "ree", "PAK"), 0, c.credits, 0.2, 0, c.closing)
			if oct.Restated != nil {
				t.Errorf("restated %+v, want none", oct.Restated)
			}
			if b, _ := json.Marshal(oct); strings.Contains(string(b), `"restated"`) {
				t.Errorf("JSON names a restatement: %s", b)
			}
		})
	}
}
