package custody_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// Tests of fix9ae (issue 9, nu9f findings 1 and 2): a claim's material
// category is its product's, decided once; a booked claim short of
// credit stays in the account whatever other categories the site
// declares; a claim on a product whose run consumed none of the
// category's inputs is not in the category's system.

// decl9ae is site mb's declaration in October and November 2025
// (carry forward 1): category ree, ree_concentrate → ndpr_oxide on Nd+Pr
// at 0.9, and, when sb, category sb, antimony_ore → antimony_trioxide
// on Sb at 0.8.
func decl9ae(sb bool) *critmin.MassBalanceDeclaration {
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{
			{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9},
		},
		Periods: []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}},
	}
	if sb {
		d.Categories = append(d.Categories, critmin.MaterialCategory{ID: "sb", Inputs: []string{"antimony_ore"}, Product: "antimony_trioxide", Elements: []string{"Sb"}, ConversionFactor: 0.8})
	}
	return d
}

// store9ae stores feeds at site mb, declares decl9ae(sb) and returns a
// service that checks claims at capture.
func store9ae(t *testing.T, sb bool, feeds ...string) (*sqldb.DB, *ledger.Service) {
	t.Helper()
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feeds...))
	if err := custody.DeclareMassBalance(context.Background(), db, decl9ae(sb), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return db, mbfxService(db)
}

// transformationOf is the TransformationEvent of runOf's output (its
// first event), to declare in error.
func transformationOf(run string) string {
	return run[:strings.Index(run, `},{"type": "ObjectEvent"`)+1]
}

// claimViews9ae is lot's claim as every reader gets it: OriginOf with
// and without evidence, and Origins (the lot list, the lots CSV).
func claimViews9ae(t *testing.T, db *sqldb.DB, lot string) []*custody.Claim {
	t.Helper()
	var out []*custody.Claim
	for _, c := range originsOf(t, db, "urn:t:lot:"+lot) {
		if c.Claimed == nil {
			t.Fatalf("%s: no claim", lot)
		}
		out = append(out, c.Claimed)
	}
	return out
}

// TestBookedClaimKeepsCategory (fix9ae, nu9f finding 1): a claim
// accepted at capture and left short by a retraction stays booked in its
// own category, whether or not the site declares another category that
// holds credit of the claim's origin.
//
// Feeds: PK, PK2 (PAK) and CN, CN2 (CHN), 10 t each at Nd 4 % + Pr 1 %
// (0.5 t Nd+Pr each); SB (PAK antimony ore) 10 t at Sb 40 % (4 t Sb).
//
//	R1  (Oct 5): PK 10 t → O1 0.5 t at Nd 60 % + Pr 20 % (Nd 0.3 +
//	             Pr 0.1 t): credit ree PAK, element by element (the
//	             product bound, fix9ad), Nd min(0.4 × 0.9 = 0.36, 0.3) +
//	             Pr min(0.1 × 0.9 = 0.09, 0.1) = 0.3 + 0.09 = 0.39 t.
//	RSB (Oct 5, site b only): SB 10 t → SBT 4 t at Sb 80 % (3.2 t):
//	             credit sb PAK min(4 × 0.8 = 3.2, 3.2) = 3.2 t.
//	R2  (Oct 6): CN 10 t → O2 0.375 t at 80 % = 0.3 t, claiming PAK:
//	             0.3 ≤ 0.39, accepted at capture; ree PAK left 0.09 t.
//	R1 declared in error (Oct 7): ree PAK credits 0: O2 not covered,
//	             shortfall 0.3 t, booked in full (ree PAK −0.3 t).
//	R3  (Oct 8): PK2 10 t → O3 0.5 t, as R1: credit 0.39 t, repays the
//	             0.3 t deficit first: O2 covered again, ree PAK 0.09 t.
//	R4  (Oct 9): CN2 10 t → O4 0.4375 t at 80 % = 0.35 t, claiming PAK:
//	             0.35 > 0.09, refused, shortfall 0.35 − 0.09 = 0.26 t.
//
// Statement October, ree PAK: opening 0 + credits 0.39 − claims 0.3 −
// expired 0 = closing 0.09. Site b, sb PAK: 0 + 3.2 − 0 − 0 = 3.2.
// Sites a (ree only) and b (ree and sb) read the same ree figures.
func TestBookedClaimKeepsCategory(t *testing.T) {
	for _, site := range []struct {
		name string
		sb   bool
	}{{"a (ree only)", false}, {"b (ree and sb)", true}} {
		t.Run(site.name, func(t *testing.T) {
			r1 := mbfxOxide("R1", "2025-10-05T00:00:00Z", []string{"PK:10"}, "O1", 0.5, "")
			feeds := []string{mbfxREE("PK", "PAK", 10), mbfxREE("PK2", "PAK", 10), mbfxREE("CN", "CHN", 10), mbfxREE("CN2", "CHN", 10),
				feed("SB", "antimony_ore", "PAK", 10, "Sb:40"), r1}
			if site.sb {
				feeds = append(feeds, runOf("RSB", "mb", "2025-10-05T12:00:00Z", []string{"SB:10"}, product{lot: "SBT", commodity: "antimony_trioxide", t: 4, assays: []string{"Sb:80"}}))
			}
			db, svc := store9ae(t, site.sb, feeds...)
			mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "O2's claim of 0.3 t on 0.39 t",
				mbfxOxide("R2", "2025-10-06T00:00:00Z", []string{"CN:10"}, "O2", 0.375, claimPAK))
			retractEvent(t, svc, transformationOf(r1), "2025-10-07T00:00:00Z")
			// Between the retraction and R3: not covered, shortfall
			// 0.3 t, booked (ree PAK 0 − 0.3 = −0.3).
			for i, cl := range claimViews9ae(t, db, "O2") {
				if cl.Status != custody.ClaimNotCovered || cl.Category != "ree" || !near(cl.Shortfall, 0.3) {
					t.Errorf("O2 (%d) after R1 declared in error: status %s category %s shortfall %v (%s), want not covered, ree, 0.3 t", i, cl.Status, cl.Category, cl.Shortfall, cl.Error)
				}
				// The lot page, lots CSV and CLI word it by its status.
				if txt := custody.RefusedClaimText(cl); !strings.HasPrefix(txt, "claim not covered: stated Pakistan 100.0 % — accepted at capture, no longer covered since urn:t:ev:R1") {
					t.Errorf("O2 (%d) reads %q, want not covered since R1's retraction", i, txt)
				}
			}
			oct := time.Date(2025, 10, 7, 12, 0, 0, 0, time.UTC)
			sameLine(t, "Oct (R1 declared in error)", line(t, mbfxStatement(t, db, "2025-10", oct), "ree", "PAK"), 0, 0, 0.3, 0, -0.3)
			mbfxCapture(t, svc, "2025-10-08T01:00:00Z", "R3",
				mbfxOxide("R3", "2025-10-08T00:00:00Z", []string{"PK2:10"}, "O3", 0.5, ""))
			for i, cl := range claimViews9ae(t, db, "O2") {
				if cl.Status != custody.ClaimAccepted || cl.Category != "ree" || !near(cl.Tonnes, 0.3) {
					t.Errorf("O2 (%d) after R3: status %s category %s tonnes %v (%s), want accepted (covered again by R3), ree, 0.3 t", i, cl.Status, cl.Category, cl.Tonnes, cl.Error)
				}
			}
			err := mbfxTry(svc, "2025-10-09T01:00:00Z", mbfxOxide("R4", "2025-10-09T00:00:00Z", []string{"CN2:10"}, "O4", 0.4375, claimPAK))
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.26 t") || !strings.Contains(err.Error(), "category ree") {
				t.Errorf("O4's claim of 0.35 t on 0.09 t: %v, want refused, category ree, shortfall 0.26 t", err)
			}
			st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
			sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.39, 0.3, 0, 0.09)
			if site.sb {
				sameLine(t, "Oct", line(t, st, "sb", "PAK"), 0, 3.2, 0, 0, 3.2)
			}
			for _, r := range st.Refused {
				if r.Lot == "urn:t:lot:O2" {
					t.Errorf("October lists O2 refused (%+v), want it booked and covered", r)
				}
			}
			if err := custody.CheckStatement(st); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRetractedSbCreditKeepsSbClaim (fix9ae, nu9f finding 1, the
// antimony side): the site's Sb credit run is declared in error while
// the REE category holds Pakistani credit; the Sb claim it covered stays
// booked in category sb and a later Sb credit run covers it again.
//
// Feeds: S1, S2 (PAK antimony ore) 10 t at Sb 40 % (4 t Sb); SC, SC2
// (CHN antimony ore) 10 t at Sb 40 %; PK (PAK REE concentrate) 10 t at
// Nd 4 % + Pr 1 %.
//
//	RP  (Oct 4): PK 10 t → OP 0.5 t at Nd 60 % + Pr 20 %: ree PAK
//	             Nd min(0.36, 0.3) + Pr min(0.09, 0.1) = 0.39 t.
//	RS  (Oct 5): S1 10 t → SBT 4 t at Sb 80 % (3.2 t): credit sb PAK
//	             min(4 × 0.8, 3.2) = 3.2 t.
//	RA  (Oct 6): SC 10 t → SA 0.375 t at Sb 80 % = 0.3 t, claiming PAK:
//	             0.3 ≤ 3.2, accepted at capture.
//	RS declared in error (Oct 7): sb PAK credits 0; SA not covered,
//	             shortfall 0.3 t, booked (sb PAK −0.3 t) — in category sb,
//	             though ree holds 0.39 t PAK.
//	RS2 (Oct 8): S2 10 t → SBT2 4 t at Sb 80 %: credit 3.2 t; repays
//	             0.3 t: SA covered again.
//	RB  (Oct 9): SC2 10 t → SB2 0.375 t = 0.3 t claiming PAK: 0.3 ≤
//	             3.2 − 0.3 = 2.9, accepted.
//
// Statement October, sb PAK: 0 + 3.2 − (0.3 + 0.3) − 0 = 2.6 t.
func TestRetractedSbCreditKeepsSbClaim(t *testing.T) {
	sbRun := func(id, when, in, out string, tonnes float64, extra string) string {
		return runOf(id, "mb", when, []string{in + ":10"}, product{lot: out, commodity: "antimony_trioxide", t: tonnes, assays: []string{"Sb:80"}, extra: extra})
	}
	rs := sbRun("RS", "2025-10-05T00:00:00Z", "S1", "SBT", 4, "")
	db, svc := store9ae(t, true,
		feed("S1", "antimony_ore", "PAK", 10, "Sb:40"), feed("S2", "antimony_ore", "PAK", 10, "Sb:40"),
		feed("SC", "antimony_ore", "CHN", 10, "Sb:40"), feed("SC2", "antimony_ore", "CHN", 10, "Sb:40"),
		mbfxREE("PK", "PAK", 10),
		mbfxOxide("RP", "2025-10-04T00:00:00Z", []string{"PK:10"}, "OP", 0.5, ""), rs)
	mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "SA's claim of 0.3 t Sb on 3.2 t", sbRun("RA", "2025-10-06T00:00:00Z", "SC", "SA", 0.375, claimPAK))
	retractEvent(t, svc, transformationOf(rs), "2025-10-07T00:00:00Z")
	for i, cl := range claimViews9ae(t, db, "SA") {
		if cl.Status != custody.ClaimNotCovered || cl.Category != "sb" || !near(cl.Shortfall, 0.3) {
			t.Errorf("SA (%d) after RS declared in error: status %s category %s shortfall %v (%s), want not covered, sb, 0.3 t", i, cl.Status, cl.Category, cl.Shortfall, cl.Error)
		}
	}
	mbfxCapture(t, svc, "2025-10-08T01:00:00Z", "RS2", sbRun("RS2", "2025-10-08T00:00:00Z", "S2", "SBT2", 4, ""))
	mbfxCapture(t, svc, "2025-10-09T01:00:00Z", "SB2's claim of 0.3 t Sb on 2.9 t", sbRun("RB", "2025-10-09T00:00:00Z", "SC2", "SB2", 0.375, claimPAK))
	for _, lot := range []string{"SA", "SB2"} {
		for i, cl := range claimViews9ae(t, db, lot) {
			if cl.Status != custody.ClaimAccepted || cl.Category != "sb" || !near(cl.Tonnes, 0.3) {
				t.Errorf("%s (%d): status %s category %s tonnes %v (%s), want accepted, sb, 0.3 t", lot, i, cl.Status, cl.Category, cl.Tonnes, cl.Error)
			}
		}
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	sameLine(t, "Oct", line(t, st, "sb", "PAK"), 0, 3.2, 0.6, 0, 2.6)
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.39, 0, 0, 0.39)
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
}

// xidEvent is a TransformationEvent id of run xid at site mb at when,
// with inputs ("lot:t") and, when out is set, one output of out at
// tonnes t of antimony trioxide at Sb 80 % with extra ILMD (a claim).
func xidEvent(id, xid, when string, inputs []string, out string, t float64, extra string) string {
	var in []string
	for _, i := range inputs {
		lot, q, _ := strings.Cut(i, ":")
		in = append(in, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+q+`, "uom": "TNE"}`)
	}
	outs, ilmd := "", ""
	if out != "" {
		outs = fmt.Sprintf(`, "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}]`, out, t)
		ilmd = `, "ilmd": {"cm:commodity": "antimony_trioxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 80, "cm:unit": "%", "cm:basis": "dry"}]` + extra + `}`
	}
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "transformationID": "urn:t:xid:` + xid + `", "inputQuantityList": [` + strings.Join(in, ",") + `]` + outs + `, "bizLocation": {"id": "urn:t:site:mb"}` + ilmd + `}`
}

// sbSite9ae stores at site mb (decl9ae with sb) S1 (PAK antimony ore)
// 10 t at Sb 40 % (4 t Sb), SC (CHN antimony ore) 10 t at Sb 40 %, C3 and
// C4 (CHN REE concentrate) 10 t at Nd 4 % + Pr 1 % + Sb 0 %, and run RS
// (Oct 5): S1 10 t → SBT 4 t antimony trioxide at Sb 80 % (3.2 t): sb PAK
// credit min(4 × 0.8, 3.2) = 3.2 t.
func sbSite9ae(t *testing.T) (*sqldb.DB, *ledger.Service) {
	t.Helper()
	return store9ae(t, true,
		feed("S1", "antimony_ore", "PAK", 10, "Sb:40"), feed("SC", "antimony_ore", "CHN", 10, "Sb:40"),
		feed("C3", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1", "Sb:0"), feed("C4", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1", "Sb:0"),
		runOf("RS", "mb", "2025-10-05T00:00:00Z", []string{"S1:10"}, product{lot: "SBT", commodity: "antimony_trioxide", t: 4, assays: []string{"Sb:80"}}))
}

// TestClaimOutsideCategoryAtCapture (fix9ae, nu9f finding 2): a claim
// on a category's product made by a run that consumed none of the
// category's inputs is refused at capture: the product is not in the
// category's mass-balance system (ISO 22095-2: a claim draws on the
// balance of its material category, whose credits in are the qualifying
// inputs to that system). At sbSite9ae (sb PAK 3.2 t):
//
//	RD (Oct 6): C3 10 t → OD 0.5 t antimony trioxide at Sb 60 % (0.3 t
//	  assayed), claiming PAK: 0.3 ≤ 3.2 on the balance, but RD consumed
//	  no antimony ore (OD's Sb is capped at C3's 0 t): refused, nothing
//	  stored; the sb PAK line stays 0 + 3.2 − 0 − 0 = 3.2.
func TestClaimOutsideCategoryAtCapture(t *testing.T) {
	ctx := context.Background()
	db, svc := sbSite9ae(t)
	err := mbfxTry(svc, "2025-10-06T01:00:00Z",
		runOf("RD", "mb", "2025-10-06T00:00:00Z", []string{"C3:10"}, product{lot: "OD", commodity: "antimony_trioxide", t: 0.5, assays: []string{"Sb:60"}, extra: claimPAK}))
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("OD's claim on antimony trioxide made from REE concentrate only: %v, want refused", err)
	}
	for _, want := range []string{"claim on lot urn:t:lot:OD refused", "site urn:t:site:mb", "category sb", "period 2025-10", "urn:t:ev:RD", "consumed none of the category's inputs (antimony_ore)", "ree_concentrate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("OD's refusal lacks %q: %v", want, err)
		}
	}
	if ls, _ := db.FindLotsByID(ctx, []string{"urn:t:lot:OD"}); len(ls) != 0 {
		t.Errorf("refused capture stored OD")
	}
	sameLine(t, "Oct", line(t, mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)), "sb", "PAK"), 0, 3.2, 0, 0, 3.2)
}

// TestClaimOutsideCategoryStored (fix9ae, nu9f finding 2; fix9aj): a
// claim accepted at capture whose run a later fact takes out of its
// category's system is not covered, naming the fact, in every view, and
// stays booked in full: the credit it retired stays retired (fix9aj,
// docs/origin.md "Not covered is not refused"). At sbSite9ae (sb PAK
// 3.2 t):
//
//	Run X (Oct 7), event XA: SC 10 t; event XB: C4 10 t → OE 0.375 t at
//	  Sb 80 % = 0.3 t claiming PAK: X consumed antimony ore SC, 0.3 ≤
//	  3.2, accepted. X credits sb CHN min(4 × 0.8 = 3.2, OE's 0.3) =
//	  0.3 t. Statement: sb PAK 0 + 3.2 − 0.3 − 0 = 2.9.
//	XA declared in error (Oct 8): X consumed only C4, no antimony ore;
//	  OE's Sb is capped at C4's 0 t; its claim is not covered, naming XA,
//	  booked in full: sb PAK 0 + 3.2 − 0.3 − 0 = 2.9 still; its row
//	  claimed 0.3, available 0, shortfall 0.3 t (short of the category's
//	  system, apart from the deficit: the line closes at 2.9 ≥ 0); sb CHN
//	  credits 0.
//	RN (Oct 9): SC, free again, 10 t → ON 3.75 t at Sb 80 % = 3.0 t
//	  claiming PAK: 3.0 > 2.9, refused, shortfall 0.1 t.
//
// Before fix9aj OE read refused and left the account, the sb PAK line
// went back to 3.2 t, and ON's 3.0 t was accepted: 3.3 t of Pakistani Sb
// stated to buyers against 3.2 t of credit.
func TestClaimOutsideCategoryStored(t *testing.T) {
	ctx := context.Background()
	db, svc := sbSite9ae(t)
	xa := xidEvent("XA", "X", "2025-10-07T00:00:00Z", []string{"SC:10"}, "", 0, "")
	mbfxCapture(t, svc, "2025-10-07T02:00:00Z", "run X, OE's claim of 0.3 t on 3.2 t",
		xa, xidEvent("XB", "X", "2025-10-07T01:00:00Z", []string{"C4:10"}, "OE", 0.375, claimPAK))
	for i, cl := range claimViews9ae(t, db, "OE") {
		if cl.Status != custody.ClaimAccepted || cl.Category != "sb" || !near(cl.Tonnes, 0.3) {
			t.Errorf("OE (%d) before XA is declared in error: %s %s %v t (%s), want accepted, sb, 0.3 t", i, cl.Status, cl.Category, cl.Tonnes, cl.Error)
		}
	}
	sameLine(t, "Oct (run X fed SC)", line(t, mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 7, 12, 0, 0, 0, time.UTC)), "sb", "PAK"), 0, 3.2, 0.3, 0, 2.9)
	retractEvent(t, svc, xa, "2025-10-08T00:00:00Z")
	for i, cl := range claimViews9ae(t, db, "OE") {
		if cl.Status != custody.ClaimNotCovered || !near(cl.Shortfall, 0.3) || strings.Join(cl.RetractedBy, " ") != "urn:t:ev:XA" ||
			!strings.Contains(cl.Error, "consumes none of the category's inputs (antimony_ore) now — it consumes ree_concentrate") || !strings.Contains(cl.Error, "urn:t:xid:X") {
			t.Errorf("OE (%d) after XA declared in error: %s, shortfall %v, retractedBy %v (%s); want not covered, 0.3 t, naming XA: run X consumes none of the category's inputs", i, cl.Status, cl.Shortfall, cl.RetractedBy, cl.Error)
		}
		if txt := custody.RefusedClaimText(cl); !strings.HasPrefix(txt, "claim not covered: stated Pakistan 100.0 % — accepted at capture, no longer covered since urn:t:ev:XA") {
			t.Errorf("OE (%d) reads %q, want not covered since XA", i, txt)
		}
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:OE", false)
	if err != nil {
		t.Fatal(err)
	}
	if sb := o.Elements["Sb"].Recorded(); math.Abs(sb) > 1e-9 {
		t.Errorf("OE physical Sb %v t, want capped at C4's 0 t", sb)
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 8, 12, 0, 0, 0, time.UTC))
	sameLine(t, "Oct", line(t, st, "sb", "PAK"), 0, 3.2, 0.3, 0, 2.9)
	if l := line(t, st, "sb", "CHN"); l.Credits != 0 {
		t.Errorf("sb CHN credits %v t after XA declared in error, want 0", l.Credits)
	}
	rows := 0
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:OE" {
			rows++
			if !r.Booked || r.Status != custody.ClaimNotCovered || r.ShortOf != custody.ShortOfCategorySystem || !near(r.Claimed, 0.3) || r.Available != 0 || !near(r.Shortfall, 0.3) {
				t.Errorf("OE's row %+v, want booked, not covered, short of its category's system: claimed 0.3, available 0, shortfall 0.3 t", r)
			}
		}
	}
	if rows != 1 {
		t.Errorf("October's refused claims %+v, want OE once", st.Refused)
	}
	err = mbfxTry(svc, "2025-10-09T01:00:00Z",
		runOf("RN", "mb", "2025-10-09T00:00:00Z", []string{"SC:10"}, product{lot: "ON", commodity: "antimony_trioxide", t: 3.75, assays: []string{"Sb:80"}, extra: claimPAK}))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.1 t") {
		t.Errorf("ON's claim of 3.0 t on 2.9 t: %v, want refused, shortfall 0.1 t", err)
	}
}

// TestClaimOnLotHoldingNone (fix9ae, nu9f finding 2): a run that
// consumed the category's input, but one holding none of its qualifying
// element, puts none of it into its product: the product's Sb is capped
// at 0 t (element_gain), and a claim on it — of any share — claims
// tonnes the lot does not hold. Refused at capture.
//
//	S1 (PAK antimony ore) 10 t at Sb 40 %; SZ (CHN antimony ore) 10 t at
//	  Sb 0 %.
//	RS (Oct 5): S1 → SBT 4 t at Sb 80 %: sb PAK credit 3.2 t.
//	RZ (Oct 6): SZ 10 t → OZ 0.5 t at Sb 60 % (0.3 t assayed, capped at
//	  0 t), claiming PAK 0.5: 0.15 t ≤ 3.2 on the balance, but OZ holds
//	  0 t Sb: refused.
func TestClaimOnLotHoldingNone(t *testing.T) {
	_, svc := store9ae(t, true,
		feed("S1", "antimony_ore", "PAK", 10, "Sb:40"), feed("SZ", "antimony_ore", "CHN", 10, "Sb:0"),
		runOf("RS", "mb", "2025-10-05T00:00:00Z", []string{"S1:10"}, product{lot: "SBT", commodity: "antimony_trioxide", t: 4, assays: []string{"Sb:80"}}))
	half := `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}]`
	err := mbfxTry(svc, "2025-10-06T01:00:00Z",
		runOf("RZ", "mb", "2025-10-06T00:00:00Z", []string{"SZ:10"}, product{lot: "OZ", commodity: "antimony_trioxide", t: 0.5, assays: []string{"Sb:60"}, extra: half}))
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("OZ's claim on a lot holding no Sb: %v, want refused", err)
	}
	for _, want := range []string{"claim on lot urn:t:lot:OZ refused", "category sb", "period 2025-10", "urn:t:ev:RZ", "holds 0 t Sb", "0.15 t"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("OZ's refusal lacks %q: %v", want, err)
		}
	}
}
