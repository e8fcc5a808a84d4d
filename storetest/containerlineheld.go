package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// A dispatch (shipping, departing, loading) or a run's input that names
// containers and a quantity line of a lot they hold moves, by its line,
// at least what the named containers hold of the lot and at most that
// plus what of the lot stands loose (packed in no container) at the
// site, within the weighing tolerance (custody.ConsumptionTolerance,
// 0.5 %); else it is refused 409 and nothing is stored (outside checker
// nuq9). EPCIS 2.0 §7.3.5: a container's contents change only through
// an AggregationEvent (or a run consuming them), so what is inside a
// container that leaves cannot stay behind, and a line cannot carry off
// what other containers hold.

// clhRefused is ccRefused that also wants the refusal a 409 conflict.
func clhRefused(t *testing.T, s critmin.Store, what, body string, words ...string) {
	t.Helper()
	ccRefused(t, s, what, body, words...)
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(body)})
	if err != nil && critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("%s: refused %s, want %s (409): %v", what, critmin.ErrorCode(err), critmin.ECONFLICT, err)
	}
}

// clhRun is a run at mb on Oct 5 fed containers boxes whole
// (inputEPCList) beside input lines "lot:kg", making 100 kg of NdPr
// oxide out.
func clhRun(id, out string, boxes []string, lots ...string) string {
	var qs []string
	for _, l := range lots {
		lot, kg, _ := strings.Cut(l, ":")
		qs = append(qs, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+kg+`, "uom": "KGM"}`)
	}
	nd60 := `{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}`
	ev := ctRun(id, boxes[0], out, 100, nd60, "")
	ev = strings.Replace(ev, `"inputEPCList": ["`+boxes[0]+`"]`, `"inputEPCList": ["`+strings.Join(boxes, `", "`)+`"], "inputQuantityList": [`+strings.Join(qs, ", ")+`]`, 1)
	return ev
}

// clhLot is lot id, 10,000 kg at mb, packed 6,000 kg into C1 and 4,000 kg
// into C2 on Oct 2: nothing of it stands loose.
func clhLot(t *testing.T, svc *ledger.Service, id string) {
	t.Helper()
	MustCapture(t, svc, ctDoc(csLot(id), ctPack(strings.ToLower(id)+"-p1", "ADD", cbC1, 2, id+":6000"), ctPack(strings.ToLower(id)+"-p2", "ADD", cbC2, 2, id+":4000")))
}

// clhAtMb wants lot id in stock at mb with want t, nothing in transit.
func clhAtMb(t *testing.T, s critmin.Store, when, id string, want float64) {
	t.Helper()
	l := mustLot(t, s, "urn:t:lot:"+id)
	if l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), want) || !ctNear(lsInTransit(l), 0) {
		t.Errorf("%s: %s %s at %s, %v t, %v t in transit; want in_stock at mb, %v t, none in transit", when, id, l.Status, l.Location, l.RemainingWetTonnes(), lsInTransit(l), want)
	}
}

// testContainerLineAbove: a line above what the named containers hold
// plus the loose rest. Lot QA, 10 t: C1 6 t, C2 4 t, 0 t loose. For each
// dispatch step, [C1] beside "QA 10,000 kg" is refused: C1 holds 6 t and
// 0 t stand loose, 6 + 0 = 6 t < 10 t (6 × 1.005 = 6.03 t at most; before,
// 10 t left and C2's 4 t were fed to a run at mb too: 14 t of a 10 t
// lot). QA stays 10 t at mb. Then [C1] beside "QA 6,000 kg" is taken: 6 t
// in transit, 10 − 6 = 4 t (C2's) at mb.
//
// With loose stock: lot QB, 10 t, 6 t into C1 and 4 t loose; [C1] beside
// "QB 10,000 kg" is taken (6 + 4 = 10 t ≤ 10 × 1.005 = 10.05 t): all 10
// t in transit, the 4 t travelling loose.
//
// A run: lot QC as QA; a run fed C1 whole beside "QC 10,000 kg" is
// refused (6 + 0 < 10 t), nothing consumed.
func testContainerLineAbove(t *testing.T, open Opener) {
	for _, step := range []string{"shipping", "departing", "loading"} {
		t.Run(step, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			clhLot(t, svc, "QA")
			clhRefused(t, s, "[C1] (6 t of QA) beside a 10 t line of QA, 0 t loose", ctDoc(ctStep("qa-ship", step, "urn:t:bol:BOL-QA", 3, []string{cbC1}, "QA:10000")),
				"urn:t:lot:QA", epcis.Canonical(cbC1), "6 t", "loose", epcis.Canonical(cbC2))
			clhAtMb(t, s, "QA after the refused 10 t line beside [C1]", "QA", 10)
			if step != "shipping" {
				return
			}
			MustCapture(t, svc, ctDoc(ctStep("qa-ship6", step, "urn:t:bol:BOL-QA", 3, []string{cbC1}, "QA:6000")))
			l := mustLot(t, s, "urn:t:lot:QA")
			if at, moving := lsPartAt(l, critmin.PartInTransit, "")+map[bool]float64{true: l.RemainingWetTonnes()}[l.Status == critmin.LotInTransit], l.RemainingWetTonnes(); !ctNear(at, 6) || !ctNear(moving, 4) {
				t.Errorf("QA after [C1] beside 6 t: %v t in transit, %v t at mb (parts %+v); want 6 and 10 − 6 = 4", at, moving, l.Parts)
			}
		})
	}
	t.Run("loose rest", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QB"), ctPack("qb-p1", "ADD", cbC1, 2, "QB:6000")))
		MustCapture(t, svc, ctDoc(ccShip("qb-ship", "urn:t:bol:BOL-QB", 3, []string{cbC1}, "QB:10000")))
		if l := mustLot(t, s, "urn:t:lot:QB"); !ctNear(lsInTransit(l), 10) {
			t.Errorf("QB after [C1] (6 t) beside 10 t, 4 t loose: %v t in transit (%s, parts %+v); want 6 + 4 = 10", lsInTransit(l), l.Status, l.Parts)
		}
	})
	t.Run("run", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		clhLot(t, svc, "QC")
		clhRefused(t, s, "a run fed C1 (6 t of QC) whole beside a 10 t line of QC", ctDoc(clhRun("qc-run", "QCX", []string{cbC1}, "QC:10000")),
			"urn:t:lot:QC", epcis.Canonical(cbC1), "6 t", "loose")
		clhAtMb(t, s, "QC after the refused run", "QC", 10)
	})
}

// testContainerLineBelow: a line below what the named containers hold.
// Lot QD, 10 t: C1 6 t, C2 4 t. For each dispatch step, [C1, C2] beside
// "QD 1,000 kg" is refused: C1 and C2 hold 6 + 4 = 10 t of QD, and 10 t
// > 1 × 1.005 = 1.005 t (before, 1 t left and 9 t stayed at mb inside
// containers that had gone; a run at mb then consumed them). QD stays
// 10 t at mb. [C1, C2] beside "QD 9,960 kg" is taken (9.96 × 1.005 =
// 10.0098 t ≥ 10 t, a weighing's difference): the line's 9.96 t in transit.
//
// A run fed C1 (6 t of QE) whole beside "QE 1,000 kg" is refused (6 t >
// 1.005 t: before, 1 t was consumed, C1 read as emptied and 5 t came back
// loose at mb); beside "QE 6,000 kg" it is taken: 6 t consumed, 10 − 6 =
// 4 t (C2's) left at mb.
func testContainerLineBelow(t *testing.T, open Opener) {
	for _, step := range []string{"shipping", "departing", "loading"} {
		t.Run(step, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			clhLot(t, svc, "QD")
			clhRefused(t, s, "[C1, C2] (10 t of QD) beside a 1 t line of QD", ctDoc(ctStep("qd-ship", step, "urn:t:bol:BOL-QD", 3, []string{cbC1, cbC2}, "QD:1000")),
				"urn:t:lot:QD", epcis.Canonical(cbC1), epcis.Canonical(cbC2), "10 t", "AggregationEvent DELETE", "qd-p1")
			clhAtMb(t, s, "QD after the refused 1 t line beside [C1, C2]", "QD", 10)
			if step != "shipping" {
				return
			}
			MustCapture(t, svc, ctDoc(ctStep("qd-ship2", step, "urn:t:bol:BOL-QD", 3, []string{cbC1, cbC2}, "QD:9960")))
			if l := mustLot(t, s, "urn:t:lot:QD"); !ctNear(lsInTransit(l), 9.96) {
				t.Errorf("QD after [C1, C2] beside 9.96 t: %v t in transit (%s, parts %+v); want the line's 9.96 t", lsInTransit(l), l.Status, l.Parts)
			}
		})
	}
	t.Run("run", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		clhLot(t, svc, "QE")
		clhRefused(t, s, "a run fed C1 (6 t of QE) whole beside a 1 t line of QE", ctDoc(clhRun("qe-run", "QEX", []string{cbC1}, "QE:1000")),
			"urn:t:lot:QE", epcis.Canonical(cbC1), "6 t", "AggregationEvent DELETE")
		clhAtMb(t, s, "QE after the refused run", "QE", 10)
		MustCapture(t, svc, ctDoc(clhRun("qe-run6", "QEX", []string{cbC1}, "QE:6000")))
		clhAtMb(t, s, "QE after a run fed C1 whole beside 6 t", "QE", 4)
	})
}
