package storetest

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
)

// Containers fed to runs (issue 9, new-user check findings 1, 2 and 6):
// what a container (an SSCC) holds is read as of the event that uses it.

// ctDoc is a capture document: site mb (in Pakistan) runs mass balance,
// the mines are in Pakistan and China; and the events.
func ctDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:mb", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "mb"}, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]},
	   {"id": "urn:t:site:mine-PAK", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]},
	   {"id": "urn:t:site:mine-CHN", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "CHN"}]}]}]}},
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// ctLot commissions a dry REE concentrate lot of kg kilograms from iso
// with the given dry assays ("Nd:10").
func ctLot(lot, iso string, kg float64, assays ...string) string {
	var as []string
	for _, a := range assays {
		el, v, _ := strings.Cut(a, ":")
		as = append(as, fmt.Sprintf(`{"cm:analyte": "%s", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}`, el, v))
	}
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mine-%s"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "%s", "cm:moisture": 0, "cm:assay": [%s]}}`, lot, lot, kg, iso, iso, strings.Join(as, ","))
}

// ctPack is an AggregationEvent on container sscc at day (2025-10-dd):
// lines are childQuantityList entries "lot:kg" (none: a DELETE of
// everything).
func ctPack(id, action, sscc string, day int, lines ...string) string {
	var qs []string
	for _, l := range lines {
		lot, kg, _ := strings.Cut(l, ":")
		qs = append(qs, fmt.Sprintf(`{"epcClass": "urn:t:lot:%s", "quantity": %s, "uom": "KGM"}`, lot, kg))
	}
	kids := ""
	if len(qs) > 0 {
		kids = `, "childQuantityList": [` + strings.Join(qs, ",") + `]`
	}
	return fmt.Sprintf(`{"type": "AggregationEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "%s", "bizStep": "packing",
	  "parentID": "%s"%s, "bizLocation": {"id": "urn:t:site:mb"}}`, id, day, action, sscc, kids)
}

// ctRun is a run at site mb on 2025-10-05 fed the container sscc whole
// (inputEPCList), making kg of NdPr oxide at the given dry assays, with
// extra ILMD (a claim).
func ctRun(id, sscc, out string, kg float64, assays, extra string) string {
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputEPCList": ["%s"], "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [%s]%s}}`, id, sscc, out, kg, assays, extra)
}

func ctNear(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func ctShare(list []custody.Share, key string) float64 {
	for _, s := range list {
		if s.Key == key {
			return s.Share
		}
	}
	return 0
}

// ctOrigin checks lot's physical origin, read both ways (walking the
// genealogy and the lot-list path): China's share of dry mass and of Nd,
// the Nd its run's inputs brought (tonnes), no element_gain, and the
// DFARS covered-country verdict.
func ctOrigin(t *testing.T, s critmin.Store, when, lot string, chn, ndIn float64, dfars string) {
	t.Helper()
	ctx := context.Background()
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(ctx, s.(custody.Store), "urn:t:lot:"+lot, evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := ctShare(o.Mass.ByCountry, "CHN"); !ctNear(got, chn) {
			t.Errorf("%s: %s China's dry-mass share %v, want %v (%+v)", when, lot, got, chn, o.Mass.ByCountry)
		}
		if got := ctShare(o.Elements["Nd"].ByCountry, "CHN"); !ctNear(got, chn) {
			t.Errorf("%s: %s China's Nd share %v, want %v (%+v)", when, lot, got, chn, o.Elements["Nd"].ByCountry)
		}
		for _, a := range o.Anomalies {
			if a.Kind == "element_gain" || a.Kind == "input_mass_unknown" || a.Kind == "no_origin" {
				t.Errorf("%s: %s anomaly %s: %s", when, lot, a.Kind, a.Detail)
			}
		}
		if !evidence {
			continue
		}
		found := false
		for _, rb := range o.Runs {
			for _, l := range rb.Elements {
				if l.Element == "Nd" {
					found = true
					if !ctNear(l.In, ndIn) || !l.Checked || l.Gain {
						t.Errorf("%s: %s run %s Nd line %+v, want in %v t, checked, no gain", when, lot, rb.Event, l, ndIn)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: %s has no Nd run balance: %+v", when, lot, o.Runs)
		}
	}
	vs, err := custody.Evaluate(ctx, s.(custody.RuleStore), "urn:t:lot:"+lot, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == "dfars-covered-countries" && v.Status != dfars {
			t.Errorf("%s: %s DFARS %s (%s), want %s", when, lot, v.Status, v.Detail, dfars)
		}
	}
}

// testContainerAsOfRun: a run fed a container reads what it held at the
// run's event time (2025-10-05); packing and unpacking after the run
// change nothing of what the run made.
//
//	A: Ca (China, 1,000 kg, Nd 10 %) packed into S1 on Oct 2; run A feeds
//	   S1 whole and makes Oa, 150 kg at Nd 60 %. In: 1 t × 10 % = 0.1 t
//	   Nd; out 0.15 × 60 % = 0.09 t ≤ 0.1: no element gain (before the
//	   fix the container brought 0 t: a false element_gain). Oa is 100 %
//	   China, DFARS fails. On Oct 6 S1 is emptied, on Oct 7 Pa (Pakistan,
//	   5,000 kg) is packed in: Oa stays 100 % China and fails (before the
//	   fix it read 100 % Pakistan and passed); S1 itself now holds
//	   Pakistani material only.
//	B: Pb (Pakistan) packed in S2 on Oct 2, run B makes Ob; Cb (China)
//	   packed in on Oct 7: Ob stays 0 % China (before: 1/6 = 16.7 %).
//	H: Ch (China, 1,000 kg) and Ph (Pakistan, 5,000 kg) packed in S3 on
//	   Oct 2; on Oct 3 a DELETE names 500 kg of Ch: 500 kg of it stays
//	   in. Run H: dry mass 0.5 + 5 = 5.5 t, China 0.5 / 5.5 = 9.09 %; Nd
//	   0.05 + 0.5 = 0.55 t in, China 0.05 / 0.55 = 9.09 %; DFARS fails
//	   (before: the whole of Ch was out, 0 % China, DFARS passed). Oh,
//	   500 kg at Nd 60 % = 0.3 t ≤ 0.55. The 500 kg taken out can be
//	   packed elsewhere (S4), but not 600 kg: 500 kg of its 1,000 kg is
//	   still in S3.
//
// The genealogy traced backward from Oa shows Ca, not Pa; from Ob, Pb
// and not Cb.
// Both origin paths (the walk and the lot-list path) agree, and verify
// rebuilds every derived table identically.
func testContainerAsOfRun(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const s1, s2, s3, s4 = "urn:epc:id:sscc:0614141.3000000001", "urn:epc:id:sscc:0614141.3000000002", "urn:epc:id:sscc:0614141.3000000003", "urn:epc:id:sscc:0614141.3000000004"
	nd60 := `{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}`
	MustCapture(t, svc, ctDoc(
		ctLot("Ca", "CHN", 1000, "Nd:10"), ctLot("Pa", "PAK", 5000, "Nd:10"),
		ctLot("Cb", "CHN", 1000, "Nd:10"), ctLot("Pb", "PAK", 5000, "Nd:10"),
		ctLot("Ch", "CHN", 1000, "Nd:10"), ctLot("Ph", "PAK", 5000, "Nd:10"),
		ctPack("pa1", "ADD", s1, 2, "Ca:1000"),
		ctPack("pb1", "ADD", s2, 2, "Pb:5000"),
		ctPack("ph1", "ADD", s3, 2, "Ch:1000", "Ph:5000"),
		ctPack("ph2", "DELETE", s3, 3, "Ch:500"),
		ctRun("A", s1, "Oa", 150, nd60, ""),
		ctRun("B", s2, "Ob", 150, nd60, ""),
		ctRun("H", s3, "Oh", 500, nd60, "")))
	ctOrigin(t, s, "after the runs", "Oa", 1, 0.1, custody.Fail)
	ctOrigin(t, s, "after the runs", "Ob", 0, 0.5, custody.Pass)
	ctOrigin(t, s, "after the runs", "Oh", 0.5/5.5, 0.55, custody.Fail)
	// Run H consumed the 0.5 t of Ch S3 held: S3 holds none of it after
	// the run (builder refill), and the 0.5 t unpacked stands loose.
	in, err := s.PackedIn(ctx, []string{"urn:t:lot:Ch"}, time.Time{})
	if err != nil || len(in) != 0 {
		t.Errorf("PackedIn(Ch) = %+v, %v; want none: run H consumed what S3 held", in, err)
	}

	MustCapture(t, svc, ctDoc(
		ctPack("pa2", "DELETE", s1, 6),
		ctPack("pa3", "ADD", s1, 7, "Pa:5000"),
		ctPack("pb2", "ADD", s2, 7, "Cb:1000"),
		ctPack("ph3", "ADD", s4, 8, "Ch:500")))
	ctOrigin(t, s, "after later packing", "Oa", 1, 0.1, custody.Fail)
	ctOrigin(t, s, "after later packing", "Ob", 0, 0.5, custody.Pass)
	ctOrigin(t, s, "after later packing", "Oh", 0.5/5.5, 0.55, custody.Fail)
	// The genealogy drawn backward from each product shows what its
	// container held at the run, not what was packed in later.
	for lot, want := range map[string][2]string{"Oa": {"Ca", "Pa"}, "Ob": {"Pb", "Cb"}} {
		tr, err := custody.TraceLot(ctx, s.(custody.Store), "urn:t:lot:"+lot, custody.Backward, 0)
		if err != nil {
			t.Fatal(err)
		}
		nodes := map[string]bool{}
		for _, n := range tr.Nodes {
			nodes[n.ID] = true
		}
		if !nodes["urn:t:lot:"+want[0]] || nodes["urn:t:lot:"+want[1]] {
			t.Errorf("trace of %s: nodes %v; want %s (in the container at the run), not %s (packed after it)", lot, nodes, want[0], want[1])
		}
	}
	// The container itself is what it holds now: Pa only.
	if o, err := custody.OriginOf(ctx, s.(custody.Store), s1, true); err != nil || ctShare(o.Mass.ByCountry, "PAK") != 1 {
		t.Errorf("S1 now: %+v, %v; want 100 %% Pakistan", o, err)
	}
	// On Oct 4 S1 held Ca; run A consumed it on Oct 5 (fixNe: a run fed
	// a container consumes what it holds), so from then on S1 holds none.
	at := time.Date(2025, 10, 4, 0, 0, 0, 0, time.UTC)
	if in, err := s.PackedIn(ctx, []string{"urn:t:lot:Ca", "urn:t:lot:Pa"}, at); err != nil || len(in) != 1 || in[0].Child != "urn:t:lot:Ca" || in[0].Container != s1 {
		t.Errorf("PackedIn(Ca, Pa) on Oct 4 = %+v, %v; want Ca in S1", in, err)
	}
	if in, err := s.PackedIn(ctx, []string{"urn:t:lot:Ca"}, at.AddDate(0, 0, 1)); err != nil || len(in) != 0 {
		t.Errorf("PackedIn(Ca) on Oct 5 = %+v, %v; want none: run A consumed Ca", in, err)
	}
	if in, err := s.PackedIn(ctx, []string{"urn:t:lot:Ca", "urn:t:lot:Pa"}, time.Time{}); err != nil || len(in) != 1 || in[0].Child != "urn:t:lot:Pa" {
		t.Errorf("PackedIn(Ca, Pa) now = %+v, %v; want Pa in S1", in, err)
	}
	// 500 kg of Ch was consumed by run H out of S3 and the other 500 kg
	// is in S4: nothing of Ch stands loose, no more to pack (checked as
	// critmin serve checks it, custody.NewService: 0.1 + 0.5 packed >
	// 0.5 stood × 1.005).
	_, err = custody.NewService(s).Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(ctPack("ph4", "ADD", "urn:epc:id:sscc:0614141.3000000005", 9, "Ch:100")))})
	if fs := critmin.ErrorFields(err); err == nil || len(fs) != 1 || !strings.Contains(fs[0].Reason, "urn:t:lot:Ch") || !strings.Contains(fs[0].Reason, "0.5 t of that is already packed there") || !strings.Contains(fs[0].Reason, "urn:t:ev:ph3") {
		t.Errorf("packing 100 kg more of Ch: %v %+v; want refused, 0.5 t in S4 and none loose", err, fs)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after container runs: %v %v", rep.Problem, rep.Difference)
	}
}

// testContainerCredits: a run at a mass-balance site fed a container
// earns the credits of what the container held, and a claim on its
// product is judged on them — not refused as "no transformation produced
// it".
//
//	Pm: Pakistan, 10,000 kg dry, Nd 4 % + Pr 1 %, packed whole into S6
//	on Oct 2. Run M (Oct 5) feeds S6 and makes Om, 500 kg at Nd 62 % +
//	Pr 18 % = 0.4 t Nd+Pr, claimed 100 % Pakistan.
//	Credit: 10 t × (4 % + 1 %) × 0.9 = 0.45 t Nd+Pr (PAK), event M,
//	bounded element by element by what M's product Om holds (fix9c,
//	fix9ad: a run never credits more of an element than its products
//	contain): Nd min(10 × 4 % × 0.9 = 0.36, 0.5 × 62 % = 0.31) + Pr
//	min(0.09, 0.5 × 18 % = 0.09) = 0.4 t.
//	Claim: 0.4 t ≤ 0.4: accepted; closing 0.4 − 0.4 = 0.
//	Element balance: Nd in 0.4, out 0.31; Pr in 0.1, out 0.09: no gain.
func testContainerCredits(t *testing.T, open Opener) {
	s := open(t)
	cs, svc := claimService(s)
	ctx := context.Background()
	const s6 = "urn:epc:id:sscc:0614141.3000000006"
	// Recorded and packed at mb, where run M is: a run fed a container
	// consumes the lots in it, and a lot is fed only where it is
	// (custody/whereabouts.go; a lot at its mine was refused once the run
	// consumed what the container held, fixNe).
	MustCapture(t, svc, ctDoc(cfLot("Pm", "PAK", 10000, "Nd:4", "Pr:1"), ctPack("pm1", "ADD", s6, 2, "Pm:10000")))
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(ctx, cs, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	assays := `{"cm:analyte": "Nd", "cm:value": 62, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 18, "cm:unit": "%", "cm:basis": "dry"}`
	MustCapture(t, svc, ctDoc(ctRun("M", s6, "Om", 500, assays, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`)))
	o, err := custody.OriginOf(ctx, cs, "urn:t:lot:Om", true)
	if err != nil {
		t.Fatal(err)
	}
	if o.Claimed == nil || o.Claimed.Status != custody.ClaimAccepted || !ctNear(o.Claimed.Tonnes, 0.4) {
		t.Errorf("claim on Om %+v; want accepted on 0.4 t Nd+Pr", o.Claimed)
	}
	for _, a := range o.Anomalies {
		if a.Kind == "element_gain" {
			t.Errorf("Om: %s", a.Detail)
		}
	}
	st, err := custody.StatementOf(ctx, cs, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var credit float64
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "credit" && e.Country == "PAK" && e.Event == "urn:t:ev:M" {
				credit += e.Tonnes
			}
		}
		for _, l := range c.Lines {
			if l.Country == "PAK" && (!ctNear(l.Credits, 0.4) || !ctNear(l.Claims, 0.4) || !ctNear(l.Closing, 0)) {
				t.Errorf("PAK line %+v; want credits 0.4 (bounded by Om's 0.4 t), claims 0.4, closing 0", l)
			}
		}
	}
	if !ctNear(credit, 0.4) {
		t.Errorf("credits of run M %v t, want Nd min(0.36, 0.31) + Pr min(0.09, 0.09) = 0.4 (%+v)", credit, st.Categories)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after a container-fed claim: %v %v", rep.Problem, rep.Difference)
	}
}
