package storetest

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// docOf wraps events in an EPCIS document with the mineral context.
func docOf(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T08:00:00Z",
  "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// commissionEv is an ObjectEvent ADD commissioning lot with ILMD.
func commissionEv(id, at, lot, kg, commodity, country string) string {
	return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00",
	 "action": "ADD", "bizStep": "commissioning", "disposition": "active",
	 "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}],
	 "bizLocation": {"id": "urn:critmin:site:mine-b"},
	 "ilmd": {"cm:commodity": "` + commodity + `", "cm:originCountry": "` + country + `"}}`
}

// testRecommissioning: a lot's identity is set once, at commissioning
// (EPCIS 2.0 §7.3.6; CBV 2.0 commissioning). Issue 15: commissioning the
// consumed demo lot again as "antimony ore, AFG, 1 kg" was accepted and
// rewrote the lot, and the origin of the oxide made from it.
func testRecommissioning(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, corridorDoc)
	before, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Another event commissions the stored lot again (spelled in upper
	// case: one lot per canonical identifier).
	again := docOf(commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000a1", "2025-11-01T08:00:00Z", "urn:critmin:lot:ree-1", "1", "antimony_ore", "AFG"))
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(again)})
	if err == nil {
		t.Fatal("a second commissioning of a stored lot was accepted")
	}
	fs := critmin.ErrorFields(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || len(fs) != 1 || !strings.Contains(fs[0].Reason, "already exists") ||
		!strings.Contains(fs[0].Reason, "urn:uuid:00000000-0000-4000-8000-000000000001") || !strings.Contains(fs[0].Reason, "2025-09-20") ||
		fs[0].Pointer != "/epcisBody/eventList/0/ilmd" {
		t.Errorf("refusal %v %+v; want the lot named as existing, commissioned on 2025-09-20 by event …001", err, fs)
	}
	// The preview (Validate: the operator forms, the import) names it the
	// same way, as a field error of the event, before anything is stored.
	perEvent, err := svc.Validate(ctx, []byte(again))
	if err != nil || len(perEvent) != 1 || len(perEvent[0]) != 1 || perEvent[0][0].Pointer != "/epcisBody/eventList/0/ilmd" ||
		!strings.Contains(perEvent[0][0].Reason, "already exists, commissioned on 2025-09-20 by event urn:uuid:00000000-0000-4000-8000-000000000001") {
		t.Errorf("preview of a second commissioning: %+v, %v", perEvent, err)
	}
	ree, err := s.FindLot(ctx, "urn:critmin:lot:ree-1")
	if err != nil {
		t.Fatal(err)
	}
	// Unchanged: the 24.9 t of ree_concentrate from PAK received, consumed.
	if ree.Commodity != "ree_concentrate" || ree.OriginCountry != "PAK" || ree.Status != critmin.LotConsumed || math.Abs(ree.WetTonnes-24.9) > tol {
		t.Errorf("lot after refusal: %+v", ree)
	}
	after, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Events != before.Events {
		t.Errorf("%d events after the refusal; want %d (nothing stored)", after.Events, before.Events)
	}
	// In one document: the second ADD with ILMD for the lot the first
	// commissioned is refused, and the whole document with it.
	s2 := open(t)
	twice := docOf(
		commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000b1", "2025-11-01T08:00:00Z", "urn:critmin:lot:x-1", "20000", "ree_concentrate", "PAK"),
		commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000b2", "2025-11-02T08:00:00Z", "urn:critmin:lot:x-1", "1", "antimony_ore", "AFG"))
	_, err = service(s2).Capture(ctx, ledger.CaptureRequest{Body: []byte(twice)})
	if fs := critmin.ErrorFields(err); err == nil || len(fs) != 1 || !strings.Contains(fs[0].Reason, "0000000000b1") {
		t.Errorf("second commissioning in one document: %v", err)
	}
	if st, _ := s2.Stats(ctx); st == nil || st.Events != 0 {
		t.Errorf("stats after refused document: %+v; want nothing stored", st)
	}
	// A run's output recorded by two events of one transformation with the
	// same identity is not a recommissioning; a different commodity is.
	s3 := open(t)
	run := func(id, commodity string) string {
		return `{"type": "TransformationEvent", "eventID": "` + id + `", "eventTime": "2025-11-03T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		 "bizStep": "commissioning", "transformationID": "urn:critmin:run:R-9",
		 "inputQuantityList": [{"epcClass": "urn:critmin:lot:x-1", "quantity": 1000, "uom": "KGM"}],
		 "outputQuantityList": [{"epcClass": "urn:critmin:lot:y-1", "quantity": 50, "uom": "KGM"}],
		 "ilmd": {"cm:commodity": "` + commodity + `"}}`
	}
	MustCapture(t, service(s3), docOf(
		commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000c1", "2025-11-01T08:00:00Z", "urn:critmin:lot:x-1", "20000", "ree_concentrate", "PAK"),
		run("urn:uuid:00000000-0000-4000-8000-0000000000c2", "ndpr_oxide"), run("urn:uuid:00000000-0000-4000-8000-0000000000c3", "ndpr_oxide")))
	if _, err := service(s3).Capture(ctx, ledger.CaptureRequest{Body: []byte(docOf(run("urn:uuid:00000000-0000-4000-8000-0000000000c4", "antimony_ore")))}); err == nil {
		t.Error("a run output naming an existing ndpr_oxide lot as antimony_ore was accepted")
	}
	if y, err := s3.FindLot(ctx, "urn:critmin:lot:y-1"); err != nil || y.Commodity != "ndpr_oxide" {
		t.Errorf("output lot %+v, %v", y, err)
	}
}

// testPartialPacking: packing part of a lot leaves its mass alone, and
// more than the lot holds is refused (issue 15: 100 KGM packed of a
// 19,950 kg lot set its mass to 100 kg; 999,999,999 kg was accepted).
func testPartialPacking(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	pack := func(id, kg string) string {
		return `{"type": "AggregationEvent", "eventID": "` + id + `", "eventTime": "2025-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		 "action": "ADD", "bizStep": "packing", "parentID": "urn:epc:id:sscc:0614141.1234567890",
		 "childQuantityList": [{"epcClass": "urn:critmin:lot:p-1", "quantity": ` + kg + `, "uom": "KGM"}]}`
	}
	MustCapture(t, svc, docOf(commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000d1", "2025-11-01T08:00:00Z", "urn:critmin:lot:p-1", "19950", "ree_concentrate", "PAK"),
		pack("urn:uuid:00000000-0000-4000-8000-0000000000d2", "100")))
	p, err := s.FindLot(ctx, "urn:critmin:lot:p-1")
	if err != nil {
		t.Fatal(err)
	}
	// 19,950 kg = 19.95 t, whatever part of it went into a container.
	if math.Abs(p.WetTonnes-19.95) > tol {
		t.Errorf("wet mass %v t after packing 100 kg; want 19.95", p.WetTonnes)
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(docOf(pack("urn:uuid:00000000-0000-4000-8000-0000000000d3", "999999999")))})
	fs := critmin.ErrorFields(err)
	if err == nil || len(fs) != 1 || !strings.Contains(fs[0].Pointer, "childQuantityList/0/quantity") || !strings.Contains(fs[0].Reason, "holds 19.95 t") {
		t.Errorf("packing 999,999,999 kg of a 19.95 t lot: %v %+v", err, fs)
	}
	// The whole lot may be packed, 100 kg already in plus the 19,850 kg
	// left = 19,950 kg; 19,950 kg more (20.05 t in all) is refused:
	// packings not undone add up (testRepacking).
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(docOf(pack("urn:uuid:00000000-0000-4000-8000-0000000000d4", "19950")))})
	if fs := critmin.ErrorFields(err); err == nil || len(fs) != 1 || !strings.Contains(fs[0].Reason, "0.1 t of its 19.95 t (wet) is already in container") {
		t.Errorf("19,950 kg more of a 19.95 t lot with 100 kg packed: %v %+v", err, fs)
	}
	MustCapture(t, svc, docOf(pack("urn:uuid:00000000-0000-4000-8000-0000000000d5", "19850")))
}

// testRecommissioningDuplicates: the same commissioning sent again (same
// eventID) is an idempotent duplicate, and its errorDeclaration is a
// correction; neither is a second commissioning.
func testRecommissioningDuplicates(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	ev := commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000e1", "2025-11-01T08:00:00Z", "urn:critmin:lot:e-1", "20000", "ree_concentrate", "PAK")
	MustCapture(t, svc, docOf(ev))
	job := MustCapture(t, svc, docOf(ev))
	if job.Stored != 0 || len(job.Duplicates) != 1 {
		t.Errorf("the same commissioning again: stored %d, duplicates %v; want a duplicate", job.Stored, job.Duplicates)
	}
	// Twice in one document it is refused (400) as a repeated eventID,
	// not taken as a duplicate (issue 15, fix15zm).
	if _, err := svc.Validate(ctx, []byte(docOf(ev, ev))); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "repeated in this document at events 0 and 1") {
		t.Errorf("preview of a stored commissioning repeated in one document: %v; want the repeat named", err)
	}
	decl := strings.Replace(ev, `"action": "ADD"`, `"action": "ADD", "errorDeclaration": {"declarationTime": "2025-11-02T00:00:00Z", "reason": "incorrect_data"}`, 1)
	MustCapture(t, svc, docOf(decl))
}

// testDeclarationThenRecommissioningInOneDocument: a declaration earlier
// in a document takes effect for the events after it in the same
// document. The errorDeclaration of a commissioning and the corrective
// commissioning of the same lot, sent in one capture, are accepted as
// they are in two captures, leave the same lot (the corrected 19 000 kg =
// 19 t from COD, not the declared 20 t from PAK), and verify's replay of
// the store agrees.
func testDeclarationThenRecommissioningInOneDocument(t *testing.T, open Opener) {
	ctx := context.Background()
	const lot = "urn:critmin:lot:x-1"
	first := commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000d1", "2025-11-01T08:00:00Z", lot, "20000", "ree_concentrate", "PAK")
	declared := strings.Replace(first, `"ilmd":`, `"errorDeclaration": {"declarationTime": "2025-11-02T08:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:uuid:00000000-0000-4000-8000-0000000000d2"]}, "ilmd":`, 1)
	corrective := commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000d2", "2025-11-01T08:00:00Z", lot, "19000", "ree_concentrate", "COD")
	check := func(t *testing.T, s critmin.Store) {
		t.Helper()
		l, err := s.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		if l.OriginCountry != "COD" || math.Abs(l.WetTonnes-19) > tol {
			t.Errorf("lot after the correction: origin %s, %v t; want COD, 19 t", l.OriginCountry, l.WetTonnes)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Errorf("verify: %v %v", rep.Problem, rep.Difference)
		}
	}
	t.Run("one capture", func(t *testing.T) {
		s := open(t)
		MustCapture(t, service(s), docOf(first))
		MustCapture(t, service(s), docOf(declared, corrective))
		check(t, s)
	})
	t.Run("two captures", func(t *testing.T) {
		s := open(t)
		MustCapture(t, service(s), docOf(first))
		MustCapture(t, service(s), docOf(declared))
		MustCapture(t, service(s), docOf(corrective))
		check(t, s)
	})
}
