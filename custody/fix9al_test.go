package custody_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// Tests of fix9al (issue 9): a claim accepted at capture and booked
// against its site's account stays booked whatever later facts say of
// its lot or its run — not covered, never refused — so the credit it
// retired never backs a second claim (ISO 22095-2: a claim out is booked
// when it is made). Only the claim's own event declared in error
// releases it.

// assay9al is a sensor report (Oct 6, 02:30, at mb) of lot at La la % +
// Ce ce % (dry), event id.
func assay9al(id, lot string, la, ce int) string {
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-06T02:30:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:%s"}], "readPoint": {"id": "urn:t:site:mb"}, "bizLocation": {"id": "urn:t:site:mb"},
	  "sensorElementList": [{"sensorReport": [
	   {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/La", "value": %d, "uom": "P1", "cm:basis": "dry"},
	   {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Ce", "value": %d, "uom": "P1", "cm:basis": "dry"}]}]}`, id, lot, la, ce)
}

// TestClaimBookedWhenGradeDeclaredInError (fix9al, item 1): a claim
// accepted at capture whose lot's assay is declared in error since — its
// lot now "grade not measured" — is not covered, naming the assay, and
// stays booked in full at the figure it was accepted at; with its run's
// basis broken as well it is short of its category's system and names
// both. At site9aj, R2 told as xa (CN), xb (SC) and xo, which makes C2
// (2 t) and C3 (0.1 t) with no assay of their own; event as (Oct 6)
// assays C2 at La 30 % + Ce 45 %: C2 holds 2 × 75 % = 1.5 t La+Ce, and
// its claim of Pakistan 100 % (Oct 7) takes 1.5 t of lace PAK's 1.6 t
// (R1's credit, site9aj): accepted, 0.1 t left.
//
//	grade: as declared in error (Oct 8). C2 has no assay of La or Ce:
//	  not covered (short of its lot's grade), booked in full at 1.5 t.
//	grade and basis: as and xa declared in error. R2 consumes SC alone
//	  (no input of lace) and C2 is unassayed: not covered, short of its
//	  category's system, naming xa and as, booked in full at 1.5 t.
//
// Either way lace PAK, October: opening 0 + credits 1.6 − claims 1.5 −
// expired 0 = closing 0.1 t; C2's row claimed 1.5, available 0,
// shortfall 1.5 t; C1's claim of Pakistan 85 % = 3 × 60 % × 0.85 = 1.53
// t is refused, shortfall 1.53 − 0.1 = 1.43 t. Before fix9al C2 read
// refused ("the lot has no assay of La+Ce"), left the account (claims 0,
// closing 1.6 t) and C1's 1.53 t was accepted: 3.03 t stated to buyers
// against 1.6 t of credit.
//
//	released: the claim's own event cl declared in error (Oct 8) takes
//	  it off the account: 0 + 1.6 − 0 − 0 = 1.6 t, and C1's 1.53 t ≤ 1.6 t
//	  is accepted.
func TestClaimBookedWhenGradeDeclaredInError(t *testing.T) {
	xo := run9aj("xo", "R2", "2025-10-06T02:00:00Z", nil, []string{"C2:2", "C3:0.1"})
	as := assay9al("as", "C2", 30, 45)
	for _, tc := range []struct {
		name    string
		retract []string
		shortOf string
		named   []string
		words   []string
	}{
		{"grade", []string{as}, custody.ShortOfGrade, []string{"urn:t:ev:as"},
			[]string{"the lot has no assay of La+Ce now (grade not measured): the claim was accepted on event urn:t:ev:as (assay of lot urn:t:lot:C2, 2025-10-06) declared in error on 2025-10-08T00:00:00Z"}},
		{"grade and basis", []string{as, xa9aj}, custody.ShortOfCategorySystem, []string{"urn:t:ev:xa", "urn:t:ev:as"},
			[]string{"consumes none of the category's inputs (ree_concentrate) now — it consumes antimony_ore", "the lot has no assay of La+Ce now (grade not measured)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, svc := site9aj(t, xa9aj, xb9aj, xo, as)
			for _, cl := range claimViews9ae(t, db, "C2") {
				if cl.Status != custody.ClaimAccepted || !near(cl.Tonnes, 1.5) {
					t.Fatalf("C2 before: %s %v t (%s), want accepted, 1.5 t", cl.Status, cl.Tonnes, cl.Error)
				}
			}
			for _, r := range tc.retract {
				retractEvent(t, svc, r, "2025-10-08T00:00:00Z")
			}
			for i, cl := range claimViews9ae(t, db, "C2") {
				if cl.Status != custody.ClaimNotCovered || cl.ShortOf != tc.shortOf || !near(cl.Tonnes, 1.5) || !near(cl.Shortfall, 1.5) || strings.Join(cl.RetractedBy, " ") != strings.Join(tc.named, " ") {
					t.Errorf("C2 (%d): %s, shortOf %q, %v t, shortfall %v, retractedBy %v (%s); want not covered, %s, 1.5 t short 1.5 t, naming %v",
						i, cl.Status, cl.ShortOf, cl.Tonnes, cl.Shortfall, cl.RetractedBy, cl.Error, tc.shortOf, tc.named)
				}
				for _, want := range append([]string{"claim on lot urn:t:lot:C2 not covered", "category lace", "period 2025-10", "the 1.5 t La+Ce it retired stays retired"}, tc.words...) {
					if !strings.Contains(cl.Error, want) {
						t.Errorf("C2 (%d)'s error lacks %q: %s", i, want, cl.Error)
					}
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
				if r.Status != custody.ClaimNotCovered || !r.Booked || r.ShortOf != tc.shortOf || !near(r.Claimed, 1.5) || r.Available != 0 || !near(r.Shortfall, 1.5) {
					t.Errorf("C2's row %+v, want not covered, booked, %s: claimed 1.5, available 0, shortfall 1.5", r, tc.shortOf)
				}
			}
			if rows != 1 {
				t.Errorf("C2 has %d statement rows, want 1: %+v", rows, st.Refused)
			}
			err := mbfxTry(svc, "2025-10-09T01:00:00Z", claim9aj("c1", "2025-10-09T00:00:00Z", "C1", 0.85))
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 1.43 t") {
				t.Errorf("C1's claim of 1.53 t on 0.1 t: %v, want refused, shortfall 1.43 t", err)
			}
		})
	}
	t.Run("released", func(t *testing.T) {
		db, svc := site9aj(t, xa9aj, xb9aj, xo, as)
		retractEvent(t, svc, claim9aj("cl", "2025-10-07T00:00:00Z", "C2", 1), "2025-10-08T00:00:00Z")
		sameLine(t, "Oct", line(t, mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)), "lace", "PAK"), 0, 1.6, 0, 0, 1.6)
		mbfxCapture(t, svc, "2025-10-09T01:00:00Z", "C1's claim of 1.53 t on 1.6 t", claim9aj("c1", "2025-10-09T00:00:00Z", "C1", 0.85))
	})
}

// TestStoredClaimOutsideCategoryBooked (fix9al, item 2): a claim stored
// before fix9ae's capture rule on a product whose run consumed none of
// its category's inputs — no event declared in error explains it — was
// booked when stored: it reads not covered, short of its category's
// system, in every view, and stays booked in full. At sbSite9ae (sb PAK
// 3.2 t), stored without the capture check (as an earlier version did):
//
//	RD (Oct 6): C3 (REE concentrate) 10 t → OD 0.5 t antimony trioxide
//	  at Sb 60 % = 0.3 t, claiming PAK 100 %: 0.3 ≤ 3.2, booked.
//
// sb PAK, October: opening 0 + credits 3.2 − claims 0.3 − expired 0 =
// closing 2.9 t; OD's row claimed 0.3, available 0, shortfall 0.3 t. RN
// (Oct 9): SC 10 t → ON 3.75 t at Sb 80 % = 3.0 t claiming PAK: 3.0 >
// 2.9, refused, shortfall 0.1 t. Before fix9al OD read refused, left the
// account (closing 3.2 t) and ON's 3.0 t was accepted: 3.3 t of
// Pakistani Sb stated to buyers against 3.2 t of credit.
func TestStoredClaimOutsideCategoryBooked(t *testing.T) {
	db, svc := sbSite9ae(t)
	old := ledger.NewService(db) // no capture check: an earlier version's store
	old.Now = clockAt("2025-10-06T01:00:00Z")
	if err := capture(old, runOf("RD", "mb", "2025-10-06T00:00:00Z", []string{"C3:10"}, product{lot: "OD", commodity: "antimony_trioxide", t: 0.5, assays: []string{"Sb:60"}, extra: claimPAK})); err != nil {
		t.Fatal(err)
	}
	for i, cl := range claimViews9ae(t, db, "OD") {
		if cl.Status != custody.ClaimNotCovered || cl.ShortOf != custody.ShortOfCategorySystem || !near(cl.Tonnes, 0.3) || !near(cl.Shortfall, 0.3) || len(cl.RetractedBy) != 0 {
			t.Errorf("OD (%d): %s, shortOf %q, %v t, shortfall %v, retractedBy %v (%s); want not covered, category_system, 0.3 t short 0.3 t, naming nothing", i, cl.Status, cl.ShortOf, cl.Tonnes, cl.Shortfall, cl.RetractedBy, cl.Error)
		}
		for _, want := range []string{"claim on lot urn:t:lot:OD not covered", "category sb", "period 2025-10", "urn:t:ev:RD", "consumed none of the category's inputs (antimony_ore) — it consumes ree_concentrate",
			"no event declared in error explains it", "the 0.3 t Sb it retired stays retired"} {
			if !strings.Contains(cl.Error, want) {
				t.Errorf("OD (%d)'s error lacks %q: %s", i, want, cl.Error)
			}
		}
		if txt := custody.RefusedClaimText(cl); !strings.HasPrefix(txt, "claim not covered: stated Pakistan 100.0 %") {
			t.Errorf("OD (%d) reads %q", i, txt)
		}
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 8, 0, 0, 0, 0, time.UTC))
	sameLine(t, "Oct", line(t, st, "sb", "PAK"), 0, 3.2, 0.3, 0, 2.9)
	rows := 0
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:OD" {
			rows++
			if r.Status != custody.ClaimNotCovered || !r.Booked || r.ShortOf != custody.ShortOfCategorySystem || !near(r.Claimed, 0.3) || r.Available != 0 || !near(r.Shortfall, 0.3) {
				t.Errorf("OD's row %+v, want not covered, booked, category_system: claimed 0.3, available 0, shortfall 0.3", r)
			}
		}
	}
	if rows != 1 {
		t.Errorf("OD has %d statement rows, want 1: %+v", rows, st.Refused)
	}
	err := mbfxTry(svc, "2025-10-09T01:00:00Z",
		runOf("RN", "mb", "2025-10-09T00:00:00Z", []string{"SC:10"}, product{lot: "ON", commodity: "antimony_trioxide", t: 3.75, assays: []string{"Sb:80"}, extra: claimPAK}))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.1 t") {
		t.Errorf("ON's claim of 3.0 t on 2.9 t: %v, want refused, shortfall 0.1 t", err)
	}
}
