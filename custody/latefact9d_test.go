package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// lateAssay9d is an ObjectEvent reporting a dry Nd grade of lot (a sensor
// report, as a laboratory's result is captured), with no site: the lot
// was consumed at mb, its sample taken before.
func lateAssay9d(id, when, lot, nd string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "` + lot + `"}],
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": ` + nd + `, "uom": "P1", "cm:basis": "dry"}]}]}`
}

// declared9d declares ev (an event as captured) in error.
func declared9d(ev, when string) string {
	return strings.TrimSuffix(strings.TrimSpace(ev), "}") + `, "errorDeclaration": {"declarationTime": "` + when + `", "reason": "incorrect_data"}}`
}

// TestLateInputAssayUncoversClaim (issue 9, fix9d case 1): a correct
// late assay of an INPUT lot — the feed of a run that earned credit —
// lowers the site's credits so that an accepted claim is no longer
// covered. It is stored (a measurement is a fact), and the claim reads
// not covered, naming the assay, in the origin, the statement and the
// verdict. In mbStore, captured on November 25, November's PAK balance
// is October's 2.9 t + A2's 20 t × (4 + 1) % × 0.9 = 0.9 t, less O3's
// 0.8 t and K's 0.4 t: 2.6 t.
//
//	G1 (Nov 20): 100 t of CBIG → 3.125 t oxide at 80 % Nd+Pr, claiming
//	  Pakistan 100 %: 3.125 × 0.8 = 2.5 t ≤ 2.6 t → accepted, 0.1 t left.
//	AS2 (captured Nov 26, dated Nov 9, before run E5 consumed A2): A2 is
//	  Nd 2 %, not 4 %: A2 credits 20 × (2 + 1) % × 0.9 = 0.54 t, so the
//	  balance G1 meets is 2.9 + 0.54 − 0.8 − 0.4 = 2.24 t:
//	  2.5 − 2.24 = 0.26 t short → not covered, naming AS2.
//	Statement, November PAK: claims O3 0.8 + K 0.4 + G1 2.5 = 3.7 t (G1
//	  stays booked, fix9e): closing 2.9 + 0.54 − 3.7 = −0.26 t.
//
// Then (fix9d case 3) AS2 declared in error on Nov 27: A2 is 4 % again,
// credits 0.9 t, G1 covered (2.5 ≤ 2.6) and its coverage note names the
// declaration of AS2.
// claimVerdict9d is the mass-balance-claim rule's verdict on lot.
func claimVerdict9d(t *testing.T, db critmin.Store, lot string) []custody.Verdict {
	t.Helper()
	pk, err := custody.ParsePack([]byte(`{"id": "t", "title": "t", "rules": [{"id": "mb", "kind": "mass_balance_claim"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := custody.Evaluate(context.Background(), db, lot, pk)
	if err != nil || len(vs) != 1 {
		t.Fatalf("verdicts %+v %v", vs, err)
	}
	return vs
}

func TestLateInputAssayUncoversClaim(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, oxideRunFrom("G1", "2025-11-20T00:00:00Z", "G1", 3.125, claimPAK, "CBIG", 100)); err != nil {
		t.Fatalf("G1: %v", err)
	}
	claim := func() *custody.Claim {
		t.Helper()
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:G1", false)
		if err != nil || o.Claimed == nil {
			t.Fatalf("G1 origin: %+v %v", o, err)
		}
		return o.Claimed
	}
	if cl := claim(); cl.Status != custody.ClaimAccepted || !near(cl.Tonnes, 2.5) {
		t.Fatalf("G1 before the assay: %+v, want accepted at 2.5 t", cl)
	}
	svc.Now = clockAt("2025-11-26T00:00:00Z")
	as2 := lateAssay9d("AS2", "2025-11-09T00:00:00Z", "urn:t:lot:A2", "2")
	if err := capture(svc, as2); err != nil {
		t.Fatalf("late assay of input A2 refused: %v; want stored (a measurement is a fact)", err)
	}
	if a2, err := db.FindLot(ctx, "urn:t:lot:A2"); err != nil || !near(custody.GradesOf(a2)["Nd"], 0.02) {
		t.Fatalf("A2 after the assay: %+v %v, want Nd 2 %%", a2, err)
	}
	cl := claim()
	if cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || strings.Join(cl.AssayedBy, " ") != "urn:t:ev:AS2" || math.Abs(cl.Shortfall-0.26) > 1e-9 {
		t.Errorf("G1 after the late input assay: status %s assayedBy %v shortfall %v, want refused (not covered), naming urn:t:ev:AS2, shortfall 0.26 t", cl.Status, cl.AssayedBy, cl.Shortfall)
	}
	for _, want := range []string{"not covered", "urn:t:ev:AS2", "lot urn:t:lot:A2", "recorded after the claim", "shortfall 0.26 t"} {
		if !strings.Contains(cl.Error, want) {
			t.Errorf("G1's error lacks %q: %s", want, cl.Error)
		}
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// G1, accepted at capture, stays booked in full though not covered
	// (fix9e): claims O3 0.8 + K 0.4 + G1 2.5 = 3.7 t, closing 2.9 + 0.54
	// − 3.7 = −0.26 t, the deficit naming G1.
	if l := line(t, st, "ree", "PAK"); !near(l.Claims, 3.7) || !near(l.Credits, 0.54) || !near(l.Closing, -0.26) || strings.Join(l.DeficitBy, " ") != "urn:t:lot:G1" {
		t.Errorf("November PAK %+v, want claims 3.7 t (G1 booked though not covered), credits 0.54 t, closing −0.26 t naming G1", l)
	}
	found := false
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:G1" {
			found = true
			if strings.Join(r.AssayedBy, " ") != "urn:t:ev:AS2" || !strings.Contains(r.Error, "not covered") {
				t.Errorf("statement's refused G1: %+v, want naming urn:t:ev:AS2, not covered", r)
			}
		}
	}
	if !found {
		t.Errorf("statement lists no refused claim on G1: %+v", st.Refused)
	}
	vs := claimVerdict9d(t, db, "urn:t:lot:G1")
	for _, v := range vs {
		if v.Status != custody.Fail || !strings.Contains(strings.Join(v.Evidence, " "), "urn:t:ev:AS2") {
			t.Errorf("verdict %+v, want fail with evidence urn:t:ev:AS2", v)
		}
	}
	// Case 3: the assay declared in error covers the claim again, named.
	svc.Now = clockAt("2025-11-27T00:00:00Z")
	if err := capture(svc, declared9d(as2, "2025-11-27T00:00:00Z")); err != nil {
		t.Fatalf("declaring AS2 in error: %v", err)
	}
	cl = claim()
	if cl.Status != custody.ClaimAccepted || strings.Join(cl.CoveredAgainBy, " ") != "urn:t:ev:AS2" || !strings.Contains(cl.CoverageNote, "urn:t:ev:AS2") || !strings.Contains(cl.CoverageNote, "declared in error") || !strings.Contains(cl.CoverageNote, "assay of lot urn:t:lot:A2") {
		t.Errorf("G1 after AS2 declared in error: status %s coveredAgainBy %v note %q, want accepted naming the declaration of the assay urn:t:ev:AS2", cl.Status, cl.CoveredAgainBy, cl.CoverageNote)
	}
	st, err = custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// November PAK claims O3 0.8 + K 0.4 + G1 2.5 = 3.7 t, credits 0.9 t
	// again; G1's claim entry carries the note.
	if l := line(t, st, "ree", "PAK"); !near(l.Claims, 3.7) || !near(l.Credits, 0.9) {
		t.Errorf("November PAK after the declaration %+v, want claims 3.7 t, credits 0.9 t", l)
	}
	noted := false
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "claim" && e.Lot == "urn:t:lot:G1" && strings.Contains(e.Note, "covered again") && strings.Contains(e.Note, "urn:t:ev:AS2") {
				noted = true
			}
		}
	}
	if !noted {
		t.Errorf("statement's claim entry for G1 does not say it is covered again since AS2 was declared in error")
	}
	vs = claimVerdict9d(t, db, "urn:t:lot:G1")
	for _, v := range vs {
		if v.Status != custody.Pass || !strings.Contains(v.Detail, "urn:t:ev:AS2") {
			t.Errorf("verdict %+v, want pass naming the declaration of urn:t:ev:AS2", v)
		}
	}
}

// TestLateWeighingUncoversClaim (issue 9, fix9d case 2): a correct late
// weighing of a claimed lot, dated before its claim and recorded after
// it, that makes the claim exceed the balance is stored; the claim reads
// not covered naming the weighing. The weighing's own check (tolerance,
// cm:massChangeReason) still applies. November's PAK balance in mbStore
// on November 25 is 2.6 t (TestLateInputAssayUncoversClaim).
//
//	G2 (Nov 20): 100 t of CBIG → 3 t oxide at 80 % Nd+Pr, no claim.
//	C2x (Nov 21): claims G2 100 % Pakistan: 3 × 0.8 = 2.4 t ≤ 2.6 →
//	  accepted, 0.2 t left.
//	W2 (captured Nov 26, dated Nov 20 12:00): G2 weighs 3.3 t (+10 %,
//	  reason stated): the claim is on 3.3 × 0.8 = 2.64 t, 2.64 − 2.6 =
//	  0.04 t short → not covered, naming W2.
//
// W2 declared in error (Nov 27): 2.4 t again, covered, the note naming
// the declaration.
func TestLateWeighingUncoversClaim(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, oxideRunFrom("G2", "2025-11-20T00:00:00Z", "G2", 3, "", "CBIG", 100), claimADD("C2x", "G2", "2025-11-21T00:00:00Z", "1")); err != nil {
		t.Fatalf("G2: %v", err)
	}
	claim := func() *custody.Claim {
		t.Helper()
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:G2", false)
		if err != nil || o.Claimed == nil {
			t.Fatalf("G2 origin: %+v %v", o, err)
		}
		return o.Claimed
	}
	if cl := claim(); cl.Status != custody.ClaimAccepted || !near(cl.Tonnes, 2.4) {
		t.Fatalf("G2 before the weighing: %+v, want accepted at 2.4 t", cl)
	}
	svc.Now = clockAt("2025-11-26T00:00:00Z")
	w2 := objectEv("W2", "2025-11-20T12:00:00Z", "urn:t:lot:G2", "OBSERVE", massReport("3300")+`, "cm:massChangeReason": "reweighed on the certified bridge"`)
	if err := capture(svc, w2); err != nil {
		t.Fatalf("late weighing of claimed G2 refused: %v; want stored (a measurement is a fact)", err)
	}
	cl := claim()
	if cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || strings.Join(cl.WeighedBy, " ") != "urn:t:ev:W2" || math.Abs(cl.Shortfall-0.04) > 1e-9 {
		t.Errorf("G2 after the late weighing: status %s weighedBy %v shortfall %v, want refused (not covered), naming urn:t:ev:W2, shortfall 0.04 t", cl.Status, cl.WeighedBy, cl.Shortfall)
	}
	for _, want := range []string{"not covered", "urn:t:ev:W2", "weighing", "recorded after the claim", "shortfall 0.04 t"} {
		if !strings.Contains(cl.Error, want) {
			t.Errorf("G2's error lacks %q: %s", want, cl.Error)
		}
	}
	svc.Now = clockAt("2025-11-27T00:00:00Z")
	if err := capture(svc, declared9d(w2, "2025-11-27T00:00:00Z")); err != nil {
		t.Fatalf("declaring W2 in error: %v", err)
	}
	cl = claim()
	if cl.Status != custody.ClaimAccepted || strings.Join(cl.CoveredAgainBy, " ") != "urn:t:ev:W2" || !strings.Contains(cl.CoverageNote, "weighing of lot urn:t:lot:G2") {
		t.Errorf("G2 after W2 declared in error: status %s coveredAgainBy %v note %q, want accepted naming the declaration of the weighing urn:t:ev:W2", cl.Status, cl.CoveredAgainBy, cl.CoverageNote)
	}
}

// TestDeclaredAssayUncoversClaim (issue 9, fix9d case 3, covered →
// uncovered): an assay that raised an input's grade, declared in error
// after a claim rested on it, leaves the claim not covered naming the
// declaration. mbStore on November 25, November PAK 2.6 t (above):
//
//	AS3 (Nov 25, dated Nov 9): A2 Nd 6 %: A2 would credit 20 × 7 % ×
//	  0.9 = 1.26 t, but run E5's products hold O3 1 t × 80 % + O3R
//	  0.25 t × 60 % = 0.95 t Nd+Pr (fix9c's product bound), so E5
//	  credits 0.95 t, +0.05 t → balance 2.65 t.
//	G3 (Nov 20): 3.275 t oxide × 0.8 = 2.62 t ≤ 2.65 → accepted.
//	AS3 declared in error (Nov 26): balance 2.6 t, 2.62 − 2.6 = 0.02 t
//	  short.
func TestDeclaredAssayUncoversClaim(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	as3 := lateAssay9d("AS3", "2025-11-09T00:00:00Z", "urn:t:lot:A2", "6")
	if err := capture(svc, as3); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, oxideRunFrom("G3", "2025-11-20T00:00:00Z", "G3", 3.275, claimPAK, "CBIG", 100)); err != nil {
		t.Fatalf("G3: %v", err)
	}
	svc.Now = clockAt("2025-11-26T00:00:00Z")
	if err := capture(svc, declared9d(as3, "2025-11-26T00:00:00Z")); err != nil {
		t.Fatalf("declaring AS3 in error: %v", err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:G3", false)
	if err != nil {
		t.Fatal(err)
	}
	cl := o.Claimed
	if cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || strings.Join(cl.RetractedBy, " ") != "urn:t:ev:AS3" || math.Abs(cl.Shortfall-0.02) > 1e-9 || !strings.Contains(cl.Error, "declared in error") || !strings.Contains(cl.Error, "assay of lot urn:t:lot:A2") {
		t.Errorf("G3 after AS3 declared in error: %+v, want refused naming the declaration of the assay urn:t:ev:AS3, shortfall 0.02 t", cl)
	}
}

// TestLateInputWeighingUncoversClaim (issue 9, fix9d case 2, an input):
// a late weighing of an INPUT lot that states its moisture — A2 weighed
// 20 t wet at 10 % moisture (dated Nov 9, before run E5 consumed it,
// reason stated), where it was taken as dry — lowers its dry tonnes and
// so the credits: stored, and the claim it leaves short reads not
// covered naming the weighing. mbStore on November 25, November PAK
// balance 2.6 t (above):
//
//	G4 (Nov 20): 3.1875 t oxide × 0.8 = 2.55 t ≤ 2.6 → accepted.
//	W4 (Nov 26): A2 18 t dry: credits 18 × 5 % × 0.9 = 0.81 t, not
//	  0.9 t: balance 2.9 + 0.81 − 0.8 − 0.4 = 2.51 t; 2.55 − 2.51 =
//	  0.04 t short.
func TestLateInputWeighingUncoversClaim(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, oxideRunFrom("G4", "2025-11-20T00:00:00Z", "G4", 3.1875, claimPAK, "CBIG", 100)); err != nil {
		t.Fatalf("G4: %v", err)
	}
	svc.Now = clockAt("2025-11-26T00:00:00Z")
	w4 := strings.Replace(strings.TrimSuffix(weighWithMoisture("W4", "2025-11-09T00:00:00Z", "urn:t:lot:A2", "20000", "10"), "}")+`, "cm:massChangeReason": "moisture measured on the stockpile"}`,
		`, "bizLocation": {"id": "urn:t:site:mb"}`, "", 1)
	if err := capture(svc, w4); err != nil {
		t.Fatalf("late weighing of input A2 refused: %v; want stored (a measurement is a fact)", err)
	}
	if a2, err := db.FindLot(ctx, "urn:t:lot:A2"); err != nil || !near(a2.DryTonnes, 18) {
		t.Fatalf("A2 after the weighing: %+v %v, want 18 t dry", a2, err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:G4", false)
	if err != nil {
		t.Fatal(err)
	}
	cl := o.Claimed
	if cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || strings.Join(cl.WeighedBy, " ") != "urn:t:ev:W4" || math.Abs(cl.Shortfall-0.04) > 1e-9 || !strings.Contains(cl.Error, "not covered") || !strings.Contains(cl.Error, "weighing urn:t:ev:W4 of lot urn:t:lot:A2") {
		t.Errorf("G4 after the late input weighing: %+v, want refused (not covered), naming the weighing urn:t:ev:W4 of A2, shortfall 0.04 t", cl)
	}
}
