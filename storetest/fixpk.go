package storetest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A line draw of a packed lot takes its loose stock at the site first,
// then its containers there, at the draw's time (issue 9, new-user
// check n8e-1, n8e-4, builder fixPk): stock of the lot arriving later
// never stands in a container the draw emptied.

// pkSetup is n8e's s1 up to the late loose stock: Pa (Pakistan, 10 t,
// Nd 10 %) and Kb (China, 6 t, Nd 5 %) at khi; 8 t of Pa (BOL-A1) and
// Kb's 6 t (BOL-B) shipped to mb on Oct 2, received on Oct 3; Pa 6 t +
// Kb 4 t packed into C1 at mb on Oct 4 (loose at mb: Pa 2 t, Kb 2 t).
// Run R1 at mb on Oct 5 takes "Pa 5,000 kg" by line: the 2 t loose
// first, then 3 t out of C1, which holds Pa 3 t + Kb 4 t = 7 t. Pa's
// last 2 t are shipped on Oct 6 (BOL-A2) and received at mb on Oct 7,
// loose: Pa stands at mb with 3 t in C1 and 2 t loose.
func pkSetup(t *testing.T, s critmin.Store, svc *ledger.Service) {
	t.Helper()
	const mb = "urn:t:site:mb"
	MustCapture(t, svc, ctDoc(piAtKhi(cfLot("Pa", "PAK", 10000, "Nd:10")), piAtKhi(cfLot("Kb", "CHN", 6000, "Nd:5"))))
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("pa-ship", "urn:t:bol:BOL-A1", 2, nil, "Pa:8000")), piAtKhi(ccShip("kb-ship", "urn:t:bol:BOL-B", 2, nil, "Kb:6000"))))
	MustCapture(t, svc, ctDoc(ctRecvAt("pa-recv", "urn:t:bol:BOL-A1", mb, 3, nil, "Pa:8000"), ctRecvAt("kb-recv", "urn:t:bol:BOL-B", mb, 3, nil, "Kb:6000")))
	MustCapture(t, svc, ctDoc(ctPack("pa-pack", "ADD", cbC1, 4, "Pa:6000", "Kb:4000")))
	MustCapture(t, svc, ctDoc(peRunAt("pa-R1", mb, 5, nil, []string{"Pa:5000"}, "Oa1", 400)))
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("pa-ship2", "urn:t:bol:BOL-A2", 6, nil, "Pa:2000"))))
	MustCapture(t, svc, ctDoc(ctRecvAt("pa-recv2", "urn:t:bol:BOL-A2", mb, 7, nil, "Pa:2000")))
}

// pkStanding wants what stands of lot (its parts received and not
// taken, and its body when in stock; wet tonnes) to be want.
func pkStanding(t *testing.T, s critmin.Store, when, lot string, want float64) {
	t.Helper()
	l := mustLot(t, s, "urn:t:lot:"+lot)
	wet, _ := ledger.PartsStanding(l)
	if l.Status == critmin.LotInStock {
		wet += l.RemainingWetTonnes() // the body standing where it is
	}
	if !ctNear(wet, want) {
		t.Errorf("%s: %s has %v t standing (%s, parts %+v); want %v", when, lot, wet, l.Status, l.Parts, want)
	}
}

// testLineDrawLooseFirst (n8e-1, s1, a WRONG PASS): pkSetup, then run
// R2 at mb on Oct 8 fed C1 whole takes Pa 3 t + Kb 4 t = 7 t, not Pa's
// late loose 2 t as well (it took 5 + 4 = 9 t). Oa2's dry mass: China
// 4 / 7 = 0.571429 (it read 4 / 9); its Nd: Pa 3 × 10 % = 0.30 t, Kb
// 4 × 5 % = 0.20 t, China 0.20 / 0.50 = 0.4 (it read 0.20 / 0.70). Pa
// keeps 8 + 2 − 5 (R1) − 3 (R2) = 2 t standing at mb, Kb 6 − 4 = 2 t. A
// run taking "Pa 2,000 kg" is then taken. Verify's rebuild agrees.
func testLineDrawLooseFirst(t *testing.T, open Opener) {
	const mb = "urn:t:site:mb"
	s := open(t)
	svc := custody.NewService(s)
	pkSetup(t, s, svc)
	MustCapture(t, svc, ctDoc(peRunAt("pa-R2", mb, 8, []string{cbC1}, nil, "Oa2", 500)))
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(context.Background(), s.(custody.Store), "urn:t:lot:Oa2", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := ctShare(o.Mass.ByCountry, "CHN"); math.Abs(got-4.0/7) > 1e-6 {
			t.Errorf("Oa2 China's dry-mass share %v, want 4 / 7 = 0.571429 (%+v)", got, o.Mass.ByCountry)
		}
		if got := ctShare(o.Elements["Nd"].ByCountry, "CHN"); math.Abs(got-0.4) > 1e-6 {
			t.Errorf("Oa2 China's Nd share %v, want 0.20 / 0.50 = 0.4 (%+v)", got, o.Elements["Nd"].ByCountry)
		}
	}
	pkStanding(t, s, "after R2", "Pa", 2)
	pkStanding(t, s, "after R2", "Kb", 2)
	MustCapture(t, svc, ctDoc(peRunAt("pa-R4", mb, 9, nil, []string{"Pa:2000"}, "Oa4", 100)))
	piBalanced(t, s, "Pa", "Kb")
	qeVerified(t, s, "at the end")
}

// testLineDrawLooseFirstShipped (n8e-1, s7 DRAW=run): pkSetup, then [C1]
// shipped on from mb to khi on Oct 8 under BOL-C: it carries Pa 3 t +
// Kb 4 t (it moved Pa 5 t). Pa: 3 t in transit, 2 t standing at mb; Kb:
// 4 t in transit, 2 t standing. Verify's rebuild agrees.
func testLineDrawLooseFirstShipped(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	pkSetup(t, s, svc)
	MustCapture(t, svc, ctDoc(ccShip("c1-on", "urn:t:bol:BOL-C", 8, []string{cbC1})))
	for _, c := range []struct {
		lot              string
		moving, standing float64
	}{{"Pa", 3, 2}, {"Kb", 4, 2}} {
		l := mustLot(t, s, "urn:t:lot:"+c.lot)
		if got := peInTransitUnder(l, "urn:t:bol:BOL-C"); !ctNear(got, c.moving) {
			t.Errorf("%s: %v t in transit in C1, want %v (parts %+v)", c.lot, got, c.moving, l.Parts)
		}
		pkStanding(t, s, "after [C1] shipped on", c.lot, c.standing)
	}
	piBalanced(t, s, "Pa", "Kb")
	qeVerified(t, s, "at the end")
}

// testLineDrawDeclaredUnderFed (n8e-4, s11, a WRONG PASS; fixQh): Pd
// (Pakistan, 10 t) and Kd (China, 2 t) at mb; Pd 6 t + Kd 2 t packed
// into C1 on Oct 2. Run R1 on Oct 3 takes "Pd 7,000 kg": 4 t loose, 3 t
// out of C1. Run R2 on Oct 4 fed C1 whole takes Pd 3 t + Kd 2 t.
// Declaring R1 in error alone (it was taken with R2's product keeping
// Pd 3 t and Pd reading 7 t back in stock, 10 − 3 = 7; fixPk refused
// it) computes R2 again: C1 held Pd 6 t + Kd 2 t when R2 ran, so R2
// takes both — Od2 is 6 / 8 = 0.75 Pakistani by dry mass, by Nd
// 6 × 10 % = 0.6 t of 0.6 + 2 × 5 % = 0.7 t = 6/7 — and Pd stands at
// 10 − 6 = 4 t loose, Kd at 0 t. Declared with R2 in a second store,
// both go: Pd 10 t, Kd 2 t in stock. Verify's rebuild agrees.
func testLineDrawDeclaredUnderFed(t *testing.T, open Opener) {
	r1 := cfRun("pd-R1", 3, nil, []string{"Pd:7000"}, "Od1", 500)
	r2 := cfRun("pd-R2", 4, []string{cbC1}, nil, "Od2", 400)
	setup := func(t *testing.T) (critmin.Store, *ledger.Service) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(cfLot("Pd", "PAK", 10000, "Nd:10"), cfLot("Kd", "CHN", 2000, "Nd:5"), ctPack("pd-pack", "ADD", cbC1, 2, "Pd:6000", "Kd:2000")))
		MustCapture(t, svc, ctDoc(r1))
		MustCapture(t, svc, ctDoc(r2))
		if l := mustLot(t, s, "urn:t:lot:Pd"); l.Status != critmin.LotConsumed || !ctNear(l.RemainingWetTonnes(), 0) {
			t.Errorf("Pd after R2: %s, %v t left; want consumed (7 + 3 = 10 t)", l.Status, l.RemainingWetTonnes())
		}
		return s, svc
	}
	t.Run("R1 alone", func(t *testing.T) {
		s, svc := setup(t)
		MustCapture(t, svc, ctDoc(ydDeclared(r1)))
		qeOrigin(t, s, "R1 declared", "Od2", 0.75, 6.0/7)
		pkStanding(t, s, "R1 declared", "Pd", 4)
		pkStanding(t, s, "R1 declared", "Kd", 0)
		piBalanced(t, s, "Pd", "Kd")
		qeVerified(t, s, "R1 declared")
	})
	t.Run("R1 and R2", func(t *testing.T) {
		s, svc := setup(t)
		MustCapture(t, svc, ctDoc(ydDeclared(r1), ydDeclared(r2)))
		for _, c := range []struct {
			lot  string
			left float64
		}{{"Pd", 10}, {"Kd", 2}} {
			if l := mustLot(t, s, "urn:t:lot:"+c.lot); l.Status == critmin.LotConsumed || !ctNear(l.RemainingWetTonnes(), c.left) {
				t.Errorf("%s after R1 and R2 declared: %s, %v t left; want %v t in stock", c.lot, l.Status, l.RemainingWetTonnes(), c.left)
			}
		}
		qeVerified(t, s, "R1 and R2 declared")
	})
}

// testLineDrawLooseBesideContainer (the case fixPi left open): Pm
// (Pakistan, 10 t, Nd 10 %) and Km (China, 5 t, Nd 10 %) at mb; 5 t of
// each packed into C1 on Oct 2, [C1] shipped to khi on Oct 3 (BOL-M1),
// received on Oct 4; Pm's loose 5 t shipped on Oct 5 (BOL-M2), received
// at khi on Oct 6. Run R1 at khi on Oct 7 takes "Pm 5,000 kg": the
// loose 5 t first, so C1 still holds Pm 5 t + Km 5 t. R2 on Oct 8 fed
// C1 whole takes both: Om2's Nd 5 × 10 % = 0.5 t from each, China 0.5
// (dry mass 5 / 10 = 0.5 too). Pm: 10 − 5 − 5 = 0 t standing. Verify's
// rebuild agrees.
func testLineDrawLooseBesideContainer(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("Pm", "PAK", 10000, "Nd:10"), cfLot("Km", "CHN", 5000, "Nd:10"), ctPack("pm-pack", "ADD", cbC1, 2, "Pm:5000", "Km:5000")))
	MustCapture(t, svc, ctDoc(ccShip("pm-ship", "urn:t:bol:BOL-M1", 3, []string{cbC1}), ctRecvAt("pm-recv", "urn:t:bol:BOL-M1", khi, 4, []string{cbC1})))
	MustCapture(t, svc, ctDoc(ccShip("pm-ship2", "urn:t:bol:BOL-M2", 5, nil, "Pm:5000"), ctRecvAt("pm-recv2", "urn:t:bol:BOL-M2", khi, 6, nil, "Pm:5000")))
	MustCapture(t, svc, ctDoc(peRunAt("pm-R1", khi, 7, nil, []string{"Pm:5000"}, "Om1", 500)))
	MustCapture(t, svc, ctDoc(peRunAt("pm-R2", khi, 8, []string{cbC1}, nil, "Om2", 1000)))
	piOrigin(t, s, "after R2", "Om2", 0.5)
	pkStanding(t, s, "after R2", "Pm", 0)
	piBalanced(t, s, "Pm", "Km")
	qeVerified(t, s, "at the end")
}

// pkRun is piRun (NdPr oxide at Nd 60 % + Pr 20 %, at mb) making kg.
func pkRun(id string, day int, ssccs, lines []string, out string, kg float64, extra string) string {
	return strings.Replace(cfRun(id, day, ssccs, lines, out, kg), `"cm:assay": [{"cm:analyte": "Nd", "cm:value": 50, "cm:unit": "%", "cm:basis": "dry"}]`,
		`"cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]`+extra, 1)
}

// testLineDrawLooseFirstCredit (n8e-1 at a mass-balance site, s9): Pa
// (Pakistan, 10 t, Nd 10 % + Pr 2 %) at khi; 8 t shipped to mb (mass
// balance, category ree: concentrate → NdPr oxide, Nd + Pr, factor 0.9)
// on Oct 2, received Oct 3; 6 t packed into C1 at mb on Oct 4. R1 on
// Oct 5 takes "Pa 5,000 kg" (2 t loose, 3 t out of C1) → 500 kg at Nd
// 60 % + Pr 20 %: Pakistan's credit Nd min(5 × 10 % × 0.9 = 0.45,
// 0.5 × 60 % = 0.3) = 0.3 + Pr min(5 × 2 % × 0.9 = 0.09, 0.5 × 20 % =
// 0.1) = 0.09 → 0.39 t. Pa's last 2 t arrive loose (Oct 6–7). R2 on
// Oct 8 fed C1 whole takes Pa 3 t → 500 kg at the same grade: Nd
// min(3 × 10 % × 0.9 = 0.27, 0.3) = 0.27 + Pr min(3 × 2 % × 0.9 =
// 0.054, 0.1) = 0.054 → 0.324 t. October's PAK credits 0.39 + 0.324 =
// 0.714 t (Nd 0.57, Pr 0.144; it read 0.78 t, R2 taking 5 t). Kq
// (China, 20 t at mb) run R3 on Oct 9 → 900 kg claimed 100 % Pakistan:
// Nd 0.54 + Pr 0.18 = 0.72 t > 0.714 t (Pr 0.18 > 0.144) — refused
// (it was taken against 0.78 t), nothing stored.
func testLineDrawLooseFirstCredit(t *testing.T, open Opener) {
	const mb = "urn:t:site:mb"
	s := open(t)
	cs, svc := claimService(s)
	ctx := context.Background()
	MustCapture(t, svc, ctDoc(piAtKhi(cfLot("Pa", "PAK", 10000, "Nd:10", "Pr:2")), cfLot("Kq", "CHN", 20000, "Nd:5", "Pr:1")))
	d := &critmin.MassBalanceDeclaration{Site: mb, CarryForward: 0,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(ctx, cs, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("pa-ship", "urn:t:bol:BOL-A1", 2, nil, "Pa:8000"))))
	MustCapture(t, svc, ctDoc(ctRecvAt("pa-recv", "urn:t:bol:BOL-A1", mb, 3, nil, "Pa:8000")))
	MustCapture(t, svc, ctDoc(ctPack("pa-pack", "ADD", cbC1, 4, "Pa:6000")))
	MustCapture(t, svc, ctDoc(pkRun("pa-R1", 5, nil, []string{"Pa:5000"}, "Oa1", 500, "")))
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("pa-ship2", "urn:t:bol:BOL-A2", 6, nil, "Pa:2000"))))
	MustCapture(t, svc, ctDoc(ctRecvAt("pa-recv2", "urn:t:bol:BOL-A2", mb, 7, nil, "Pa:2000")))
	MustCapture(t, svc, ctDoc(pkRun("pa-R2", 8, []string{cbC1}, nil, "Oa2", 500, "")))
	if l := dcPAKLine(t, s); math.Abs(l.Credits-0.714) > 1e-9 {
		t.Errorf("PAK line %+v; want credits 0.39 + 0.324 = 0.714 t", l)
	}
	dcRefused(t, svc, ctDoc(pkRun("kq-R3", 9, nil, []string{"Kq:20000"}, "Oq3", 900, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`)), critmin.EINVALID, "over-claim")
	dcNotStored(t, s, "kq-R3")
	qeVerified(t, s, "at the end")
}
