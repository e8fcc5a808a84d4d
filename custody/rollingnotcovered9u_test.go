package custody_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// rollingNotCovered9uStore is a rolling-average site (mb, REE → NdPr oxide
// on Nd + Pr, factor 0.9, carry-forward 0: October alone) where a claim
// accepted at capture is left short of its window share by a later event
// of its own run, its balance still covering it (fix9u). All feeds at
// Nd 4 % + Pr 1 % (5 % Nd+Pr):
//
//	RA1 (Oct 5): PK (Pakistan) 10 t (0.5 t) + CN (China) 10 t (0.5 t) →
//	  O1 1 t at Nd 60 % + Pr 20 % (0.8 t); credit, element by element
//	  (fix9ad): Nd 0.8 × 0.9 = 0.72 > 0.6 → × 0.6/0.72, Pr 0.2 × 0.9 =
//	  0.18 ≤ 0.2 → kept: PAK 0.36 × 0.6/0.72 + 0.09 = 0.39, CHN 0.39.
//	RA2 (Oct 6): MM 20 t (1.0 t) + MM2 20 t (1.0 t), Myanmar → O2 2 t.
//	RA3 (Oct 7, run t3): MM3 10 t (0.5 t) → OK 0.5 t at 80 % = 0.4 t,
//	  claiming Pakistan 10 % = 0.04 t. Window PAK 0.5 / (0.5 + 0.5 + 1.0
//	  + 1.0 + 0.5) = 0.5 / 3.5 = 14.2857 % ≥ 10 %; PAK balance 0.39 ≥
//	  0.04 → accepted.
//	RA3b (Oct 8, run t3): CN4 40 t (2.0 t) joins run t3. OK's window now
//	  PAK 0.5 / 5.5 = 9.0909 % < 10 %: not covered, booked in full (PAK
//	  closing 0.39 − 0.04 = 0.35 t, no deficit); shortfall 0.4 × (10 % −
//	  9.0909 %) = 0.4 × 0.0090909 = 0.0036364 t; the window still allows
//	  0.4 × 0.5 / 5.5 = 0.0363636 t.
func rollingNotCovered9uStore(t *testing.T) *sqldb.DB {
	t.Helper()
	db, svc := mbfxRolling9u(t, mbfxREE("MM3", "MMR", 10), mbfxREE("CN4", "CHN", 40))
	mbfxCapture(t, svc, "2025-10-07T01:00:00Z", "RA3", run9p("RA3", "t3", "2025-10-07T00:00:00Z", []string{"MM3:10"}, "OK", 0.5, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.1}]`))
	mbfxCapture(t, svc, "2025-10-08T01:00:00Z", "RA3b", run9p("RA3b", "t3", "2025-10-08T00:00:00Z", []string{"CN4:40"}, "", 0, ""))
	return db
}

// TestRollingAverageNotCoveredListedInStatement (fix9u defect 1): at a
// rolling-average site a claim accepted at capture and left short of its
// window share by a later run event is listed in the statement as not
// covered — in refused (status not_covered, booked, with its shortfall),
// on its claim entry (status and shortfall), in the statement's CSV rows
// — as at a credit-method site, and CheckStatement checks it. Figures:
// rollingNotCovered9uStore (shortfall 0.4 × (0.1 − 0.5/5.5) = 0.0036364 t).
// Before the fix refused was [] and the entry had no shortfall.
func TestRollingAverageNotCoveredListedInStatement(t *testing.T) {
	db := rollingNotCovered9uStore(t)
	const short = 0.4 * (0.1 - 0.5/5.5) // 0.0036364 t
	if cl := mbfxClaim(t, db, "OK"); cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-short) > 1e-9 || !slices.Contains(cl.RunChangedBy, "urn:t:ev:RA3b") {
		t.Errorf("OK's claim: status %s shortfall %v runChangedBy %v, want not_covered, %v t, naming urn:t:ev:RA3b", cl.Status, cl.Shortfall, cl.RunChangedBy, short)
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.39, 0.04, 0.39-0.04, 0)
	if len(st.Refused) != 1 {
		t.Fatalf("refused %+v, want OK's claim listed once as not covered", st.Refused)
	}
	r := st.Refused[0]
	if r.Lot != "urn:t:lot:OK" || r.Country != "PAK" || r.Status != custody.ClaimNotCovered || !r.Booked || math.Abs(r.Shortfall-short) > 1e-9 ||
		math.Abs(r.Claimed-0.04) > 1e-9 || math.Abs(r.Available-0.4*0.5/5.5) > 1e-9 || !slices.Contains(r.RunChangedBy, "urn:t:ev:RA3b") || !strings.Contains(r.Error, "not covered") {
		t.Errorf("refused row %+v, want OK, PAK, not_covered, booked, claimed 0.04, available 0.0363636, shortfall %v, naming RA3b", r, short)
	}
	var entry *custody.Entry
	for _, e := range line9gEntries(st, "claim") {
		if e.Lot == "urn:t:lot:OK" {
			entry = &e
		}
	}
	if entry == nil || entry.Status != custody.ClaimNotCovered || math.Abs(entry.Shortfall-short) > 1e-9 {
		t.Errorf("OK's claim entry %+v, want not_covered with shortfall %v", entry, short)
	}
	js, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), `"refused":[]`) || !strings.Contains(string(js), `"shortfall":0.0036`) {
		t.Errorf("statement JSON lacks OK's shortfall: %s", js)
	}
	found := false
	for _, row := range custody.StatementRows(st) {
		if row[13] == custody.ClaimNotCovered && row[14] == "urn:t:lot:OK" && row[5] == "PAK" && row[17] == custody.Figure(short) {
			found = true
		}
	}
	if !found {
		t.Errorf("statement rows lack OK as not_covered, shortfall %s: %v", custody.Figure(short), custody.StatementRows(st))
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	// CheckStatement checks the row: a window row whose shortfall is not
	// claimed − available is refused.
	bad := *st
	bad.Refused = append([]custody.RefusedClaim(nil), st.Refused...)
	bad.Refused[0].Shortfall += 0.01
	if err := custody.CheckStatement(&bad); err == nil {
		t.Error("CheckStatement passed a window row with shortfall ≠ claimed − available")
	}
	// And an entry whose shortfall differs from its row's.
	bad = *st
	bad.Categories = append([]custody.CategoryStatement(nil), st.Categories...)
	for i := range bad.Categories {
		bad.Categories[i].Entries = append([]custody.Entry(nil), st.Categories[i].Entries...)
		for j := range bad.Categories[i].Entries {
			if e := &bad.Categories[i].Entries[j]; e.Lot == "urn:t:lot:OK" {
				e.Shortfall = 0
			}
		}
	}
	if err := custody.CheckStatement(&bad); err == nil {
		t.Error("CheckStatement passed a not-covered claim entry without its shortfall")
	}
}
