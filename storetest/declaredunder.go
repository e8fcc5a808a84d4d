package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A declaration in error that changes what a container held or where it
// stood, under a later recorded event of the container (new-user check
// nuq8 b5, builder fixQs; EPCIS 2.0 §7.4.1.2): the later event must still
// stand on the record the declaration leaves, or the declaration is
// refused naming it.

// refusedNaming captures decl (events) and wants it refused 409 naming
// every one of named (eventIDs, spaced) in the message, nothing stored
// (the events counted before and after). It returns the refusal (nil when
// the capture was not refused 409) for the caller's further checks.
func refusedNaming(t *testing.T, s critmin.Store, svc *ledger.Service, what string, decl []string, named ...string) error {
	t.Helper()
	n := ccEvents(t, s)
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(decl...))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("%s: %v; want refused 409 naming %v", what, err, named)
		err = nil
	} else {
		msg := critmin.ErrorMessage(err)
		for _, id := range named {
			if !strings.Contains(msg, " "+id+" ") {
				t.Errorf("%s: the refusal does not name %s:\n%s", what, id, msg)
			}
		}
	}
	if ccEvents(t, s) != n {
		t.Errorf("%s: the refused declaration stored something", what)
	}
	return err
}

// qsPackAt is a packing of lines into container sscc at site on day.
func qsPackAt(id, action, sscc, site string, day int, lines ...string) string {
	return strings.ReplaceAll(ctPack(id, action, sscc, day, lines...), `{"id": "urn:t:site:mb"}`, `{"id": "`+site+`"}`)
}

// testDeclaredTripUnderPacking (nuq8 b5): qkTrip — lot QS 10 t packed
// whole into C1 at Karachi on Oct 2, [C1] shipped Karachi → Houston under
// QK-B on Oct 3 and arrived at Houston on Oct 5 (QS 10 t at Houston, in
// C1). Lot QM, 10 t commissioned at Houston on Oct 1, is then put into C1
// at Houston on Oct 6 (C1 holds 10 + 10 = 20 t). A later event of C1
// other than the packing:
//   - "packing": the packing of QM into C1 at Houston on Oct 6;
//   - "unpacking": QS unpacked whole from C1 at Houston on Oct 6 (C1
//     then holds 0 t), then QM packed into C1 at Houston on Oct 7;
//   - "onward": [C1] (QS 10 t) shipped on Houston → Rotterdam on Oct 6
//     under QS-B2 and arrived at Rotterdam on Oct 8, and QM (10 t,
//     commissioned at Rotterdam) packed into C1 there on Oct 9.
//
// Declaring alone the arriving of Oct 5, or the shipping of Oct 3,
// leaves C1 at sea (arriving gone) or at Karachi (both gone) when QM was
// put into it at Houston (or Rotterdam): the packing of QM stands on
// nothing, and the declaration is refused 409 naming it (qs-mpack),
// nothing stored; QM stays 10 t in stock where it was packed. Declaring
// the shipping and the arriving together with the packing of QM (and
// whatever stood on them) is taken: QS and QM back where they were
// made, QS at Karachi, QM 10 t in stock where it was commissioned.
//
// Declaring the packing of QS alone (C1 travelled empty, as
// ContainerPackingDeclaredMoved takes it, and stands at Houston when QM
// is packed into it) is taken in the "packing" case: QS 10 t in stock at
// Karachi, QM 10 t in stock at Houston, in C1; verify clean.
func testDeclaredTripUnderPacking(t *testing.T, open Opener) {
	const rtm, bol2 = "urn:t:site:rtm", "urn:t:bol:QS-B2"
	type form struct {
		name, mSite string
		later       func(t *testing.T, svc *ledger.Service) []string // the later events, captured; returned for declaring
	}
	mLot := func(site string) string {
		return strings.Replace(csLot("QM"), `{"id": "urn:t:site:mb"}`, `{"id": "`+site+`"}`, 1)
	}
	forms := []form{
		{"packing", qkHou, func(t *testing.T, svc *ledger.Service) []string {
			p := qsPackAt("qs-mpack", "ADD", cbC1, qkHou, 6, "QM:10000")
			MustCapture(t, svc, ctDoc(mLot(qkHou)))
			MustCapture(t, svc, ctDoc(p))
			return []string{p}
		}},
		{"unpacking", qkHou, func(t *testing.T, svc *ledger.Service) []string {
			u := strings.Replace(qsPackAt("qs-unpack", "DELETE", cbC1, qkHou, 6, "QS:10000"), `"packing"`, `"unpacking"`, 1)
			p := qsPackAt("qs-mpack", "ADD", cbC1, qkHou, 7, "QM:10000")
			MustCapture(t, svc, ctDoc(mLot(qkHou)))
			MustCapture(t, svc, ctDoc(u))
			MustCapture(t, svc, ctDoc(p))
			return []string{u, p}
		}},
		{"onward", rtm, func(t *testing.T, svc *ledger.Service) []string {
			sh := saLeave("qs-ship2", "shipping", bol2, qkHou, "all", rtm, 6, []string{cbC1})
			ar := aqStep(ctRecvAt("qs-arr2", bol2, rtm, 8, []string{cbC1}), "arriving")
			p := qsPackAt("qs-mpack", "ADD", cbC1, rtm, 9, "QM:10000")
			MustCapture(t, svc, ctDoc(mLot(rtm)))
			MustCapture(t, svc, ctDoc(sh))
			MustCapture(t, svc, ctDoc(ar))
			MustCapture(t, svc, ctDoc(p))
			return []string{sh, ar, p}
		}},
	}
	const qm = "urn:t:lot:QM"
	for _, f := range forms {
		for _, which := range []string{"arriving", "shipping"} {
			t.Run(f.name+" "+which+" declared", func(t *testing.T) {
				s := open(t)
				svc := custody.NewService(s)
				_, ship, arr := qkTrip(t, svc, "QS", true)
				later := f.later(t, svc)
				decl := []string{declaredWith(t, arr)}
				if which == "shipping" {
					decl = []string{declaredWith(t, ship), declaredWith(t, arr)}
				}
				if f.name == "onward" && which == "arriving" {
					// The onward trip from Houston stays, flagged as
					// shipping from a receipt declared in error
					// (ContainerReceiptDeclaredOnward): C1 arrives at
					// Rotterdam by it, and QM's packing there stands.
					MustCapture(t, svc, ctDoc(decl...))
					if l := mustLot(t, s, qm); l.Location != rtm || l.Status != critmin.LotInStock || !ctNear(l.RemainingWetTonnes(), 10) {
						t.Errorf("QM: %s at %s, %v t; want 10 t in stock at %s", l.Status, l.Location, l.RemainingWetTonnes(), rtm)
					}
					qeHolds(t, s, "the arriving at Houston declared", map[string]float64{"QS": 10, "QM": 10})
					if rep := verifyFull(t, s, nil, true); !rep.OK() {
						t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
					}
					return
				}
				refusedNaming(t, s, svc, which+" declared under the packing of QM into C1 at "+f.mSite, decl, "urn:t:ev:qs-mpack")
				if l := mustLot(t, s, qm); l.Location != f.mSite || l.Status != critmin.LotInStock || !ctNear(l.RemainingWetTonnes(), 10) {
					t.Errorf("QM after the refusal: %s at %s, %v t; want 10 t in stock at %s", l.Status, l.Location, l.RemainingWetTonnes(), f.mSite)
				}
				// With every later event of C1 declared too: taken.
				for _, ev := range later {
					decl = append(decl, declaredWith(t, ev))
				}
				if which == "arriving" {
					decl = append(decl, declaredWith(t, ship))
				}
				MustCapture(t, svc, ctDoc(decl...))
				if l := mustLot(t, s, "urn:t:lot:QS"); l.Location != qkKhi || l.Status != critmin.LotInStock {
					t.Errorf("QS after its trip was declared: %s at %s; want in stock at %s", l.Status, l.Location, qkKhi)
				}
				if l := mustLot(t, s, qm); l.Location != f.mSite || l.Status != critmin.LotInStock || !ctNear(l.RemainingWetTonnes(), 10) {
					t.Errorf("QM after its packing was declared: %s at %s, %v t; want 10 t in stock at %s", l.Status, l.Location, l.RemainingWetTonnes(), f.mSite)
				}
				if rep := verifyFull(t, s, nil, true); !rep.OK() {
					t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
				}
			})
		}
	}
	t.Run("packing of QS declared", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		pack, _, _ := qkTrip(t, svc, "QS", true)
		forms[0].later(t, svc)
		MustCapture(t, svc, ctDoc(declaredWith(t, pack)))
		if l := mustLot(t, s, "urn:t:lot:QS"); l.Location != qkKhi || l.Status != critmin.LotInStock {
			t.Errorf("QS after its packing was declared: %s at %s; want in stock at %s", l.Status, l.Location, qkKhi)
		}
		if l := mustLot(t, s, qm); l.Location != qkHou || l.Status != critmin.LotInStock || !ctNear(l.RemainingWetTonnes(), 10) {
			t.Errorf("QM: %s at %s, %v t; want 10 t in stock at %s", l.Status, l.Location, l.RemainingWetTonnes(), qkHou)
		}
		qeHolds(t, s, "QS's packing declared", map[string]float64{"QM": 10})
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
}

// testDeclaredUnpackingUnderRun (fixQn leftover): lot QX (Pakistan,
// 10,000 kg, Nd 10 %) packed whole into C1 at mb on Oct 2 and unpacked
// there on Oct 3 (u t of it loose, 10 − u t left in C1); lot QK (China,
// 10,000 kg, Nd 10 %) loose at mb. Run R at mb on Oct 4 takes QX by line
// (and QK), or is fed C1 whole → product QO. Declaring the unpacking
// alone puts QX back inside C1 from Oct 3 on. Either R is computed again
// from QX as it stood on Oct 4 (fixQi: a fed run computed again from
// lots as they stood at its time) — every kg QO counts of QX consumed
// from stock once, lot balances closing — or the declaration is refused
// 409 naming the run. Verify with rebuild is clean either way. The forms:
//   - "whole, with QK": u = 10 t, R takes "QX 10,000 kg" + "QK 10,000 kg"
//     (out 1,000 kg at Nd 50 % = 0.5 t Nd ≤ 2 t in): QO 10 / (10 + 10) =
//     0.5 Pakistani by dry mass, by Nd 1 / (1 + 1) = 0.5; after: R's line
//     takes QX's 10 t out of C1: QX 0 t, QK 0 t, C1 holds 0 t.
//   - "whole, alone": u = 10 t, R takes "QX 10,000 kg": QO 1.0 / 1.0;
//     after: QX 0 t, C1 0 t.
//   - "everything": the unpacking names no lines (a DELETE of all);
//     otherwise "whole, alone".
//   - "whole, then C1 fed whole" and "everything, then C1 fed whole": R
//     is fed C1 whole on Oct 4 when C1 is empty (it takes nothing). The
//     WRONG PASS: with the unpacking declared QO read QX's 10 t inside
//     C1 (1.0 Pakistani) while QX stayed 10 t in stock. After: R takes
//     the 10 t C1 held on Oct 4: QX 0 t standing, C1 0 t, QO 1.0 / 1.0.
//   - "part": u = 4 t, R takes "QX 4,000 kg" (the loose 4 t; out 500 kg
//     = 0.25 t Nd ≤ 0.4): QO 1.0; after: C1 holds 10 t on Oct 4, R's 4 t
//     come out of it: C1 holds 10 − 4 = 6 t, QX 6 t standing.
//   - "part, then fed whole": "part", and run R2 on Oct 5 fed C1 whole
//     (6 t, QO2): refused 409 naming qx-R2 (C1 would hold 10 t on
//     Oct 5 by its packings, 4 t more than R2 consumed); nothing stored.
func testDeclaredUnpackingUnderRun(t *testing.T, open Opener) {
	for _, c := range []struct {
		name     string
		unpacked string
		lines    []string
		fedWhole bool
		out      float64
		pak      float64
		standing float64
		holds    map[string]float64
	}{
		{"whole, with QK", "10000", []string{"QX:10000", "QK:10000"}, false, 1000, 0.5, 0, map[string]float64{}},
		{"whole, alone", "10000", []string{"QX:10000"}, false, 1000, 1, 0, map[string]float64{}},
		{"everything", "", []string{"QX:10000"}, false, 1000, 1, 0, map[string]float64{}},
		{"everything, then C1 fed whole", "", nil, true, 1000, 1, 0, map[string]float64{}},
		{"whole, then C1 fed whole", "10000", nil, true, 1000, 1, 0, map[string]float64{}},
		{"part", "4000", []string{"QX:4000"}, false, 500, 1, 6, map[string]float64{"QX": 6}},
		{"part, then fed whole", "4000", []string{"QX:4000"}, true, 500, 1, 0, map[string]float64{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			var lines []string
			if c.unpacked != "" {
				lines = []string{"QX:" + c.unpacked}
			}
			unpack := strings.Replace(ctPack("qx-unpack", "DELETE", cbC1, 3, lines...), `"packing"`, `"unpacking"`, 1)
			MustCapture(t, svc, ctDoc(cfLot("QX", "PAK", 10000, "Nd:10"), cfLot("QK", "CHN", 10000, "Nd:10"), ctPack("qx-pack", "ADD", cbC1, 2, "QX:10000")))
			MustCapture(t, svc, ctDoc(unpack))
			if c.lines == nil {
				// R is C1 fed whole, after C1 was emptied: refused at
				// capture since fixQr (C1 holds nothing), nothing stored;
				// stored unchecked as a record made before that rule, so
				// that the declaration is judged on such a record too.
				run := ctDoc(cfRun("qx-R", 4, []string{cbC1}, nil, "QO", c.out))
				n := ccEvents(t, s)
				_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(run)})
				if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "holds nothing") {
					t.Errorf("R fed the emptied C1 whole: %v; want refused 409 \"holds nothing\"", err)
				}
				if ccEvents(t, s) != n {
					t.Errorf("the refused run stored something")
				}
				MustCapture(t, service(s), run)
			} else {
				MustCapture(t, svc, ctDoc(cfRun("qx-R", 4, nil, c.lines, "QO", c.out)))
			}
			if c.fedWhole && c.lines != nil {
				MustCapture(t, svc, ctDoc(cfRun("qx-R2", 5, []string{cbC1}, nil, "QO2", 500)))
			}
			if c.lines != nil {
				qeOrigin(t, s, "before the declaration", "QO", c.pak, c.pak)
			}
			n := ccEvents(t, s)
			_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(ydDeclared(unpack)))})
			// Only "part, then fed whole" (R2 fed C1 whole after R's line)
			// is refused, naming qx-R2; every other form is taken.
			if wantRefused := c.fedWhole && c.lines != nil; (err != nil) != wantRefused {
				t.Errorf("the unpacking declared under R: %v; want refused %v", err, wantRefused)
			}
			if err != nil {
				if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "urn:t:ev:qx-R") {
					t.Errorf("the unpacking declared under R: %v; want taken, or refused 409 naming urn:t:ev:qx-R", err)
				}
				if ccEvents(t, s) != n {
					t.Errorf("the refused declaration stored something")
				}
			}
			qeOrigin(t, s, "after the declaration", "QO", c.pak, c.pak)
			if c.fedWhole && c.lines != nil {
				qeOrigin(t, s, "after the declaration", "QO2", 1, 1)
			}
			if err == nil {
				pkStanding(t, s, "after the declaration", "QX", c.standing)
				qeHolds(t, s, "after the declaration", c.holds)
			}
			if len(c.lines) == 2 {
				pkStanding(t, s, "after the declaration", "QK", 0)
			}
			piBalanced(t, s, "QX", "QK")
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}
