package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A container is used only where it stands (issue 8, new-user check n8b
// items 3, 4 and 5, and wrong refusal 1): where its last packing,
// shipment or receipt put it — the site it was packed at, at sea on a
// trip, or the site that received it. Every event naming a container
// that holds something — a packing or unpacking of it, its shipping,
// loading, departing or transporting, its receipt, a run fed it whole,
// its sampling — happens there, else it is refused 409 naming the
// container and where it stands, at the event's place member, and
// nothing is stored. And a container moves what it holds once the lot's
// own line draws are counted: the figure the unpacking check and a run
// fed it whole read.

// cpPackAt is ctPack at site (a "urn:t:site:…" identifier).
func cpPackAt(id, action, sscc, site string, day int, lines ...string) string {
	return strings.Replace(ctPack(id, action, sscc, day, lines...), `"bizLocation": {"id": "urn:t:site:mb"}`, `"bizLocation": {"id": "`+site+`"}`, 1)
}

// cpRunAt is cfRun at site, making 1,000 kg of NdPr oxide OP-<id>.
func cpRunAt(id, site string, day int, ssccs []string) string {
	return strings.Replace(cfRun(id, day, ssccs, nil, "OP-"+id, 1000), `"bizLocation": {"id": "urn:t:site:mb"}`, `"bizLocation": {"id": "`+site+`"}`, 1)
}

// cpSample is a sampling ObjectEvent of the containers ssccs at site on
// day.
func cpSample(id, site string, day int, ssccs []string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + twoDigits(day) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
	  "epcList": ["` + strings.Join(ssccs, `", "`) + `"], "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}}`
}

// cpDrawnSetup records lot OI, 10,000 kg at mb: 6,000 kg packed into C1
// on Oct 2, the line "OI 8,000 kg" shipped from mb to khi under B1 on
// Oct 3 and received there under B1 on Oct 5. The line takes OI's loose
// 10 − 6 = 4 t first and then 8 − 4 = 4 t out of C1: C1 holds
// 6 − 4 = 2 t, at mb; 8 t of OI stand at khi.
func cpDrawnSetup(t *testing.T, s critmin.Store) {
	t.Helper()
	const mb, khi, b1 = "urn:t:site:mb", "urn:t:site:khi", "urn:t:bol:B1"
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("OI"), ctPack("oi-pack", "ADD", cbC1, 2, "OI:6000")))
	MustCapture(t, svc, ctDoc(saLeave("oi-line", "shipping", b1, mb, "all", khi, 3, nil, "OI:8000")))
	MustCapture(t, svc, ctDoc(ctRecvAt("oi-recv", b1, khi, 5, nil, "OI:8000")))
	tsWant(t, s, "C1 packed, 8 t shipped by a line and received", "urn:t:lot:OI", 2, 0, 8)
}

// testContainerWhereItStands: the cases of the n8b findings, each with
// its legitimate twin.
func testContainerWhereItStands(t *testing.T, open Opener) {
	const mb, khi, hou = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou"
	const lot, at = "urn:t:lot:OI", "/epcisBody/eventList/0/"
	t.Run("shipped from where it does not stand", func(t *testing.T) {
		// n8b item 3: C1 stands at mb holding 2 t; shipping [C1] from
		// khi was taken and moved 6 t of khi's stock into transit.
		s := open(t)
		cpDrawnSetup(t, s)
		for i, r := range []struct{ what, ev string }{
			{"[C1] shipped from khi under B2", saLeave("oi-on", "shipping", "urn:t:bol:B2", khi, "all", hou, 7, []string{cbC1})},
			{"[C1] departing from khi under B2", saLeave("oi-on", "departing", "urn:t:bol:B2", khi, "all", hou, 7, []string{cbC1})},
			{"[C1] loading at khi under B2", saLeave("oi-on", "loading", "urn:t:bol:B2", khi, "all", hou, 7, []string{cbC1})},
		} {
			ev := strings.Replace(r.ev, `"urn:t:ev:oi-on"`, `"urn:t:ev:oi-on-`+twoDigits(i)+`"`, 1)
			ctRefusedWith(t, s, r.what+" while C1 stands at mb", ctDoc(ev), critmin.ECONFLICT, at+"bizLocation", cbC1, "stands at "+mb, khi)
		}
		// Unchanged: 2 t at mb (in C1), 8 t at khi.
		tsWant(t, s, "the refusals", lot, 2, 0, 8)
		// n8b wrong refusal 1, the legitimate twin: [C1] shipped from mb,
		// where it stands, moves what it holds after the line's draw:
		// 6 − 4 = 2 t. 0 t stay at mb, 2 t in transit, 8 t at khi.
		MustCapture(t, custody.NewService(s), ctDoc(saLeave("oi-s3", "shipping", "urn:t:bol:B3", mb, "all", hou, 7, []string{cbC1})))
		tsWant(t, s, "[C1] shipped from mb under B3", lot, 0, 2, 8)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("received where it was shipped to", func(t *testing.T) {
		// The twin's trip ends where it goes: [C1] received at hou under
		// B3 receives the 2 t it carried — 0 at mb, 0 in transit, 8 at
		// khi, 2 at hou (10 in all: no gain).
		s := open(t)
		cpDrawnSetup(t, s)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(saLeave("oi-s3", "shipping", "urn:t:bol:B3", mb, "all", hou, 7, []string{cbC1})))
		MustCapture(t, svc, ctDoc(ctRecvAt("oi-r3", "urn:t:bol:B3", hou, 9, []string{cbC1})))
		l := mustLot(t, s, lot)
		if got := lsPartAt(l, critmin.PartReceived, hou); !ctNear(got, 2) || !ctNear(lsInTransit(l), 0) {
			t.Errorf("after [C1] received at hou: %v t received at hou, %v t in transit (parts %+v); want C1's 2 t at hou, 0 in transit", got, lsInTransit(l), l.Parts)
		}
		// C1 held 2 t after its trip (not the 6 − 0 t its packings
		// say): 2 t unpacked at hou empty it, and [C1] shipped on from
		// hou moves nothing — 2 t stay at hou, 0 in transit (n8b s7:
		// an emptied C1 shipped beside C3 moved 1 t more).
		MustCapture(t, svc, ctDoc(cpPackAt("oi-u3", "DELETE", cbC1, hou, 10, "OI:2000")))
		MustCapture(t, svc, ctDoc(saLeave("oi-s5", "shipping", "urn:t:bol:B5", hou, "all", khi, 11, []string{cbC1})))
		l = mustLot(t, s, lot)
		if got := lsPartAt(l, critmin.PartReceived, hou); !ctNear(got, 2) || !ctNear(lsInTransit(l), 0) {
			t.Errorf("after C1 emptied at hou and shipped on: %v t at hou, %v t in transit (parts %+v); want 2 t at hou, 0 in transit", got, lsInTransit(l), l.Parts)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("packed or unpacked where it does not stand", func(t *testing.T) {
		// n8b item 4: unpacking 2 t from C1 at khi was taken while C1
		// stood at mb.
		s := open(t)
		cpDrawnSetup(t, s)
		ctRefusedWith(t, s, "2,000 kg unpacked from C1 at khi while C1 stands at mb", ctDoc(cpPackAt("oi-un", "DELETE", cbC1, khi, 6, "OI:2000")),
			critmin.ECONFLICT, at+"bizLocation", cbC1, "stands at "+mb, khi)
		ctRefusedWith(t, s, "1,000 kg of OI packed into C1 at khi while C1 stands at mb", ctDoc(cpPackAt("oi-pk", "ADD", cbC1, khi, 6, "OI:1000")),
			critmin.ECONFLICT, at+"bizLocation", cbC1, "stands at "+mb, khi)
		tsWant(t, s, "the refusals", lot, 2, 0, 8)
		// The twin: the 2 t unpacked at mb, where C1 stands; OI still
		// 2 t at mb (loose now), 8 t at khi.
		MustCapture(t, custody.NewService(s), ctDoc(cpPackAt("oi-un", "DELETE", cbC1, mb, 6, "OI:2000")))
		tsWant(t, s, "C1 unpacked at mb", lot, 2, 0, 8)
		// C1, emptied at mb, stands there still: shipping it from khi
		// is refused too (before, the [C3, C1] shipment of the finding
		// moved 4 t of khi's stock in it).
		ctRefusedWith(t, s, "[C1] shipped from khi after it was emptied at mb", ctDoc(saLeave("oi-s4", "shipping", "urn:t:bol:B4", khi, "all", hou, 7, []string{cbC1})),
			critmin.ECONFLICT, at+"bizLocation", cbC1, "stands at "+mb, khi)
		tsWant(t, s, "C1 shipped from khi refused", lot, 2, 0, 8)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("fed or sampled while at sea", func(t *testing.T) {
		// n8b item 5: OI 6 t in C1 and 4 t in C2, [C1, C2] shipped to
		// khi under B1, only [C1] received: a run at khi fed [C2] was
		// taken and took 4 t of C1's received 6 t.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("OI"), ctPack("oi-p1", "ADD", cbC1, 2, "OI:6000"), ctPack("oi-p2", "ADD", cbC2, 2, "OI:4000")))
		MustCapture(t, svc, ctDoc(saLeave("oi-s1", "shipping", "urn:t:bol:B1", mb, "all", khi, 3, []string{cbC1, cbC2})))
		MustCapture(t, svc, ctDoc(ctRecvAt("oi-r1", "urn:t:bol:B1", khi, 5, []string{cbC1})))
		// C1's 6 t at khi, C2's 10 − 6 = 4 t at sea.
		tsWant(t, s, "[C1] received at khi", lot, 0, 4, 6)
		for _, r := range []struct{ what, ev string }{
			{"a run at khi fed [C2]", cpRunAt("oi-run2", khi, 6, []string{cbC2})},
			{"a run at khi fed [C1, C2]", cpRunAt("oi-run12", khi, 6, []string{cbC1, cbC2})},
			{"[C2] sampled at khi", cpSample("oi-smp2", khi, 6, []string{cbC2})},
		} {
			ctRefusedWith(t, s, r.what+" while C2 is at sea", ctDoc(r.ev), critmin.ECONFLICT, at+"bizLocation", cbC2, "at sea", "urn:t:ev:oi-s1", khi)
		}
		tsWant(t, s, "the refusals", lot, 0, 4, 6)
		// The twins: [C1] sampled at khi, then fed whole to a run there:
		// it takes C1's 6 t; C2's 4 t stay at sea.
		MustCapture(t, svc, ctDoc(cpSample("oi-smp1", khi, 6, []string{cbC1})))
		MustCapture(t, svc, ctDoc(cpRunAt("oi-run1", khi, 6, []string{cbC1})))
		l := mustLot(t, s, lot)
		if atKhi, _ := custody.StandingMass(l, khi); !ctNear(atKhi, 0) || !ctNear(lsInTransit(l), 4) {
			t.Errorf("after run fed [C1] at khi: %v t at khi, %v t in transit (parts %+v); want 6 − 6 = 0 at khi, C2's 4 t in transit", atKhi, lsInTransit(l), l.Parts)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
}
