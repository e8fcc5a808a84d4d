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

// Nested containers (new-user check W2, W3; docs/epcis.md "Nested
// containers"): a container packed into another by childEPCs is refused
// 409 naming both containers, nothing stored, as the ledger follows one
// level of containers only. Before, W2: C1 holding 6 t of QX packed into
// P at mb, P shipped mb → khi and received at khi, C1 unpacked from P at
// khi — C1 and its 6 t still read as standing at mb and were shipped
// from mb again; W3: a line "QX 6,000 kg" beside P took QX's loose
// 10 − 6 = 4 t and 6 − 4 = 2 t "out of P" while C1 still held all 6 t:
// 4 + 6 = 10 t drawn, C1 then fed to a run at mb as holding 4 t more —
// material counted twice.

// ncP is the outer container P (C1 = cbC1 is packed into it).
const ncP = "urn:epc:id:sscc:0614141.4000000069"

// ncNest is an AggregationEvent (action) of container parent naming
// children in its childEPCs, at site on day.
func ncNest(id, action, parent, site string, day int, children ...string) string {
	kids := ""
	if len(children) > 0 {
		kids = `, "childEPCs": ["` + strings.Join(children, `", "`) + `"]`
	}
	return fmt.Sprintf(`{"type": "AggregationEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "%s", "bizStep": "packing",
	  "parentID": "%s"%s, "bizLocation": {"id": "%s"}}`, id, day, action, parent, kids, site)
}

// ncRefused wants doc refused 409 naming both containers (their serials
// 4000000038 for C1, 4000000069 for P, or inner/outer given) as nested,
// with nothing stored.
func ncRefused(t *testing.T, s critmin.Store, what, doc string, serials ...string) {
	t.Helper()
	if len(serials) == 0 {
		serials = []string{"4000000038", "4000000069"}
	}
	before := ccEvents(t, s)
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)})
	if code := critmin.ErrorCode(err); code != critmin.ECONFLICT || !strings.Contains(errString(err), "nested containers are not followed") {
		t.Errorf("%s: %v; want 409 refusing nested containers", what, err)
	}
	for _, n := range serials {
		if !strings.Contains(errString(err), n) {
			t.Errorf("%s: refusal %q does not name %s", what, errString(err), n)
		}
	}
	if after := ccEvents(t, s); after != before {
		t.Errorf("%s: %d events stored after the refusal, had %d", what, after, before)
	}
}

func testNestedContainers(t *testing.T, open Opener) {
	const mb, khi, b1 = "urn:t:site:mb", "urn:t:site:khi", "urn:t:bol:B1"
	t.Run("W2 C1 holding a lot packed into P", func(t *testing.T) {
		// QX 10 t at mb, 6 t packed into C1 on Oct 2; C1 into P on Oct
		// 3 refused. Nothing moved: P shipped to khi, received and C1
		// "unpacked" there never happen; C1 and QX's 6 t stand at mb,
		// and C1 ships from mb: QX 10 − 6 = 4 t loose at mb, 6 t on
		// the trip.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000")))
		ncRefused(t, s, "C1 (6 t of QX) packed into P", ctDoc(ncNest("nest", "ADD", ncP, mb, 3, cbC1)))
		// The whole W2 story in one document is refused alike.
		ncRefused(t, s, "C1 into P, P shipped and received, C1 unpacked at khi", ctDoc(
			ncNest("nest", "ADD", ncP, mb, 3, cbC1),
			saLeave("p-ship", "shipping", b1, mb, "all", khi, 4, []string{ncP}),
			ctRecvAt("p-recv", b1, khi, 5, []string{ncP}),
			ncNest("unnest", "DELETE", ncP, khi, 6, cbC1)))
		MustCapture(t, svc, ctDoc(saLeave("c1-ship", "shipping", b1, mb, "all", khi, 4, []string{cbC1})))
		tsWant(t, s, "C1 shipped from mb", "urn:t:lot:QX", 4, 6, 0)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("W3 line beside P", func(t *testing.T) {
		// C1 packed with 6 t of QX and nested in P in one document,
		// then a line "QX 6,000 kg" beside P: refused at the nesting,
		// nothing stored; QX stays 10 t in stock.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QX")))
		ncRefused(t, s, "C1 packed and nested in P in one document", ctDoc(
			cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000"),
			ncNest("nest", "ADD", ncP, mb, 3, cbC1),
			saLeave("p-ship", "shipping", b1, mb, "all", khi, 4, []string{ncP}, "QX:6000")))
		cfLotState(t, s, "after the refusal", "QX", critmin.LotInStock, 10, "", false)
	})
	t.Run("empty C1 in P, then packed into", func(t *testing.T) {
		// An empty C1 packed into P holds nothing to follow: taken. A
		// packing of 6 t of QX into C1 while it is inside P is refused
		// naming both; once C1 is unpacked from P (Oct 4) it is taken.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QX"), ncNest("nest", "ADD", ncP, mb, 2, cbC1)))
		ncRefused(t, s, "QX packed into C1 inside P", ctDoc(cpPackAt("qx-c1", "ADD", cbC1, mb, 3, "QX:6000")))
		// Packed before the nesting (backdated): refused alike.
		ncRefused(t, s, "QX packed into C1 before P's packing", ctDoc(cpPackAt("qx-c1", "ADD", cbC1, mb, 1, "QX:6000")))
		MustCapture(t, svc, ctDoc(ncNest("unnest", "DELETE", ncP, mb, 4, cbC1)))
		MustCapture(t, svc, ctDoc(cpPackAt("qx-c1", "ADD", cbC1, mb, 5, "QX:6000")))
		// A run fed C1 whole at mb takes its 6 t: 10 − 6 = 4 t left.
		MustCapture(t, svc, ctDoc(cpRunAt("c1-run", mb, 6, []string{cbC1})))
		cfLotState(t, s, "C1 fed whole after its unpacking from P", "QX", critmin.LotInStock, 4, "OP-c1-run", true)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		// Empty C1 into P, then P into C1: a loop, refused 400 by the
		// containment check (ledger.CheckPackingCycle, PackingCycle)
		// naming both; material into C1 inside P: 409 naming both.
		s := open(t)
		MustCapture(t, custody.NewService(s), ctDoc(csLot("QX"), ncNest("nest", "ADD", ncP, mb, 2, cbC1)))
		_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(ncNest("cycle", "ADD", cbC1, mb, 3, ncP)))})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(errString(err), "4000000038") || !strings.Contains(errString(err), "4000000069") {
			t.Errorf("P into C1 after C1 into P: %v; want the loop refused naming both", err)
		}
		ncRefused(t, s, "QX packed into C1 inside P", ctDoc(cpPackAt("qx-c1", "ADD", cbC1, mb, 3, "QX:6000")))
		// C1 holding QX, then P (empty) into C1 is one level: taken;
		// QX packed into P inside C1 is refused.
		s = open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000"), ncNest("p-in", "ADD", cbC1, mb, 3, ncP)))
		ncRefused(t, s, "QX packed into P inside C1", ctDoc(cpPackAt("qx-p", "ADD", ncP, mb, 4, "QX:1000")))
	})
	t.Run("run fed P whole and C1 shipped out of P", func(t *testing.T) {
		// The siblings the nesting would open — a run fed P whole
		// (would consume C1's 6 t), C1 shipped alone out of P — never
		// arise: the nesting is refused, and each document holding it
		// is refused whole.
		s := open(t)
		MustCapture(t, custody.NewService(s), ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000")))
		ncRefused(t, s, "run fed P whole holding C1", ctDoc(ncNest("nest", "ADD", ncP, mb, 3, cbC1), cpRunAt("p-run", mb, 4, []string{ncP})))
		ncRefused(t, s, "C1 shipped out of P", ctDoc(ncNest("nest", "ADD", ncP, mb, 3, cbC1), saLeave("c1-ship", "shipping", b1, mb, "all", khi, 4, []string{cbC1})))
		cfLotState(t, s, "after the refusals", "QX", critmin.LotInStock, 10, "OP-p-run", false)
	})
	t.Run("commissioned bag still taken", func(t *testing.T) {
		// The bag (commissioned material, holding nothing) packed into
		// C1 is taken (InstanceInContainer); a packing into the bag
		// while it is inside C1 is refused naming both.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(qxBagAt("qx-bag", mb, "CHN"), csLot("QX"), ncNest("bag-in", "ADD", cbC1, mb, 2, qxBag)))
		ncRefused(t, s, "QX packed into the bag inside C1", ctDoc(cpPackAt("into-bag", "ADD", qxBag, mb, 3, "QX:1000")), "812345.1001", "4000000038")
		// C1 holds the bag, material: C1 into P is refused.
		ncRefused(t, s, "C1 holding the bag packed into P", ctDoc(ncNest("nest", "ADD", ncP, mb, 3, cbC1)))
	})
}
