package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// A loading at the site is a trip's first step (builder fixQw, after
// fixQq). CBV 2.0 §7.2 defines loading as loading objects into a
// transportation unit and departing as leaving a location on the way
// to another; the ledger reads either, at its bizLocation, with or
// without a disposition (in_transit, in_progress or none), as the lot
// leaving on a trip: it is the dispatch the bill of lading is issued
// on (the loading weight is the shipped weight, ledger/parts.go). The
// capture checks read a loading stating a bizLocation as leaving the
// lot and its containers at the site: a run there then consumed the
// lot the books showed in transit (WRONG PASS), and a receipt under the
// bill of a trip a departing or loading started, with no shipping
// event under it, was refused "no shipping event under it", so such a
// trip could never end (WRONG REFUSAL).

// ltMove is step (loading, departing) of disposition disp ("" none)
// at mb (its bizLocation and readPoint) bound for khi under bill bol.
func ltMove(id, step, disp, bol string, day int, boxes []string, lots ...string) string {
	d := ""
	if disp != "" {
		d = `, "disposition": "` + disp + `"`
	}
	return strings.Replace(ccShip(id, bol, day, boxes, lots...), `"bizStep": "shipping", "disposition": "in_transit"`, `"bizStep": "`+step+`"`+d, 1)
}

// testLoadingTrip: for loading and departing, each with disposition
// in_transit, in_progress and none, each in a store of its own: lots
// LW, LC and LP of 10,000 kg at mb (Oct 1), LC packed whole into LC-B
// (Oct 2). On Oct 3 at mb, bound for khi, each under a bill of its own:
// "LW 10,000 kg", [LC-B], "LP 6,000 kg" and "LA 10,000 kg". At khi / at mb / in transit
// / in all:
//   - LW: 0 / 10 − 10 = 0 / 10 / 10; LC: 0 / 0 / 10 / 10;
//   - LP: 0 / 10 − 6 = 4 / 6 / 10.
//
// On Oct 4 a run at mb taking "LW 10,000 kg" is refused (LW is in
// transit: the books hold 0 t of it at mb), as is one fed [LC-B] (at
// sea); nothing stored (before, for a loading, both were taken: the
// run consumed 10 t the books showed at sea). A run at mb taking "LP
// 4,000 kg" of the 4 t left there is taken: LP 0 / 4 − 4 = 0 / 6 / 10.
//
// On Oct 5 at khi a receipt of "LW 10,000 kg" under a bill no trip of
// LW carries (LP's) is refused naming LW and the bill, nothing stored.
// Under their own bills — no shipping event under any — the receipts
// end the trips (before: refused "no shipping event under it"):
//   - "LW 10,000 kg": 10 / 0 / 0 / 10; [LC-B]: 10 / 0 / 0 / 10;
//   - "LP 6,000 kg": 6 / 0 / 6 − 6 = 0 / 10 (4 t consumed at mb);
//   - LA, 10,000 kg sent as LW was: its arriving at khi under its bill
//     (Oct 5) 10 / 0 / 0 / 10, then its receiving there (Oct 6) the
//     same, 10 t in all.
//
// Verify with its rebuild is clean after each step.
func testLoadingTrip(t *testing.T, open Opener) {
	const box = "urn:t:box:LC-B"
	const lw, lc, lp, la = "urn:t:lot:LW", "urn:t:lot:LC", "urn:t:lot:LP", "urn:t:lot:LA"
	const khi = "urn:t:site:khi"
	for _, step := range []string{"loading", "departing"} {
		for _, disp := range []string{"in_transit", "in_progress", ""} {
			name := step + "/" + disp
			if disp == "" {
				name = step + "/no disposition"
			}
			t.Run(name, func(t *testing.T) {
				s := open(t)
				svc := custody.NewService(s)
				MustCapture(t, svc, ctDoc(csLot("LW"), csLot("LC"), csLot("LP"), csLot("LA"), ctPack("lc-pack", "ADD", box, 2, "LC:10000")))
				MustCapture(t, svc, ctDoc(ltMove("lw-go", step, disp, "urn:t:bol:LW", 3, nil, "LW:10000"), ltMove("lc-go", step, disp, "urn:t:bol:LC", 3, []string{box}),
					ltMove("lp-go", step, disp, "urn:t:bol:LP", 3, nil, "LP:6000"), ltMove("la-go", step, disp, "urn:t:bol:LA", 3, nil, "LA:10000")))
				teWant(t, s, "its "+step, lw, 0, 0, 10, 10)
				teWant(t, s, "its "+step, lc, 0, 0, 10, 10)
				teWant(t, s, "its "+step, lp, 0, 4, 6, 10)
				qeVerified(t, s, "after the "+step)

				ccRefused(t, s, "a run at mb taking LW after its "+step, ctDoc(cfRun("R-LW", 4, nil, []string{"LW:10000"}, "OLW", 1000)), lw, "transit")
				ccRefused(t, s, "a run at mb fed [LC-B] after its "+step, ctDoc(cfRun("R-LC", 4, []string{box}, nil, "OLC", 1000)), lc)
				teWant(t, s, "the refused runs", lw, 0, 0, 10, 10)
				teWant(t, s, "the refused runs", lc, 0, 0, 10, 10)
				MustCapture(t, svc, ctDoc(cfRun("R-LP", 4, nil, []string{"LP:4000"}, "OLP", 400)))
				teWant(t, s, "the run taking LP's 4 t left", lp, 0, 0, 6, 10)
				qeVerified(t, s, "after the runs")

				recv := func(id, bol string, boxes []string, lines ...string) string {
					return ctDoc(ctRecvAt(id, bol, khi, 5, boxes, lines...))
				}
				ccRefused(t, s, "LW received under LP's bill", recv("lw-recv-lp", "urn:t:bol:LP", nil, "LW:10000"), lw, "urn:t:bol:LP")
				MustCapture(t, svc, recv("lw-recv", "urn:t:bol:LW", nil, "LW:10000"))
				teWant(t, s, "LW's receipt", lw, 10, 0, 0, 10)
				MustCapture(t, svc, recv("lc-recv", "urn:t:bol:LC", []string{box}))
				teWant(t, s, "[LC-B]'s receipt", lc, 10, 0, 0, 10)
				MustCapture(t, svc, recv("lp-recv", "urn:t:bol:LP", nil, "LP:6000"))
				teWant(t, s, "LP's receipt", lp, 6, 0, 0, 10)
				arrive := strings.Replace(recv("la-arr", "urn:t:bol:LA", nil, "LA:10000"), `"bizStep": "receiving"`, `"bizStep": "arriving"`, 1)
				MustCapture(t, svc, arrive)
				teWant(t, s, "LA's arriving", la, 10, 0, 0, 10)
				MustCapture(t, svc, ctDoc(ctRecvAt("la-recv", "urn:t:bol:LA", khi, 6, nil, "LA:10000")))
				teWant(t, s, "LA's receipt after its arriving", la, 10, 0, 0, 10)
				qeVerified(t, s, "after the receipts")
			})
		}
	}
}
