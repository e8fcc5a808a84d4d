package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A lot drawn by line out of a container that brought it to the site
// (issue 9, new-user check n9a-1, n9a-2, builder fixPi): the draw leaves
// the container with what is left, in every view.

// piOrigin wants lot's Nd share from China to be chn, read with and
// without evidence.
func piOrigin(t *testing.T, s critmin.Store, when, lot string, chn float64) {
	t.Helper()
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(context.Background(), s.(custody.Store), "urn:t:lot:"+lot, evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := ctShare(o.Elements["Nd"].ByCountry, "CHN"); !ctNear(got, chn) {
			t.Errorf("%s: %s China's Nd share %v, want %v (%+v)", when, lot, got, chn, o.Elements["Nd"].ByCountry)
		}
		if got := ctShare(o.Mass.ByCountry, "CHN"); !ctNear(got, chn) {
			t.Errorf("%s: %s China's dry-mass share %v, want %v (%+v)", when, lot, got, chn, o.Mass.ByCountry)
		}
	}
}

// piBalanced wants every lot of ids to pass ledger.CheckLotBalance.
func piBalanced(t *testing.T, s critmin.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := ledger.CheckLotBalance(mustLot(t, s, "urn:t:lot:"+id)); err != nil {
			t.Errorf("lot %s: %v", id, err)
		}
	}
}

// testLineDrawFromContainer (n9a-2, a wrong refusal): Pn (Pakistan,
// 5,000 kg, Nd 10 %) and Kn (China, 5,000 kg, Nd 10 %) packed into C1 at
// mb on Oct 2; [C1] shipped to khi on Oct 3 under BOL-PN and received
// there on Oct 5. Run R1 at khi on Oct 6 takes "Pn 5,000 kg" by line:
// nothing of Pn is loose at khi, so all 5 t come out of C1, which holds
// Kn's 5 t only. Run R2 on Oct 7 fed C1 whole is taken (it was refused
// "Pn: 5 t consumed here but only 0 t remain") and consumes Kn alone:
// O2's Nd is 5 × 10 % = 0.5 t, all Chinese (100 %; dry mass 5 / 5).
// Pn is consumed by R1 only (a parent of O1, not of O2); Kn consumed by
// R2. C1 fed whole again on Oct 8 is refused, naming R2, which emptied
// it. Verify's rebuild agrees.
func testLineDrawFromContainer(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-PN", "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("Pn", "PAK", 5000, "Nd:10"), cfLot("Kn", "CHN", 5000, "Nd:10"), ctPack("pn-pack", "ADD", cbC1, 2, "Pn:5000", "Kn:5000")))
	MustCapture(t, svc, ctDoc(ccShip("pn-ship", bol, 3, []string{cbC1}), ctRecvAt("pn-recv", bol, khi, 5, []string{cbC1})))
	MustCapture(t, svc, ctDoc(peRunAt("pn-R1", khi, 6, nil, []string{"Pn:5000"}, "On1", 500)))
	MustCapture(t, svc, ctDoc(peRunAt("pn-R2", khi, 7, []string{cbC1}, nil, "On2", 500)))
	piOrigin(t, s, "after R2", "On2", 1)
	piOrigin(t, s, "after R2", "On1", 0)
	cfLotState(t, s, "after R2", "Pn", critmin.LotConsumed, 0, "On1", true)
	cfLotState(t, s, "after R2", "Pn", critmin.LotConsumed, 0, "On2", false)
	cfLotState(t, s, "after R2", "Kn", critmin.LotConsumed, 0, "On2", true)
	ccRefused(t, s, "C1 fed whole again after R2 emptied it", ctDoc(peRunAt("pn-R3", khi, 8, []string{cbC1}, nil, "On3", 500)), "urn:t:run:pn-R2")
	piBalanced(t, s, "Pn", "Kn")
	qeVerified(t, s, "at the end")
}

// testLineDrawThenLooseArrives (n9a-1, a WRONG PASS): Pm (Pakistan,
// 10,000 kg, Nd 10 %) and Km (China, 5,000 kg, Nd 10 %) at mb; 5,000 kg
// of each packed into C1 on Oct 2 (Pm's other 5 t loose at mb); [C1]
// shipped to khi on Oct 3 under BOL-PM1, received on Oct 5. Run R1 at
// khi on Oct 6 takes "Pm 5,000 kg": nothing of Pm is loose at khi, so
// the 5 t come out of C1 (C1 holds Km's 5 t only). Pm's loose 5 t are
// then shipped from mb on Oct 7 under BOL-PM2 and received at khi on
// Oct 8, loose. Run R2 on Oct 9 fed C1 whole consumes Km's 5 t only:
// O2's Nd 5 × 10 % = 0.5 t, 100 % China (it read 0.5 / 1.0 = 50 %
// Pakistan, taking Pm's loose 5 t as if they were in C1). Pm keeps 5 t
// standing at khi (10 − 5 taken by R1), is no parent of O2; verify's
// rebuild agrees, and the lot balance closes.
func testLineDrawThenLooseArrives(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("Pm", "PAK", 10000, "Nd:10"), cfLot("Km", "CHN", 5000, "Nd:10"), ctPack("pm-pack", "ADD", cbC1, 2, "Pm:5000", "Km:5000")))
	MustCapture(t, svc, ctDoc(ccShip("pm-ship", "urn:t:bol:BOL-PM1", 3, []string{cbC1}), ctRecvAt("pm-recv", "urn:t:bol:BOL-PM1", khi, 5, []string{cbC1})))
	MustCapture(t, svc, ctDoc(peRunAt("pm-R1", khi, 6, nil, []string{"Pm:5000"}, "Om1", 500)))
	MustCapture(t, svc, ctDoc(ccShip("pm-ship2", "urn:t:bol:BOL-PM2", 7, nil, "Pm:5000"), ctRecvAt("pm-recv2", "urn:t:bol:BOL-PM2", khi, 8, nil, "Pm:5000")))
	MustCapture(t, svc, ctDoc(peRunAt("pm-R2", khi, 9, []string{cbC1}, nil, "Om2", 500)))
	piOrigin(t, s, "after R2", "Om2", 1)
	l := mustLot(t, s, "urn:t:lot:Pm")
	if wet, _ := ledger.PartsStanding(l); l.Status == critmin.LotConsumed || !ctNear(wet, 5) || !ctNear(l.RemainingWetTonnes(), 0) {
		t.Errorf("Pm after R2: %s, %v t standing in parts, body %v t (parts %+v); want 10 − 5 (R1) = 5 t standing at khi", l.Status, wet, l.RemainingWetTonnes(), l.Parts)
	}
	cfLotState(t, s, "after R2", "Pm", l.Status, l.RemainingWetTonnes(), "Om2", false)
	cfLotState(t, s, "after R2", "Km", critmin.LotConsumed, 0, "Om2", true)
	piBalanced(t, s, "Pm", "Km")
	qeVerified(t, s, "at the end")
}

// piAtKhi moves an event of storetest's helpers from mb to khi (a
// dispatch from khi is bound for mb).
func piAtKhi(ev string) string {
	ev = strings.ReplaceAll(ev, `{"id": "urn:t:site:mb"}`, `{"id": "urn:t:site:khi"}`)
	return strings.Replace(ev, `"destination": "urn:t:site:khi"`, `"destination": "urn:t:site:mb"`, 1)
}

// piRun is cfRun making NdPr oxide at Nd 60 % + Pr 20 %, with extra ILMD
// (a claim).
func piRun(id string, day int, ssccs, lines []string, out, extra string) string {
	return strings.Replace(cfRun(id, day, ssccs, lines, out, 500), `"cm:assay": [{"cm:analyte": "Nd", "cm:value": 50, "cm:unit": "%", "cm:basis": "dry"}]`,
		`"cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]`+extra, 1)
}

// testLineDrawPhantomCredit (n9a-1 at a mass-balance site, s7f): Pq
// (Pakistan, 10,000 kg, Nd 10 % + Pr 2 %) and Kq (China, 5,000 kg, the
// same grade) at khi; 5,000 kg of each packed into C1 there on Oct 2;
// [C1] shipped to mb (mass balance, category ree: concentrate → NdPr
// oxide, Nd + Pr, factor 0.9) on Oct 3 under BOL-Q1, received Oct 4.
// R1 at mb on Oct 5 takes "Pq 5,000 kg" (all out of C1) → Oq1, 500 kg at
// Nd 60 % + Pr 20 %. Pakistan's credit: Nd min(5 × 10 % × 0.9 = 0.45,
// 0.5 × 60 % = 0.3) = 0.3 + Pr min(5 × 2 % × 0.9 = 0.09, 0.5 × 20 % =
// 0.1) = 0.09 → 0.39 t. Pq's loose 5 t then shipped to mb on Oct 6 under
// BOL-Q2, received Oct 7. R2 on Oct 8 fed C1 whole (Kq's 5 t only) →
// Oq2, 500 kg at the same grade, claimed 100 % Pakistan: 0.5 × (60 % +
// 20 %) = 0.4 t > the 0.39 t balance — refused, shortfall 0.4 − 0.39 =
// 0.01 t (it was taken: R2 also took Pq's loose 5 t as if in C1, and
// Pakistan's credits read 0.39 + Nd min(0.45, 0.15) + Pr min(0.09,
// 0.05) = 0.59 t). October's PAK line: credits 0.39 t.
func testLineDrawPhantomCredit(t *testing.T, open Opener) {
	s := open(t)
	cs, svc := claimService(s)
	ctx := context.Background()
	MustCapture(t, svc, ctDoc(piAtKhi(cfLot("Pq", "PAK", 10000, "Nd:10", "Pr:2")), piAtKhi(cfLot("Kq", "CHN", 5000, "Nd:10", "Pr:2")), piAtKhi(ctPack("pq-pack", "ADD", cbC1, 2, "Pq:5000", "Kq:5000"))))
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 0,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(ctx, cs, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("pq-ship", "urn:t:bol:BOL-Q1", 3, []string{cbC1})), ctRecvAt("pq-recv", "urn:t:bol:BOL-Q1", "urn:t:site:mb", 4, []string{cbC1})))
	MustCapture(t, svc, ctDoc(piRun("pq-R1", 5, nil, []string{"Pq:5000"}, "Oq1", "")))
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("pq-ship2", "urn:t:bol:BOL-Q2", 6, nil, "Pq:5000")), ctRecvAt("pq-recv2", "urn:t:bol:BOL-Q2", "urn:t:site:mb", 7, nil, "Pq:5000")))
	dcRefused(t, svc, ctDoc(piRun("pq-R2", 8, []string{cbC1}, nil, "Oq2", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`)), critmin.EINVALID, "over-claim", "shortfall 0.01 t")
	dcNotStored(t, s, "pq-R2")
	if l := dcPAKLine(t, s); !ctNear(l.Credits, 0.39) || !ctNear(l.Claims, 0) {
		t.Errorf("PAK line %+v; want credits 0.3 + 0.09 = 0.39 t (R1 only), claims 0", l)
	}
	// Without the claim R2 is taken, and earns Pakistan nothing.
	MustCapture(t, svc, ctDoc(piRun("pq-R2", 8, []string{cbC1}, nil, "Oq2", "")))
	piOrigin(t, s, "after R2", "Oq2", 1)
	if l := dcPAKLine(t, s); !ctNear(l.Credits, 0.39) {
		t.Errorf("PAK line %+v after R2; want credits 0.39 t (C1 held no Pakistani material at R2)", l)
	}
	piBalanced(t, s, "Pq", "Kq")
	qeVerified(t, s, "at the end")
}

// testLineShippedFromContainer (n9a, the class by a shipment): Ps
// (Pakistan, 10,000 kg, Nd 10 %) and Ks (China, 5,000 kg, Nd 10 %) at
// mb; 5,000 kg of each packed into C1 on Oct 2, [C1] shipped to khi on
// Oct 3 under BOL-S1 and received on Oct 5. On Oct 6 "Ps 5,000 kg" is
// shipped by line from khi to the port under BOL-S2: nothing of Ps is
// loose at khi, so the 5 t come out of C1, which holds Ks's 5 t only.
// Ps's loose 5 t then arrive from mb (BOL-S3, Oct 7–8). On Oct 9 an
// unpacking of "Ps 5,000 kg" from C1 at khi is refused (none of Ps is in
// C1), and run R2 fed C1 whole consumes Ks alone: Os2's Nd 0.5 t, 100 %
// China. Ps: 5 t standing at khi, 5 t in transit to the port, no parent
// of Os2; verify agrees.
func testLineShippedFromContainer(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("Ps", "PAK", 10000, "Nd:10"), cfLot("Ks", "CHN", 5000, "Nd:10"), ctPack("ps-pack", "ADD", cbC1, 2, "Ps:5000", "Ks:5000")))
	MustCapture(t, svc, ctDoc(ccShip("ps-ship", "urn:t:bol:BOL-S1", 3, []string{cbC1}), ctRecvAt("ps-recv", "urn:t:bol:BOL-S1", khi, 5, []string{cbC1})))
	onward := strings.ReplaceAll(ccShip("ps-onward", "urn:t:bol:BOL-S2", 6, nil, "Ps:5000"), `"urn:t:site:khi"`, `"urn:t:site:port"`)
	onward = strings.ReplaceAll(onward, `{"id": "urn:t:site:mb"}`, `{"id": "`+khi+`"}`)
	MustCapture(t, svc, ctDoc(onward))
	MustCapture(t, svc, ctDoc(ccShip("ps-ship3", "urn:t:bol:BOL-S3", 7, nil, "Ps:5000"), ctRecvAt("ps-recv3", "urn:t:bol:BOL-S3", khi, 8, nil, "Ps:5000")))
	unpack := strings.NewReplacer(`"urn:t:site:mb"`, `"`+khi+`"`, `"packing"`, `"unpacking"`).Replace(ctPack("ps-unpack", "DELETE", cbC1, 9, "Ps:5000"))
	ccRefused(t, s, "Ps 5 t unpacked from C1 after the line shipment drew it out", ctDoc(unpack), "urn:t:lot:Ps")
	MustCapture(t, svc, ctDoc(peRunAt("ps-R2", khi, 9, []string{cbC1}, nil, "Os2", 500)))
	piOrigin(t, s, "after R2", "Os2", 1)
	l := mustLot(t, s, "urn:t:lot:Ps")
	if wet, _ := ledger.PartsStanding(l); !ctNear(wet, 5) || !ctNear(lsInTransit(l), 5) {
		t.Errorf("Ps after R2: %v t standing in parts, %v t in transit (parts %+v); want 5 at khi, 5 to the port", wet, lsInTransit(l), l.Parts)
	}
	cfLotState(t, s, "after R2", "Ps", l.Status, l.RemainingWetTonnes(), "Os2", false)
	cfLotState(t, s, "after R2", "Ks", critmin.LotConsumed, 0, "Os2", true)
	piBalanced(t, s, "Ps", "Ks")
	qeVerified(t, s, "at the end")
}

// testLineDrawThenContainerShipped (n9a, the class by a dispatch of the
// container): as testLineDrawThenLooseArrives up to Pm's loose 5 t
// arriving at khi on Oct 8; then [C1] is shipped on from khi to the
// port on Oct 9 under BOL-PM3. C1 holds Km's 5 t only (Pm's 5 t in it
// were drawn by R1): Km 5 t in transit, Pm's loose 5 t still standing at
// khi and nothing of Pm in transit (the dispatch moved the loose 5 t as
// if in C1 before). Verify agrees.
func testLineDrawThenContainerShipped(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("Pm", "PAK", 10000, "Nd:10"), cfLot("Km", "CHN", 5000, "Nd:10"), ctPack("pm-pack", "ADD", cbC1, 2, "Pm:5000", "Km:5000")))
	MustCapture(t, svc, ctDoc(ccShip("pm-ship", "urn:t:bol:BOL-PM1", 3, []string{cbC1}), ctRecvAt("pm-recv", "urn:t:bol:BOL-PM1", khi, 5, []string{cbC1})))
	MustCapture(t, svc, ctDoc(peRunAt("pm-R1", khi, 6, nil, []string{"Pm:5000"}, "Om1", 500)))
	MustCapture(t, svc, ctDoc(ccShip("pm-ship2", "urn:t:bol:BOL-PM2", 7, nil, "Pm:5000"), ctRecvAt("pm-recv2", "urn:t:bol:BOL-PM2", khi, 8, nil, "Pm:5000")))
	onward := strings.ReplaceAll(ccShip("pm-onward", "urn:t:bol:BOL-PM3", 9, []string{cbC1}), `"urn:t:site:khi"`, `"urn:t:site:port"`)
	MustCapture(t, svc, ctDoc(strings.ReplaceAll(onward, `{"id": "urn:t:site:mb"}`, `{"id": "`+khi+`"}`)))
	pm := mustLot(t, s, "urn:t:lot:Pm")
	if wet, _ := ledger.PartsStanding(pm); !ctNear(wet, 5) || !ctNear(lsInTransit(pm), 0) {
		t.Errorf("Pm after [C1] shipped on: %v t standing, %v t in transit (parts %+v); want 5 at khi, 0", wet, lsInTransit(pm), pm.Parts)
	}
	if km := mustLot(t, s, "urn:t:lot:Km"); !ctNear(lsInTransit(km), 5) {
		t.Errorf("Km after [C1] shipped on: %v t in transit (%s, parts %+v); want 5", lsInTransit(km), km.Status, km.Parts)
	}
	piBalanced(t, s, "Pm", "Km")
	qeVerified(t, s, "at the end")
}
