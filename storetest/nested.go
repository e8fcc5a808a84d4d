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

// testNestedDeclared (docs/epcis.md "Nested containers holding material
// are refused"): a declaration in error whose effect is a container
// holding material inside another is refused 409 as the packing is,
// naming both containers, nothing stored — unless a corrective of the
// same document undoes the nesting again.
//   - C1 (empty) packed into P on Oct 2, unpacked from P on Oct 4, then
//     6 t of QX packed into C1 on Oct 5 (taken: C1 was out of P).
//     Declaring the Oct 4 unpacking in error would put C1 back inside P
//     from Oct 2 on, holding QX's 6 t from Oct 5: refused. Declared
//     with a corrective unpacking on Oct 4 at 12:00 it is taken: C1 is
//     out of P before Oct 5. QX stays 10 t in stock at mb throughout
//     (a packing moves nothing: 10 t in stock, 6 t of it in C1).
//   - the converse, a store from before nestCheck: QX 6 t packed into
//     C1 on Oct 2, C1 emptied (DELETE naming no child) on Oct 3 and the
//     empty C1 packed into P on Oct 4. Nothing nested held material, and
//     verify is clean. Declaring the emptying in error would leave C1
//     holding the 6 t when it was packed into P: refused. Likewise when
//     a run fed C1 whole on Oct 3 emptied it and the run is declared.
func testNestedDeclared(t *testing.T, open Opener) {
	const mb = "urn:t:site:mb"
	t.Run("unpacking from P declared", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		unnest := ncNest("unnest", "DELETE", ncP, mb, 4, cbC1)
		MustCapture(t, svc, ctDoc(csLot("QX"), ncNest("nest", "ADD", ncP, mb, 2, cbC1), unnest))
		MustCapture(t, svc, ctDoc(cpPackAt("qx-c1", "ADD", cbC1, mb, 5, "QX:6000")))
		ncRefused(t, s, "the unpacking of C1 from P declared in error", ctDoc(ydDeclared(unnest)))
		cfLotState(t, s, "after the refusal", "QX", critmin.LotInStock, 10, "", false)
		// With the corrective: C1 out of P on Oct 4 at 12:00.
		corr := strings.Replace(ncNest("unnest-2", "DELETE", ncP, mb, 4, cbC1), "T00:00:00Z", "T12:00:00Z", 1)
		MustCapture(t, svc, ctDoc(ydDeclared(unnest), corr))
		cfLotState(t, s, "after the declaration with its corrective", "QX", critmin.LotInStock, 10, "", false)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
		}
	})
	t.Run("emptying of C1 declared", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		empty := ncNest("c1-empty", "DELETE", cbC1, mb, 3)
		MustCapture(t, svc, ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000"), empty))
		MustStoreUnchecked(t, s, ctDoc(ncNest("nest", "ADD", ncP, mb, 4, cbC1)))
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify before the declaration: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
		}
		ncRefused(t, s, "the emptying of C1 declared in error", ctDoc(ydDeclared(empty)))
		cfLotState(t, s, "after the refusal", "QX", critmin.LotInStock, 10, "", false)
	})
	t.Run("run fed C1 whole declared", func(t *testing.T) {
		// The same with a run fed C1 whole on Oct 3 emptying it: QX
		// 10 − 6 = 4 t left. Declaring the run in error would leave C1
		// holding the 6 t when it went into P on Oct 4: refused, QX
		// still 4 t in stock, the run's product OP-c1-run made of it.
		s := open(t)
		svc := custody.NewService(s)
		run := cpRunAt("c1-run", mb, 3, []string{cbC1})
		MustCapture(t, svc, ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000")))
		MustCapture(t, svc, ctDoc(run))
		MustStoreUnchecked(t, s, ctDoc(ncNest("nest", "ADD", ncP, mb, 4, cbC1)))
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify before the declaration: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
		}
		ncRefused(t, s, "the run fed C1 whole declared in error", ctDoc(ydDeclared(run)))
		cfLotState(t, s, "after the refusal", "QX", critmin.LotInStock, 4, "OP-c1-run", true)
	})
}

// testNestedStoredFlagged: a store from before nestCheck holding C1,
// packed with 6 t of QX on Oct 2, packed into P on Oct 3 (stored
// unchecked, as capture now refuses it) — the ledger reads C1 at mb and
// P as empty, so verify reports it, with the rebuild or without: the
// nesting event, both containers and what C1 held (QX 6,000 kg), and
// the report is not OK (cli verify exits non-zero on it). Declaring the
// nesting in error repairs the record: verify is clean, QX 10 t in
// stock at mb. An empty C1 nested, unnested and then packed with QX is
// no problem (NestedContainers, "empty C1 in P, then packed into").
func testNestedStoredFlagged(t *testing.T, open Opener) {
	const mb = "urn:t:site:mb"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000")))
	nest := ncNest("nest", "ADD", ncP, mb, 3, cbC1)
	MustStoreUnchecked(t, s, ctDoc(nest))
	for _, rebuild := range []bool{true, false} {
		rep := verifyFull(t, s, nil, rebuild)
		p := rep.NestingProblem
		if rep.OK() || p == nil {
			t.Fatalf("verify (rebuild %v): ok %v, nesting %v; want the nesting of C1 into P reported", rebuild, rep.OK(), p)
		}
		if p.Event != "urn:t:ev:nest" || p.Inner != cbC1 || p.Outer != ncP || !strings.Contains(p.Error(), "urn:t:lot:QX 6 t") {
			t.Errorf("verify (rebuild %v): %+v; want event urn:t:ev:nest, C1 inside P holding urn:t:lot:QX 6 t", rebuild, p)
		}
	}
	// QX's lot page lists a nested_container anomaly naming the nesting;
	// a rule excluding China from QX's handling cannot pass (where P
	// went with C1 inside is not read as QX's handling): fail, "cannot
	// be shown"; one on its mining alone passes (mined in Pakistan, by
	// its commissioning) and says so.
	rules := func(when string, nested bool) {
		t.Helper()
		o, err := custody.Origin(context.Background(), s.(custody.Store), "urn:t:lot:QX")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range o.Anomalies {
			found = found || a.Kind == "nested_container" && len(a.Events) == 1 && a.Events[0] == "urn:t:ev:nest"
		}
		if found != nested {
			t.Errorf("%s: QX's nested_container anomaly naming urn:t:ev:nest: %v, want %v (%+v)", when, found, nested, o.Anomalies)
		}
		pack, err := custody.ParsePack([]byte(`{"id": "h", "rules": [{"id": "no-chn-handling", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["handling"]},
		  {"id": "no-chn-mining", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["mining"]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		vs, err := custody.Evaluate(context.Background(), s.(custody.RuleStore), "urn:t:lot:QX", pack)
		if err != nil {
			t.Fatal(err)
		}
		want := custody.Pass
		if nested {
			want = custody.Fail
		}
		if v := vs[0]; v.Status != want || nested != strings.Contains(v.Detail, "cannot be shown") {
			t.Errorf("%s: handling rule %s %q; want %s", when, v.Status, v.Detail, want)
		}
		if v := vs[1]; v.Status != custody.Pass || nested != strings.Contains(v.Detail, "urn:t:ev:nest") {
			t.Errorf("%s: mining rule %s %q; want pass, naming the nesting: %v", when, v.Status, v.Detail, nested)
		}
	}
	rules("nested", true)
	MustCapture(t, svc, ctDoc(ydDeclared(nest)))
	cfLotState(t, s, "after the nesting was declared in error", "QX", critmin.LotInStock, 10, "", false)
	rules("after the repair", false)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after the repair: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
	}
}

// testNestedCapturePaths: every way a document reaches capture judges
// the nesting alike (custody.CaptureClaimCheck runs contentsJudge on
// each): QX 10 t at mb, 6 t packed into C1 on Oct 2, then C1 packed
// into P on Oct 3 is refused 409 naming both containers, nothing
// stored, QX still 10 t in stock — sent as an XML document (converted
// whole), as a single event (POST /events), and in a streamed JSON
// document whose batches (ledger.Service.BatchEvents, 2 here as 1,000
// by default) put the packing of C1 in the first batch and the nesting
// in the second, under rollback and under proceed (a 409 refuses the
// document whole under proceed as well: nothing stored).
func testNestedCapturePaths(t *testing.T, open Opener) {
	const mb = "urn:t:site:mb"
	ctx := context.Background()
	refused := func(t *testing.T, s critmin.Store, svc *ledger.Service, what string, req ledger.CaptureRequest) {
		t.Helper()
		before := ccEvents(t, s)
		_, err := svc.Capture(ctx, req)
		msg := errString(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "nested containers are not followed") || !strings.Contains(msg, "4000000038") || !strings.Contains(msg, "4000000069") {
			t.Errorf("%s: %v; want 409 refusing nested containers naming C1 and P", what, err)
		}
		if after := ccEvents(t, s); after != before {
			t.Errorf("%s: %d events stored after the refusal, had %d", what, after, before)
		}
		cfLotState(t, s, what, "QX", critmin.LotInStock, 10, "", false)
	}
	t.Run("XML and single event", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000")))
		xml := `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-11-01T00:00:00Z"><EPCISBody><EventList>
<AggregationEvent><eventTime>2025-10-03T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><eventID>urn:t:ev:nest</eventID>
<parentID>` + ncP + `</parentID><childEPCs><epc>` + cbC1 + `</epc></childEPCs><action>ADD</action><bizStep>packing</bizStep><bizLocation><id>` + mb + `</id></bizLocation></AggregationEvent>
</EventList></EPCISBody></epcis:EPCISDocument>`
		refused(t, s, svc, "XML document", ledger.CaptureRequest{Body: []byte(xml), XML: true})
		single := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], ` + strings.TrimPrefix(strings.TrimSpace(ncNest("nest", "ADD", ncP, mb, 3, cbC1)), "{")
		refused(t, s, svc, "single event", ledger.CaptureRequest{Body: []byte(single), SingleEvent: true})
	})
	t.Run("streamed batches", func(t *testing.T) {
		doc := ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000"), ncNest("nest", "ADD", ncP, mb, 3, cbC1))
		s := open(t)
		svc := custody.NewService(s)
		svc.BatchEvents = 2
		before := ccEvents(t, s)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
		if msg := errString(err); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "nested containers are not followed") || !strings.Contains(msg, "4000000038") || !strings.Contains(msg, "4000000069") {
			t.Errorf("rollback: %v; want 409 refusing nested containers naming C1 and P", err)
		}
		if after := ccEvents(t, s); after != before {
			t.Errorf("rollback: %d events stored after the refusal, had %d", after, before)
		}
		// Under proceed too: a conflict with the record (409) refuses
		// the document whole, as every 409 of the capture check does
		// (ledger claimRounds lists only an event's own faults, 400,
		// and stores the rest).
		s = open(t)
		svc = custody.NewService(s)
		svc.BatchEvents = 2
		before = ccEvents(t, s)
		_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc), Behaviour: critmin.BehaviourProceed})
		if msg := errString(err); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "nested containers are not followed") || !strings.Contains(msg, "4000000038") || !strings.Contains(msg, "4000000069") {
			t.Errorf("proceed: %v; want 409 refusing nested containers naming C1 and P", err)
		}
		if after := ccEvents(t, s); after != before {
			t.Errorf("proceed: %d events stored after the refusal, had %d", after, before)
		}
		if n, err := s.CountEvents(ctx); err != nil || n != 0 {
			t.Errorf("proceed: %d events stored (%v); want none", n, err)
		}
		MustCapture(t, svc, ctDoc(csLot("QX")))
		cfLotState(t, s, "proceed", "QX", critmin.LotInStock, 10, "", false)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
		}
	})
}

// NestedStoredDocuments are the records of a store from before capture
// refused nested containers holding material (testNestedStoredFlagged):
// lot urn:t:lot:QX, 10 t at mb, 6 t of it packed into C1 on Oct 2, and C1
// packed into P on Oct 3 (event urn:t:ev:nest). Stored unchecked, in
// order; `critmin verify` reports the nesting and exits non-zero.
var NestedStoredDocuments = []string{
	ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, "urn:t:site:mb", 2, "QX:6000")),
	ctDoc(ncNest("nest", "ADD", ncP, "urn:t:site:mb", 3, cbC1)),
}
