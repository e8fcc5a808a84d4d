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

// TestRestatedTotal (fix9at item 2): a restated period's restatement
// carries each changed category's "all origins" total as at close and
// now, and CheckStatement holds it to the sum of the origins.
//
// As TestRestatedAfterClose, October at close: PAK 0 + 0.45 − 0.2 − 0 =
// 0.25; CHN (R2's run, bounded by O2's 0.2 t) 0 + 0.2 − 0 − 0 = 0.2;
// all origins 0 + 0.65 − 0.2 − 0 = 0.45. R1 declared in error on Nov 10:
// PAK 0 + 0 − 0.2 − 0 = −0.2, CHN unchanged 0.2, all origins 0 + 0.2 −
// 0.2 − 0 = 0: "credits 0.65 → 0.2 t, closing 0.45 → 0 t".
// Before, the restatement listed the PAK line alone.
func TestRestatedTotal(t *testing.T) {
	db, svc, ev := fix9aqStore(t)
	retractEvent(t, svc, ev["R1"], "2025-11-10T00:00:00Z")
	oct := mbfxStatement(t, db, "2025-10", time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	sameLine(t, "Oct", line(t, oct, "ree", "CHN"), 0, 0.2, 0, 0, 0.2)
	r := oct.Restated
	if r == nil || len(r.Totals) != 1 {
		t.Fatalf("restated %+v, want one total (category ree)", r)
	}
	tot := r.Totals[0]
	if tot.Category != "ree" || tot.Country != "" || tot.Name != custody.AllOrigins || !tot.Total() {
		t.Errorf("total %+v, want ree, all origins", tot)
	}
	was := custody.BalanceFigures{Opening: 0, Credits: 0.65, Claims: 0.2, Expired: 0, Closing: 0.45}
	is := custody.BalanceFigures{Opening: 0, Credits: 0.2, Claims: 0.2, Expired: 0, Closing: 0}
	for _, f := range []struct {
		name    string
		got, at float64
	}{{"as at close opening", tot.AtClose.Opening, was.Opening}, {"as at close credits", tot.AtClose.Credits, was.Credits}, {"as at close claims", tot.AtClose.Claims, was.Claims},
		{"as at close expired", tot.AtClose.Expired, was.Expired}, {"as at close closing", tot.AtClose.Closing, was.Closing},
		{"current opening", tot.Current.Opening, is.Opening}, {"current credits", tot.Current.Credits, is.Credits}, {"current claims", tot.Current.Claims, is.Claims},
		{"current expired", tot.Current.Expired, is.Expired}, {"current closing", tot.Current.Closing, is.Closing}} {
		if !near(f.got, f.at) {
			t.Errorf("total %s %v, want %v", f.name, f.got, f.at)
		}
	}
	if got := tot.Words(); got != "credits 0.65 → 0.2 t, closing 0.45 → 0 t" || strings.Join(tot.Changed, ",") != "credits,closing" {
		t.Errorf("total words %q changed %v", got, tot.Changed)
	}
	if tab := r.Table(); len(tab) != 2 || tab[0].Country != "PAK" || !tab[1].Total() {
		t.Errorf("table %+v, want PAK then the ree total", tab)
	}
	b, err := json.Marshal(oct)
	if err != nil {
		t.Fatal(err)
	}
	if w := `"totals":[{"category":"ree","country":"","name":"all origins","atClose":{"opening":0,"credits":0.65`; !strings.Contains(string(custody.RoundFigures(b)), w) {
		t.Errorf("JSON lacks %s: %s", w, custody.RoundFigures(b))
	}
	if err := custody.CheckStatement(oct); err != nil {
		t.Fatal(err)
	}
	// CheckStatement holds the total to the origins, as at close and now.
	for _, c := range []struct {
		name   string
		tamper func(*custody.Restatement)
		want   string
	}{
		{"as at close not the sum", func(r *custody.Restatement) { r.Totals[0].AtClose.Credits, r.Totals[0].AtClose.Closing = 0.7, 0.5 }, "not the sum of its origins as at close"},
		{"now not the statement's", func(r *custody.Restatement) { r.Totals[0].Current.Credits, r.Totals[0].Current.Closing = 0.45, 0.25 }, "is not the statement's total"},
		{"unbalanced", func(r *custody.Restatement) { r.Totals[0].AtClose.Closing = 0.5 }, "closing"},
		{"missing", func(r *custody.Restatement) { r.Totals = nil }, "has a restated line but no total"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cp := *oct
			rs := *oct.Restated
			rs.Totals = append([]custody.RestatedLine(nil), oct.Restated.Totals...)
			c.tamper(&rs)
			cp.Restated = &rs
			if err := custody.CheckStatement(&cp); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("CheckStatement: %v, want an error saying %q", err, c.want)
			}
		})
	}
}

// TestStatementCSVRestatedAndReasons (fix9at item 3): the statement CSV
// has the restatement and the not-covered rows' reasons the JSON has.
// As TestRestatedTotal: October read on Nov 20, R1 declared in error on
// Nov 10. O2's claim, accepted at capture, is not covered: 0.2 t on a
// PAK balance of 0 (shortfall 0.2 t, "short of the balance by 0.2 t").
// The as_at_close rows: PAK 0, 0.45, 0.2, 0, closing 0.25; all 0, 0.65,
// 0.2, 0, closing 0.45; each restated by urn:t:ev:R1. Before, the CSV
// had neither.
func TestStatementCSVRestatedAndReasons(t *testing.T) {
	db, svc, ev := fix9aqStore(t)
	retractEvent(t, svc, ev["R1"], "2025-11-10T00:00:00Z")
	oct := mbfxStatement(t, db, "2025-10", time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	col := map[string]int{}
	for i, h := range custody.StatementHeader {
		col[h] = i
	}
	var got []string
	for _, r := range custody.StatementRows(oct) {
		if len(r) != len(custody.StatementHeader) {
			t.Fatalf("row %v has %d columns, header %d", r, len(r), len(custody.StatementHeader))
		}
		switch r[col["status"]] {
		case custody.StatusAsAtClose, custody.ClaimNotCovered:
			got = append(got, strings.Join(r[col["origin"]:], ","))
		}
	}
	want := []string{
		"PAK,,,,,,,,not_covered,urn:t:lot:O2,urn:t:ev:R2-facts-0,0.2,0.2,",
		"PAK,0,0.45,0.2,0,,0.25,,as_at_close,,,,,restated after the close of 2025-11-01: credits 0.45 → 0 t, closing 0.25 → -0.2 t,,urn:t:ev:R1",
		"all,0,0.65,0.2,0,,0.45,,as_at_close,,,,,restated after the close of 2025-11-01: credits 0.65 → 0.2 t, closing 0.45 → 0 t,,urn:t:ev:R1",
	}
	if len(got) != len(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i := range want {
		g := got[i]
		if i == 0 {
			// The not-covered row: its reason (the error) then reasons.
			if !strings.HasPrefix(g, want[0]) || !strings.HasSuffix(g, ",short of the balance by 0.2 t,") {
				t.Errorf("not-covered row %q, want %q…,short of the balance by 0.2 t,", g, want[0])
			}
			continue
		}
		if g != want[i] {
			t.Errorf("row %q, want %q", g, want[i])
		}
	}
}
