package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A container fed whole to a run consumes what it holds (issues 8/9,
// new-user finding n9-c: a run fed an SSCC left the lots packed in it in
// stock, so a second run fed them again — directly or through the same
// container — and the same metal went into products twice).

// cfLot commissions at site mb a dry REE concentrate lot of kg kilograms
// from iso (ctLot, located where the runs are).
func cfLot(lot, iso string, kg float64, assays ...string) string {
	return strings.Replace(ctLot(lot, iso, kg, assays...), `"bizLocation": {"id": "urn:t:site:mine-`+iso+`"}`, `"bizLocation": {"id": "urn:t:site:mb"}`, 1)
}

// cfRun is run id at site mb on 2025-10-dd fed the containers ssccs whole
// (inputEPCList) and the lines "lot:kg" (inputQuantityList), making kg of
// NdPr oxide at Nd 50 %.
func cfRun(id string, day int, ssccs []string, lines []string, out string, kg float64) string {
	var in []string
	for _, l := range lines {
		lot, q, _ := strings.Cut(l, ":")
		in = append(in, fmt.Sprintf(`{"epcClass": "urn:t:lot:%s", "quantity": %s, "uom": "KGM"}`, lot, q))
	}
	inputs := ""
	if len(ssccs) > 0 {
		inputs += `"inputEPCList": ["` + strings.Join(ssccs, `", "`) + `"], `
	}
	if len(in) > 0 {
		inputs += `"inputQuantityList": [` + strings.Join(in, ", ") + `], `
	}
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "transformationID": "urn:t:run:%s", %s"outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 50, "cm:unit": "%%", "cm:basis": "dry"}]}}`, id, day, id, inputs, out, kg)
}

// cfLotState checks lot's status, remaining wet tonnes and whether child
// is among the lots made from it (its genealogy edges).
func cfLotState(t *testing.T, s critmin.Store, when, lot, status string, remaining float64, child string, isChild bool) {
	t.Helper()
	ctx := context.Background()
	l, err := s.FindLot(ctx, "urn:t:lot:"+lot)
	if err != nil {
		t.Fatalf("%s: lot %s: %v", when, lot, err)
	}
	if string(l.Status) != status || !ctNear(l.RemainingWetTonnes(), remaining) {
		t.Errorf("%s: lot %s status %s, remaining %v t; want %s, %v t", when, lot, l.Status, l.RemainingWetTonnes(), status, remaining)
	}
	if child == "" {
		return
	}
	edges, err := s.LotEdges(ctx, []string{"urn:t:lot:" + lot}, false)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range edges {
		found = found || e.Parent == "urn:t:lot:"+lot && e.Child == "urn:t:lot:"+child
	}
	if found != isChild {
		t.Errorf("%s: %s among the children of %s: %v, want %v (%+v)", when, child, lot, found, isChild, edges)
	}
}

// cfRefused captures doc and wants a 409 whose first field names every
// string of want.
func cfRefused(t *testing.T, svc *ledger.Service, what, doc string, want ...string) {
	t.Helper()
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)})
	fs := critmin.ErrorFields(err)
	if err == nil || critmin.ErrorCode(err) != critmin.ECONFLICT || len(fs) == 0 {
		t.Errorf("%s: %v (%+v); want refused 409", what, err, fs)
		return
	}
	for _, w := range want {
		if !strings.Contains(fs[0].Pointer+" "+fs[0].Reason, w) {
			t.Errorf("%s: %s: %s; want it to name %q", what, fs[0].Pointer, fs[0].Reason, w)
		}
	}
}

// testContainerFedConsumes: a run fed a container whole consumes what
// the container holds at the run, lot by lot; the lots are the run's
// parents; nothing consumed can be fed again, neither by line nor through
// the container.
//
//	C: Cp (Pakistan, 5,000 kg, Nd 4 %) and Cc (China, 5,000 kg, Nd 2 %)
//	   packed into S1 on Oct 2. Run RC (Oct 5) feeds S1 whole → Xc 500 kg
//	   at Nd 50 %. Cp and Cc are consumed: 0 t remain of each, both are
//	   parents of Xc. Xc: dry mass 5 + 5 = 10 t, China 5 / 10 = 50 %; Nd
//	   in 5 × 4 % + 5 × 2 % = 0.2 + 0.1 = 0.3 t, China 0.1 / 0.3 = 1/3;
//	   out 0.5 × 50 % = 0.25 ≤ 0.3. Then RY feeding Cp:5000 directly, and
//	   RC2 feeding S1 whole again, are refused 409: RY naming Cp and
//	   0 t, RC2 naming S1 and RC, the run that emptied it.
//	K: Kx (Pakistan, 10,000 kg) packed 6,000 kg into S2 (the rest
//	   loose). Run RK feeds S2 → Xk 200 kg (Nd 6,000 × 4 % = 0.24 t ≥
//	   0.1): Kx's 6 t consumed, 10 − 6 = 4 t remain, in stock. Kx:5000
//	   is refused (5 > 4 + 10 × 0.5 % = 4.05), naming 4 t; Kx:4000 is
//	   taken, and Kx is then consumed.
//	U: Lu (Pakistan, 2,000 kg) packed into S3 on Oct 2 and unpacked
//	   (DELETE) on Oct 3: S3 holds 2 − 2 = 0 t, and run RU fed S3 on
//	   Oct 5 is refused 409 naming S3, "holds nothing" and the unpacking
//	   p3d (fixQr, nuq8 b6; it was taken consuming nothing, its product
//	   Xu resting on no material): Lu stays 2 t in stock, no parent of
//	   Xu, which is not stored.
//	B: Lb (Pakistan, 2,000 kg) packed into S4; run RB feeds S4 whole AND
//	   Lb:2000 by line: the line states what the run took of Lb, its
//	   container's share included — 2 t, not 4 (WithContents): 0 t
//	   remain, and Lb:100 more is refused.
//	E: a packing declared in error after the run: the lot is back.
//	F: a lot not at the run's site, fed in a container: refused.
func testContainerFedConsumes(t *testing.T, open Opener) {
	s := open(t)
	cs, svc := claimService(s)
	const s1, s2, s3, s4 = "urn:epc:id:sscc:0614141.3100000001", "urn:epc:id:sscc:0614141.3100000002", "urn:epc:id:sscc:0614141.3100000003", "urn:epc:id:sscc:0614141.3100000004"
	MustCapture(t, svc, ctDoc(
		cfLot("Cp", "PAK", 5000, "Nd:4"), cfLot("Cc", "CHN", 5000, "Nd:2"), cfLot("Kx", "PAK", 10000, "Nd:4"),
		cfLot("Lu", "PAK", 2000, "Nd:4"), cfLot("Lb", "PAK", 2000, "Nd:4"),
		ctPack("p1", "ADD", s1, 2, "Cp:5000", "Cc:5000"),
		ctPack("p2", "ADD", s2, 2, "Kx:6000"),
		ctPack("p3", "ADD", s3, 2, "Lu:2000"), ctPack("p3d", "DELETE", s3, 3),
		ctPack("p4", "ADD", s4, 2, "Lb:2000")))
	MustCapture(t, svc, ctDoc(cfRun("RC", 5, []string{s1}, nil, "Xc", 500)))
	cfLotState(t, s, "after RC", "Cp", critmin.LotConsumed, 0, "Xc", true)
	cfLotState(t, s, "after RC", "Cc", critmin.LotConsumed, 0, "Xc", true)
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(context.Background(), cs, "urn:t:lot:Xc", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := ctShare(o.Mass.ByCountry, "CHN"); !ctNear(got, 0.5) {
			t.Errorf("Xc China's dry-mass share %v, want 5 / 10 = 0.5 (%+v)", got, o.Mass.ByCountry)
		}
		if got := ctShare(o.Elements["Nd"].ByCountry, "PAK"); !ctNear(got, 2.0/3) {
			t.Errorf("Xc Pakistan's Nd share %v, want 0.2 / 0.3 = 2/3 (%+v)", got, o.Elements["Nd"].ByCountry)
		}
		for _, a := range o.Anomalies {
			if a.Kind == "element_gain" || a.Kind == "input_mass_unknown" || a.Kind == "no_origin" {
				t.Errorf("Xc anomaly %s: %s", a.Kind, a.Detail)
			}
		}
	}
	cfRefused(t, svc, "Cp fed again by line", ctDoc(cfRun("RY", 6, nil, []string{"Cp:5000"}, "Yc", 250)), "urn:t:lot:Cp", "0 t")
	cfRefused(t, svc, "S1 fed again whole", ctDoc(cfRun("RC2", 6, []string{s1}, nil, "Zc", 500)), s1, "urn:t:run:RC", "nothing to feed", "inputEPCList/0")
	cfLotState(t, s, "after the refusals", "Cp", critmin.LotConsumed, 0, "Yc", false)

	MustCapture(t, svc, ctDoc(cfRun("RK", 5, []string{s2}, nil, "Xk", 200)))
	cfLotState(t, s, "after RK", "Kx", critmin.LotInStock, 4, "Xk", true)
	cfRefused(t, svc, "Kx:5000 after RK", ctDoc(cfRun("RK2", 6, nil, []string{"Kx:5000"}, "Yk", 100)), "urn:t:lot:Kx", "4 t")
	MustCapture(t, svc, ctDoc(cfRun("RK3", 6, nil, []string{"Kx:4000"}, "Zk", 100)))
	cfLotState(t, s, "after RK3", "Kx", critmin.LotConsumed, 0, "Zk", true)

	cfRefused(t, svc, "S3 emptied by p3d, fed whole", ctDoc(cfRun("RU", 5, []string{s3}, nil, "Xu", 100)), s3, "holds nothing", "urn:t:ev:p3d", "inputEPCList/0")
	cfLotState(t, s, "after RU", "Lu", critmin.LotInStock, 2, "Xu", false)
	if _, err := s.FindLot(context.Background(), "urn:t:lot:Xu"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused run RU's output Xu: %v; want not found", err)
	}

	MustCapture(t, svc, ctDoc(cfRun("RB", 5, []string{s4}, []string{"Lb:2000"}, "Xb", 100)))
	cfLotState(t, s, "after RB", "Lb", critmin.LotConsumed, 0, "Xb", true)
	if l, err := s.FindLot(context.Background(), "urn:t:lot:Lb"); err != nil || !ctNear(l.TakenTonnes, 2) {
		t.Errorf("Lb taken %v t (%v); want 2 t, once", l.TakenTonnes, err)
	}
	cfRefused(t, svc, "Lb:100 after RB", ctDoc(cfRun("RB2", 6, nil, []string{"Lb:100"}, "Yb", 10)), "urn:t:lot:Lb")

	// E: Le packed into S5, run RE fed S5 consumes Le. The packing
	// declared in error alone would leave RE consuming a container that
	// held nothing: refused 409 naming RE (fixPa, n8b item 7), Le still
	// consumed. Declared with RE: S5 held nothing, RE is gone, so Le is
	// back in stock with its 2 t and no child.
	const s5 = "urn:epc:id:sscc:0614141.3100000005"
	MustCapture(t, svc, ctDoc(cfLot("Le", "PAK", 2000, "Nd:4"), ctPack("p5", "ADD", s5, 2, "Le:2000")))
	runE := cfRun("RE", 5, []string{s5}, nil, "Xe", 50)
	MustCapture(t, svc, ctDoc(runE))
	cfLotState(t, s, "after RE", "Le", critmin.LotConsumed, 0, "Xe", true)
	cfRefused(t, svc, "p5 declared in error under RE", ctDoc(ydDeclared(ctPack("p5", "ADD", s5, 2, "Le:2000"))), "urn:t:ev:RE")
	cfLotState(t, s, "after the refused declaration of p5", "Le", critmin.LotConsumed, 0, "Xe", true)
	MustCapture(t, svc, ctDoc(ydDeclared(ctPack("p5", "ADD", s5, 2, "Le:2000")), ydDeclared(runE)))
	cfLotState(t, s, "after p5 and RE declared in error", "Le", critmin.LotInStock, 2, "Xe", false)

	// F: Lf recorded at its mine, packed there into S6; a run at mb fed
	// S6 is refused: the lot is fed only where it is, and the refusal
	// says the run is fed the container that held it.
	const s6 = "urn:epc:id:sscc:0614141.3100000006"
	MustCapture(t, svc, ctDoc(ctLot("Lf", "PAK", 2000, "Nd:4"), strings.Replace(ctPack("p6", "ADD", s6, 2, "Lf:2000"), "urn:t:site:mb", "urn:t:site:mine-PAK", 1)))
	cfRefused(t, svc, "S6 fed at mb, Lf at its mine", ctDoc(cfRun("RF", 5, []string{s6}, nil, "Xf", 50)), "urn:t:lot:Lf", "this run is fed container")

	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after container-fed runs: %v %v", rep.Problem, rep.Difference)
	}
}
