package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// Tests of fix9ar (issue 9): three neighbours of fix9al's "a booked
// claim stays booked" — a claim accepted at capture is not covered, never
// refused or dropped, and stays booked in full at the figure it was
// accepted at, whatever later facts say; and its words say truly what it
// was.

// check9ar asserts C2's claim in every view (claimViews9ae): not covered,
// short of shortOf, 1.5 t claimed and short, naming retracted (and
// runChanged), its error holding words; October's lace PAK line 0 + 1.6 −
// 1.5 − 0 = 0.1 t with one booked row for C2 (claimed 1.5, available 0,
// shortfall 1.5); and C1's later claim of 3 × 60 % × 0.85 = 1.53 t
// refused, shortfall 1.53 − 0.1 = 1.43 t.
func check9ar(t *testing.T, db *sqldb.DB, svc *ledger.Service, shortOf string, retracted, runChanged []string, text string, words ...string) {
	t.Helper()
	for i, cl := range claimViews9ae(t, db, "C2") {
		if cl.Status != custody.ClaimNotCovered || cl.ShortOf != shortOf || !near(cl.Tonnes, 1.5) || !near(cl.Shortfall, 1.5) ||
			strings.Join(cl.RetractedBy, " ") != strings.Join(retracted, " ") || strings.Join(cl.RunChangedBy, " ") != strings.Join(runChanged, " ") {
			t.Errorf("C2 (%d): %s, shortOf %q, %v t, shortfall %v, retractedBy %v, runChangedBy %v (%s); want not covered, %s, 1.5 t short 1.5 t, naming %v and %v",
				i, cl.Status, cl.ShortOf, cl.Tonnes, cl.Shortfall, cl.RetractedBy, cl.RunChangedBy, cl.Error, shortOf, retracted, runChanged)
		}
		for _, want := range append([]string{"claim on lot urn:t:lot:C2 not covered", "category lace", "period 2025-10", "the 1.5 t La+Ce it retired stays retired"}, words...) {
			if !strings.Contains(cl.Error, want) {
				t.Errorf("C2 (%d)'s error lacks %q: %s", i, want, cl.Error)
			}
		}
		if txt := custody.RefusedClaimText(cl); !strings.HasPrefix(txt, text) {
			t.Errorf("C2 (%d) reads %q, want it to start %q", i, txt, text)
		}
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	sameLine(t, "Oct", line(t, st, "lace", "PAK"), 0, 1.6, 1.5, 0, 0.1)
	rows := 0
	for _, r := range st.Refused {
		if r.Lot != "urn:t:lot:C2" {
			continue
		}
		rows++
		if r.Status != custody.ClaimNotCovered || !r.Booked || r.ShortOf != shortOf || !near(r.Claimed, 1.5) || r.Available != 0 || !near(r.Shortfall, 1.5) {
			t.Errorf("C2's row %+v, want not covered, booked, %s: claimed 1.5, available 0, shortfall 1.5", r, shortOf)
		}
	}
	if rows != 1 {
		t.Errorf("C2 has %d statement rows, want 1: %+v", rows, st.Refused)
	}
	err := mbfxTry(svc, "2025-10-09T02:00:00Z", claim9aj("c1", "2025-10-09T01:30:00Z", "C1", 0.85))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 1.43 t") {
		t.Errorf("C1's claim of 1.53 t on 0.1 t: %v, want refused, shortfall 1.43 t", err)
	}
}

// TestRunAssayDeclaredInErrorKeepsClaimBooked (fix9ar, item 1): C2's
// grade is carried in the ILMD of the run event that made most of it;
// that event is declared in error, while another event of the run still
// makes the lot. At site9aj, run R2 told as xa (CN in), xb (SC in), xo
// (Oct 6 02:00: C2 1.2 t and C3 0.1 t, ILMD La 30 % + Ce 45 %) and xm
// (Oct 6 02:10, output only: C2 0.8 t, no assay): C2 is 1.2 + 0.8 = 2 t
// at 30 + 45 = 75 %, 1.5 t La+Ce; its claim of Pakistan 100 % (Oct 7)
// takes 1.5 t of lace PAK's 1.6 t: accepted, 0.1 t left.
//
//	xo declared in error (Oct 8): C2 is 0.8 t (xm still makes it) with
//	  no assay of La or Ce: grade not measured. The claim is not covered,
//	  short of its grade, naming xo, booked in full at 1.5 t.
//
// lace PAK, October: 0 + 1.6 − 1.5 − 0 = 0.1 t; C1's 1.53 t refused,
// shortfall 1.43 t. Before fix9ar C2 read refused ("the lot has no assay
// of La+Ce"), left the account (claims 0, closing 1.6 t) and C1's 1.53 t
// was accepted: 3.03 t stated to buyers against 1.6 t of credit
// (goneAssays read an assay event only, never a run's ILMD).
func TestRunAssayDeclaredInErrorKeepsClaimBooked(t *testing.T) {
	xo := run9aj("xo", "R2", "2025-10-06T02:00:00Z", nil, []string{"C2:1.2", "C3:0.1"}, "La:30", "Ce:45")
	xm := run9aj("xm", "R2", "2025-10-06T02:10:00Z", nil, []string{"C2:0.8"})
	db, svc := site9aj(t, xa9aj, xb9aj, xo, xm)
	for _, cl := range claimViews9ae(t, db, "C2") {
		if cl.Status != custody.ClaimAccepted || !near(cl.Tonnes, 1.5) {
			t.Fatalf("C2 before: %s %v t (%s), want accepted, 1.5 t", cl.Status, cl.Tonnes, cl.Error)
		}
	}
	retractEvent(t, svc, xo, "2025-10-08T00:00:00Z")
	check9ar(t, db, svc, custody.ShortOfGrade, []string{"urn:t:ev:xo"}, nil,
		"claim not covered: stated Pakistan 100.0 % — accepted at capture, no longer covered since urn:t:ev:xo;",
		"the lot has no assay of La+Ce now (grade not measured): the claim was accepted on run urn:t:run:R2 (event urn:t:ev:xo, 2025-10-06), which made lot urn:t:lot:C2 and stated its assay, declared in error on 2025-10-08T00:00:00Z")
}

// TestClaimOnRemadeLotStaysBooked (fix9ar, item 2): the run that made
// C2 is declared in error and captured again with a later event time, so
// C2's claim is dated before its lot exists now. At site9aj (R2 as xa,
// xb, xo9aj: C2 2 t at 75 % = 1.5 t La+Ce), C2's claim (Oct 7) of 1.5 t
// is accepted on lace PAK's 1.6 t.
//
//	xo declared in error (Oct 8); xr (Oct 9, run R2 again) makes C2 2 t
//	  and C3 0.1 t at La 30 % + Ce 45 %, captured by a store without
//	  today's capture check (which refuses a run naming C2, a lot the
//	  claim event already names: a lot is made once).
//
// C2 exists from Oct 9; its claim is dated Oct 7. It was accepted at
// capture on C2 as xo made it (2 × 75 % = 1.5 t): not covered, short of
// its lot made again, naming xo (declared in error) and xr (re-captured,
// 2025-10-09), booked in full at 1.5 t. lace PAK: 0 + 1.6 − 1.5 − 0 =
// 0.1 t (R2's credits are lace CHN); C1's 1.53 t refused, shortfall
// 1.43 t. Before fix9ar C2 read refused "dated before the lot existed"
// (earlyClaim), left the account (claims 0, closing 1.6 t) and C1's
// 1.53 t was accepted.
func TestClaimOnRemadeLotStaysBooked(t *testing.T) {
	db, svc := site9aj(t, xa9aj, xb9aj, xo9aj)
	retractEvent(t, svc, xo9aj, "2025-10-08T00:00:00Z")
	old := ledger.NewService(db) // no capture check: an earlier version's store
	old.Now = clockAt("2025-10-09T01:00:00Z")
	if err := capture(old, run9aj("xr", "R2", "2025-10-09T00:00:00Z", nil, []string{"C2:2", "C3:0.1"}, "La:30", "Ce:45")); err != nil {
		t.Fatal(err)
	}
	check9ar(t, db, svc, custody.ShortOfRemade, []string{"urn:t:ev:xo"}, []string{"urn:t:ev:xr"},
		"claim not covered: stated Pakistan 100.0 % — accepted at capture, no longer covered since urn:t:ev:xo, urn:t:ev:xr;",
		"the claim was accepted on the lot made by run urn:t:run:R2 (event urn:t:ev:xo, 2025-10-06), which made lot urn:t:lot:C2 when the claim was accepted and was declared in error on 2025-10-08T00:00:00Z",
		"the lot is made now by run urn:t:run:R2 (event urn:t:ev:xr, 2025-10-09), captured again after the claim and dated after it",
		"(event urn:t:ev:cl, 2025-10-07) is dated before its lot exists now")
}

// TestRefusedClaimTextWordsEachStatus (fix9ar, item 3): RefusedClaimText
// says "accepted at capture" only of a claim capture judged. OD's claim
// (TestStoredClaimOutsideCategoryBooked: RD turns REE concentrate into
// antimony trioxide, 0.5 t at Sb 60 % = 0.3 t claimed Pakistani, stored
// by an earlier version without the category check) was stored, never
// checked against its category; it read "accepted at capture, no longer
// covered" before fix9ar. Each status branch, as every view prints it:
//
//	not covered, stored outside its category (the mark, or read back
//	  from JSON: short of its category's system, naming no event):
//	  "stored without the category check …";
//	not covered, naming facts: "accepted at capture, no longer covered
//	  since …"; naming none: "accepted at capture, no longer covered";
//	refused, naming facts: "refused since …"; else plainly refused.
func TestRefusedClaimTextWordsEachStatus(t *testing.T) {
	const tail = "; the claim attributes nothing; the physical origin stands"
	const outside = "claim not covered: stated Pakistan 100.0 % — stored without the category check capture makes now (before claims outside their material category were refused), its run not in its category's mass-balance system" + tail
	db, _ := sbSite9ae(t)
	old := ledger.NewService(db)
	old.Now = clockAt("2025-10-06T01:00:00Z")
	if err := capture(old, runOf("RD", "mb", "2025-10-06T00:00:00Z", []string{"C3:10"}, product{lot: "OD", commodity: "antimony_trioxide", t: 0.5, assays: []string{"Sb:60"}, extra: claimPAK})); err != nil {
		t.Fatal(err)
	}
	for i, cl := range claimViews9ae(t, db, "OD") {
		if !cl.StoredOutside() {
			t.Errorf("OD (%d) is not marked stored outside its category: %+v", i, cl)
		}
		if txt := custody.RefusedClaimText(cl); txt != outside {
			t.Errorf("OD (%d) reads %q,\nwant %q", i, txt, outside)
		}
	}
	pak := []custody.Share{{Key: "PAK", Name: "Pakistan", Share: 1}}
	for _, c := range []struct {
		name string
		cl   custody.Claim
		want string
	}{
		{"stored outside, read back", custody.Claim{Status: custody.ClaimNotCovered, ShortOf: custody.ShortOfCategorySystem, ByCountry: pak}, outside},
		{"run left its category", custody.Claim{Status: custody.ClaimNotCovered, ShortOf: custody.ShortOfCategorySystem, RetractedBy: []string{"urn:t:ev:xa"}, ByCountry: pak},
			"claim not covered: stated Pakistan 100.0 % — accepted at capture, no longer covered since urn:t:ev:xa" + tail},
		{"lot made again", custody.Claim{Status: custody.ClaimNotCovered, ShortOf: custody.ShortOfRemade, RetractedBy: []string{"urn:t:ev:xo"}, RunChangedBy: []string{"urn:t:ev:xr"}, ByCountry: pak},
			"claim not covered: stated Pakistan 100.0 % — accepted at capture, no longer covered since urn:t:ev:xo, urn:t:ev:xr" + tail},
		{"short, no fact named", custody.Claim{Status: custody.ClaimNotCovered, ByCountry: pak},
			"claim not covered: stated Pakistan 100.0 % — accepted at capture, no longer covered" + tail},
		{"refused since", custody.Claim{Status: custody.ClaimRefused, RetractedBy: []string{"urn:t:ev:E1"}, ByCountry: pak},
			"claim refused: stated Pakistan 100.0 % — refused since urn:t:ev:E1" + tail},
		{"refused", custody.Claim{Status: custody.ClaimRefused, ByCountry: pak},
			"claim refused: stated Pakistan 100.0 % — the claim attributes nothing; the physical origin stands"},
	} {
		if got := custody.RefusedClaimText(&c.cl); got != c.want {
			t.Errorf("%s: %q,\nwant %q", c.name, got, c.want)
		}
	}
}
