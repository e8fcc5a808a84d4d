package custody_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// siblingRun is run R at site mb (Oct 20): PK 10 t (Pakistan, Nd 4 % +
// Pr 1 %: Nd 0.4 t, Pr 0.1 t) → O1 0.5 t and O2 0.5 t of NdPr oxide,
// each at Nd 40 % + Pr 10 % (Nd 0.2 t + Pr 0.05 t = 0.25 t each); O2
// claims Pakistan 0.8.
func siblingRun() string {
	return runOf("R", "mb", "2025-10-20T00:00:00Z", []string{"PK:10"},
		product{lot: "O1", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:40", "Pr:10"}},
		product{lot: "O2", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:40", "Pr:10"}, extra: claimShare(0.8)})
}

// reassay9ac is an assay of lot (Oct 22, at mb) at Nd nd % + Pr pr %
// (dry), event id.
func reassay9ac(id, lot string, nd, pr int) string {
	return objectEv(id, "2025-10-22T00:00:00Z", "urn:t:lot:"+lot, "OBSERVE", fmt.Sprintf(`, "bizStep": "inspecting", "sensorElementList": [{"sensorReport": [
	 {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": %d, "uom": "P1", "cm:basis": "dry"},
	 {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": %d, "uom": "P1", "cm:basis": "dry"}]}]`, nd, pr))
}

// siblingReassay is O1's reassay RA1: Nd 80 % + Pr 20 %.
func siblingReassay() string { return reassay9ac("RA1", "O1", 80, 20) }

// claimFigures checks one reading of O2's claimed origin: contains
// (tonnes Nd+Pr the lot holds now), Pakistan's attributed tonnes and
// share, not covered, the credit the claim retired per origin (nil when
// it attributes all it retired) — and the invariants every claimed
// view keeps: per origin tonnes ≤ share × contains, Σ shares + not
// covered ≤ 1.
func claimFigures(t *testing.T, what string, cl *custody.Claim, contains, pak, share float64, retired map[string]float64) {
	t.Helper()
	if cl == nil || cl.Status != custody.ClaimAccepted {
		t.Fatalf("%s: claim %+v, want accepted", what, cl)
	}
	if math.Abs(cl.Contains-contains) > 1e-6 {
		t.Errorf("%s: contains %v t, want %v t", what, cl.Contains, contains)
	}
	if len(cl.ByCountry) != 1 || cl.ByCountry[0].Key != "PAK" || math.Abs(cl.ByCountry[0].Tonnes-pak) > 1e-6 || math.Abs(cl.ByCountry[0].Share-share) > 1e-6 {
		t.Errorf("%s: byCountry %+v, want Pakistan %v t (%v)", what, cl.ByCountry, pak, share)
	}
	sum := cl.NotCovered
	for _, sh := range cl.ByCountry {
		sum += sh.Share
		if sh.Tonnes > sh.Share*cl.Contains+1e-9 {
			t.Errorf("%s: %s %v t > share %v × contains %v t: a claim never attributes more than the lot holds", what, sh.Key, sh.Tonnes, sh.Share, cl.Contains)
		}
	}
	if sum > 1+1e-9 {
		t.Errorf("%s: Σ shares + not covered = %v > 1", what, sum)
	}
	got := map[string]float64{}
	for _, r := range cl.Retired {
		got[r.Key] = r.Tonnes
	}
	if len(got) != len(retired) {
		t.Errorf("%s: retired %+v, want %v", what, cl.Retired, retired)
	}
	for k, v := range retired {
		if math.Abs(got[k]-v) > 1e-6 {
			t.Errorf("%s: retired %s %v t, want %v t", what, k, got[k], v)
		}
	}
	if (len(retired) > 0) != (cl.RetiredNote != "") {
		t.Errorf("%s: retired note %q with retired %v", what, cl.RetiredNote, retired)
	}
}

// claimEntry is the tonnes of O2's Pakistan claim entry in the 2025-10
// statement: the credit the claim retired.
func claimEntry(t *testing.T, db custody.Store) float64 {
	t.Helper()
	st, err := custody.StatementOf(context.Background(), db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var v float64
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "claim" && e.Lot == "urn:t:lot:O2" && e.Country == "PAK" {
				v += e.Tonnes
			}
		}
	}
	return v
}

// TestSiblingReassayCapsClaimedFigures (issue 9, fix9ac; new-user
// check): a claim on a run's output is a share of what that output holds;
// a sibling's higher reassay that caps the output below what the claim
// took never makes the claim attribute more than the lot holds, and the
// credit the claim retired stays retired.
//
//	R: PK 10 t (Nd 0.4 + Pr 0.1 = 0.5 t) → O1, O2 0.25 t Nd+Pr each.
//	  Credit PAK min(0.5 × 0.9, bound 0.5) = 0.45 t. O2 claims 0.8 ×
//	  0.25 = 0.2 t ≤ 0.45: accepted; PAK closes 0.45 − 0.2 = 0.25 t.
//	  O2 reads: contains 0.25 t, Pakistan 0.2 t (80 %), nothing retired
//	  beyond what it attributes.
//	RA1: O1 reassayed Nd 80 % + Pr 20 %: O1 holds Nd 0.4 + Pr 0.1; the
//	  outputs Nd 0.6 > 0.4 in, Pr 0.15 > 0.1 in (element_gain), so each
//	  output is scaled by input ÷ outputs: O2 Nd 0.2 × 0.4 / 0.6 =
//	  0.133333, Pr 0.05 × 0.1 / 0.15 = 0.033333 → contains 0.166667 t.
//	  O2's claim (80 % of the output) attributes 0.8 × 0.166667 =
//	  0.133333 t Pakistan (80 %), not covered 0; the 0.2 t it retired
//	  stays retired (statement entry 0.2 t; PAK still closes 0.25 t).
//	RA1 declared in error: O2 holds 0.25 t again: Pakistan 0.2 t (80 %),
//	  nothing retired beyond it.
//
// Every reading agrees: OriginOf with and without evidence (the kept
// mix), before and after.
func TestSiblingReassayCapsClaimedFigures(t *testing.T) {
	ctx := context.Background()
	db, svc := gainStore(t)
	if err := capture(svc, siblingRun()); err != nil {
		t.Fatal(err)
	}
	read := func(what string, contains, pak float64, retired map[string]float64) {
		t.Helper()
		for _, evidence := range []bool{true, false} {
			o, err := custody.OriginOf(ctx, db, "urn:t:lot:O2", evidence)
			if err != nil {
				t.Fatal(err)
			}
			phys := o.Elements["Nd"].Recorded() + o.Elements["Pr"].Recorded()
			if math.Abs(phys-contains) > 1e-6 {
				t.Errorf("%s (evidence %v): physical Nd+Pr %v t, want %v t", what, evidence, phys, contains)
			}
			claimFigures(t, what+map[bool]string{true: " (evidence)", false: " (kept mix)"}[evidence], o.Claimed, contains, pak, 0.8, retired)
		}
		if e := claimEntry(t, db); math.Abs(e-0.2) > 1e-9 {
			t.Errorf("%s: statement claim entry %v t, want the 0.2 t retired at the claim", what, e)
		}
	}
	read("at capture", 0.25, 0.2, nil)
	svc.Now = clockAt("2025-10-23T00:00:00Z")
	if err := capture(svc, siblingReassay()); err != nil {
		t.Fatalf("O1's reassay: %v", err)
	}
	read("after O1's reassay", 0.5/3, 0.8*0.5/3, map[string]float64{"PAK": 0.2})
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O2", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"0.2 t", "0.25 t", "0.166667 t", "0.133333 t", "stays retired"} {
		if !strings.Contains(o.Claimed.RetiredNote, want) {
			t.Errorf("retired note %q lacks %q", o.Claimed.RetiredNote, want)
		}
	}
	// The lot holds 0.5 / 3 = 0.166667 t now; the claim's 80 % of it is
	// 0.133333 t (fix9am's share-of-lot words, of what the lot holds now,
	// not of the 0.25 t it was made on).
	if want := "Pakistan 80.0 %; claims 80.0 % of the lot (0.133333 t of 0.166667 t Nd+Pr); 20.0 % unclaimed"; o.Claimed.SharesText() != want {
		t.Errorf("shares text %q, want %q", o.Claimed.SharesText(), want)
	}
	// The claim's verdict passes (0.2 t retired covers the 0.133333 t
	// it attributes) and states the attributed figure and the note.
	vs, err := custody.Evaluate(ctx, db, "urn:t:lot:O2", custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range vs {
		if v.Reads != custody.ReadsClaimed {
			continue
		}
		found = true
		if v.Status != custody.Pass || !strings.Contains(v.Detail, "0.133333 t Nd+Pr of Pakistan origin") || !strings.Contains(v.Detail, "stays retired") || strings.Contains(v.Detail, "0.2 t Nd+Pr of Pakistan origin") {
			t.Errorf("claim verdict %s: %s; want pass, 0.133333 t of Pakistan origin, the retired note", v.Status, v.Detail)
		}
	}
	if !found {
		t.Error("no verdict reads the claimed origin")
	}
	// The certificate's claimed provenance line: Pakistan 0.133333 t at
	// 0.8; cm:claimRetired lists the 0.2 t retired.
	var cert struct {
		Subject struct {
			Prov []struct {
				Basis    string  `json:"cm:originBasis"`
				Country  string  `json:"countryName"`
				Fraction float64 `json:"massFraction"`
				Mass     struct {
					Value float64 `json:"value"`
				} `json:"mass"`
			} `json:"cm:claimedProvenance"` // not materialsProvenance (fixQv)
			Retired struct {
				Note    string          `json:"note"`
				Retired []custody.Share `json:"retired"`
			} `json:"cm:claimRetired"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(mbfxCert(t, svc, "urn:t:lot:O2", time.Date(2025, 10, 23, 0, 0, 0, 0, time.UTC)), &cert); err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, p := range cert.Subject.Prov {
		if p.Basis != custody.ReadsClaimed {
			continue
		}
		lines++
		if p.Country != "Pakistan" || math.Abs(p.Mass.Value-0.8*0.5/3) > 1e-6 || math.Abs(p.Fraction-0.8) > 1e-9 {
			t.Errorf("certificate's claimed line %+v, want Pakistan 0.133333 t at 0.8", p)
		}
	}
	if lines != 1 || len(cert.Subject.Retired.Retired) != 1 || math.Abs(cert.Subject.Retired.Retired[0].Tonnes-0.2) > 1e-9 || cert.Subject.Retired.Note != o.Claimed.RetiredNote {
		t.Errorf("certificate: %d claimed lines, cm:claimRetired %+v; want one line and 0.2 t retired with the origin's note", lines, cert.Subject.Retired)
	}
	svc.Now = clockAt("2025-10-24T00:00:00Z")
	if err := capture(svc, declared9d(siblingReassay(), "2025-10-24T00:00:00Z")); err != nil {
		t.Fatalf("RA1 declared in error: %v", err)
	}
	read("after RA1 is declared in error", 0.25, 0.2, nil)
}

// TestLowerReassayAttributesWhatLotHolds (fix9ac): the same rule for a
// claimed lot's own lower reassay (fix9g keeps the debit): O2 reassayed
// Nd 20 % + Pr 5 % holds 0.5 × 25 % = 0.125 t; the claim attributes
// 0.8 × 0.125 = 0.1 t Pakistan (80 %), its 0.2 t retired stays retired.
func TestLowerReassayAttributesWhatLotHolds(t *testing.T) {
	ctx := context.Background()
	db, svc := gainStore(t)
	if err := capture(svc, siblingRun()); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-10-23T00:00:00Z")
	if err := capture(svc, reassay9ac("RA2", "O2", 20, 5)); err != nil {
		t.Fatalf("O2's reassay: %v", err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O2", false)
	if err != nil {
		t.Fatal(err)
	}
	claimFigures(t, "after O2's lower reassay", o.Claimed, 0.125, 0.1, 0.8, map[string]float64{"PAK": 0.2})
	if e := claimEntry(t, db); math.Abs(e-0.2) > 1e-9 {
		t.Errorf("statement claim entry %v t, want 0.2 t", e)
	}
}

// TestCappedAnomaliesInElementOrder (fix9ac): a lot capped in two
// elements lists its element_capped anomalies in element order, Nd then
// Pr, on every read — a certificate's evidence digest covers them, and
// read in map order a certificate issued on unchanged evidence was not
// found again. After siblingRun and O1's reassay (TestSiblingReassay…):
// O2's Nd 0.2 t → 0.133333 t and Pr 0.05 t → 0.033333 t, both capped.
func TestCappedAnomaliesInElementOrder(t *testing.T) {
	ctx := context.Background()
	db, svc := gainStore(t)
	if err := capture(svc, siblingRun()); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-10-23T00:00:00Z")
	if err := capture(svc, siblingReassay()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		o, err := custody.Origin(ctx, db, "urn:t:lot:O2")
		if err != nil {
			t.Fatal(err)
		}
		var els []string
		for _, a := range o.Anomalies {
			if a.Kind == "element_capped" && strings.HasPrefix(a.Detail, "lot urn:t:lot:O2: ") {
				_, rest, _ := strings.Cut(a.Detail, "× its ")
				el, _, _ := strings.Cut(rest, " ")
				els = append(els, el)
			}
		}
		if strings.Join(els, " ") != "Nd Pr" {
			t.Fatalf("read %d: element_capped anomalies for %v, want Nd then Pr", i, els)
		}
	}
}
