package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// A bag commissioned by its own instance identifier (an SGTIN in the
// epcList of an ObjectEvent ADD commissioning with its own ILMD) is
// material, a lot of known origin and unknown mass (docs/origin.md
// "Inputs by EPC count"), not an empty container (new-user check nuq10
// s14, s14b, s14c; fixQx): the empty-container rules of fixQr (a run fed
// it, its dispatch from elsewhere) apply to containers only.

const qxBag = "urn:epc:id:sgtin:0614141.812345.1001"

// qxBagAt commissions qxBag at site on Oct 1 stating origin iso, no
// quantity (its mass unknown).
func qxBagAt(id, site, iso string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "epcList": ["` + qxBag + `"], "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:originCountry": "` + iso + `", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// qxBagEdge says whether the bag is a parent of lot child.
func qxBagEdge(t *testing.T, s critmin.Store, child string) bool {
	t.Helper()
	edges, err := s.LotEdges(context.Background(), []string{"urn:t:lot:" + child}, true)
	if err != nil {
		t.Fatal(err)
	}
	bag := canonID(t, s, qxBag)
	for _, e := range edges {
		if e.Parent == bag {
			return true
		}
	}
	return false
}

// testInstanceFedWhereItStands (nuq10 s14c, WRONG REFUSAL): the bag,
// commissioned at mb on Oct 1 (PAK, no quantity), fed to a run at mb on
// Oct 5 by inputEPCList, is taken: it is material standing at mb, not a
// container holding nothing. The bag is consumed and a parent of the
// product OP-qx-run1. In a second store, the bag fed to a run at hou
// (it stands at mb, where it was commissioned) is refused 409 naming
// the bag and mb, as a lot standing elsewhere would be, and nothing is
// stored.
func testInstanceFedWhereItStands(t *testing.T, open Opener) {
	const mb, hou = "urn:t:site:mb", "urn:t:site:hou"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(qxBagAt("qx-bag", mb, "PAK")))
	MustCapture(t, svc, ctDoc(cpRunAt("qx-run1", mb, 5, []string{qxBag})))
	if l := mustLot(t, s, canonID(t, s, qxBag)); l.Status != critmin.LotConsumed {
		t.Errorf("bag fed at mb: status %s, want consumed", l.Status)
	}
	if !qxBagEdge(t, s, "OP-qx-run1") {
		t.Errorf("bag fed at mb: not a parent of OP-qx-run1")
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}

	s = open(t)
	MustCapture(t, custody.NewService(s), ctDoc(qxBagAt("qx-bag", mb, "PAK")))
	qxRefusedAway(t, s, "bag standing at mb fed to a run at hou", ctDoc(cpRunAt("qx-run2", hou, 5, []string{qxBag})))
	// The same, its commissioning in the run's document.
	s = open(t)
	qxRefusedAway(t, s, "bag commissioned at mb and fed to a run at hou in one document", ctDoc(qxBagAt("qx-bag", mb, "PAK"), cpRunAt("qx-run2", hou, 5, []string{qxBag})))
}

// qxRefusedAway wants doc, feeding the bag standing at mb to run qx-run2
// at hou, refused naming the bag and mb (as a lot standing elsewhere,
// not as an empty container), with nothing stored.
func qxRefusedAway(t *testing.T, s critmin.Store, what, doc string) {
	t.Helper()
	before := ccEvents(t, s)
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)})
	if code := critmin.ErrorCode(err); code != critmin.ECONFLICT || !strings.Contains(errString(err), "80614141123458") || !strings.Contains(errString(err), "urn:t:site:mb") {
		t.Errorf("%s: %v; want refused naming the bag and mb", what, err)
	}
	if strings.Contains(errString(err), "holds nothing") {
		t.Errorf("%s: refused as an empty container: %v", what, err)
	}
	if after := ccEvents(t, s); after != before {
		t.Errorf("%s: %d events stored after the refusal, had %d", what, after, before)
	}
}

// testInstanceInContainer (nuq10 s14, WRONG PASS): the bag, commissioned
// at mine-CHN on Oct 1 (CHN, no quantity), shipped by epcList
// mine-CHN → mb under B1 on Oct 2 and received at mb on Oct 3, stands
// at mb (its receipt moves it). Lot QX (PAK, 10,000 kg at mb): 6,000 kg
// and the bag (childEPCs) packed into C1 at mb on Oct 4; a run at mb fed
// [C1] whole on Oct 5 consumes QX's 6 t and the bag: QX 10 − 6 = 4 t
// left, the bag consumed and a parent of OP-qx-run, and the product's
// origin states the bag's unknown mass — China's share is not read as
// 0 (6 t PAK + ? t CHN: shares unknown), so Pakistan is not 100 % and
// dfars-covered-countries does not pass.
func testInstanceInContainer(t *testing.T, open Opener) {
	const mb, cn, b1 = "urn:t:site:mb", "urn:t:site:mine-CHN", "urn:t:bol:B1"
	ctx := context.Background()
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(qxBagAt("qx-bag", cn, "CHN"), csLot("QX")))
	MustCapture(t, svc, ctDoc(saLeave("qx-ship", "shipping", b1, cn, "all", mb, 2, []string{qxBag})))
	MustCapture(t, svc, ctDoc(ctRecvAt("qx-recv", b1, mb, 3, []string{qxBag})))
	bag := canonID(t, s, qxBag)
	if l := mustLot(t, s, bag); l.Status != critmin.LotInStock || l.Location != mb {
		t.Errorf("bag received at mb: %s at %s, want in stock at mb", l.Status, l.Location)
	}
	pack := strings.Replace(cpPackAt("qx-pack", "ADD", cbC1, mb, 4, "QX:6000"), `"childQuantityList"`, `"childEPCs": ["`+qxBag+`"], "childQuantityList"`, 1)
	MustCapture(t, svc, ctDoc(pack))
	MustCapture(t, svc, ctDoc(cpRunAt("qx-run", mb, 5, []string{cbC1})))
	cfLotState(t, s, "C1 fed whole", "QX", critmin.LotInStock, 4, "OP-qx-run", true)
	if l := mustLot(t, s, bag); l.Status != critmin.LotConsumed {
		t.Errorf("bag in C1 fed whole: status %s, want consumed", l.Status)
	}
	if !qxBagEdge(t, s, "OP-qx-run") {
		t.Errorf("bag in C1 fed whole: not a parent of OP-qx-run")
	}
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(ctx, s, "urn:t:lot:OP-qx-run", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := ctShare(o.Mass.ByCountry, "PAK"); got > 0.999 {
			t.Errorf("evidence %v: OP-qx-run Pakistan %v of the dry mass, want the bag's unknown mass stated (%+v)", evidence, got, o.Mass.ByCountry)
		}
		unknown := false
		for _, a := range o.Anomalies {
			unknown = unknown || a.Kind == "input_mass_unknown" && strings.Contains(a.Detail, "80614141123458")
		}
		if !unknown {
			t.Errorf("evidence %v: anomalies %+v, want input_mass_unknown naming the bag", evidence, o.Anomalies)
		}
	}
	vs, err := custody.Evaluate(ctx, s.(custody.RuleStore), "urn:t:lot:OP-qx-run", custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == "dfars-covered-countries" && v.Status == custody.Pass {
			t.Errorf("dfars-covered-countries passes with the Chinese bag in C1 (%s)", v.Detail)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
	// A store written before fixQx left the bag in stock where it was
	// commissioned: verify names the lots table, and migration 0147
	// replays the projection (the store holds the bag commissioned by an
	// ADD and named again); run again, no change.
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	tamper(t, s, `UPDATE lots SET status = '`+string(critmin.LotInStock)+`', location = '`+cn+`', location_canon = '`+cn+`' WHERE id = '`+bag+`'`,
		`DELETE FROM schema_migrations WHERE version = 147`)
	if rep := verifyFull(t, s, nil, true); rep.OK() || rep.Difference == nil || rep.Difference.Table != "lots" {
		t.Fatalf("verify of the old row: ok %v, difference %+v; want lots named", rep.OK(), rep.Difference)
	}
	for run := 1; run <= 2; run++ {
		if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
			t.Fatalf("migration 0147 (run %d): %v", run, err)
		}
		if l := mustLot(t, s, bag); l.Status != critmin.LotConsumed {
			t.Errorf("after migration 0147 (run %d): bag %s, want consumed", run, l.Status)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify after migration 0147 (run %d): %v %v", run, rep.Problem, rep.Difference)
		}
		tamper(t, s, `DELETE FROM schema_migrations WHERE version = 147`)
	}
}

// testInstanceMoves (nuq10 s14b; the class of fixQx): the bag,
// commissioned at mine-CHN on Oct 1 (CHN, no quantity), moves as a lot.
//   - Shipped by epcList from mb (where it does not stand) on Oct 2:
//     refused naming the bag and mine-CHN, nothing stored.
//   - Packed by childEPCs into C1 at mine-CHN on Oct 2, [C1] shipped
//     mine-CHN → mb under B1 on Oct 3 and received at mb on Oct 4: the
//     bag stands at mb, in stock (it moved in C1).
//   - Shipped by epcList mine-CHN → mb and received at mb, then fed by
//     inputEPCList beside "QX 6,000 kg" (PAK, 10,000 kg at mb) to a run
//     at mb on Oct 5: taken; QX 10 − 6 = 4 t left, the bag consumed and
//     a parent of OP-qx-run3, and dfars-covered-countries does not pass
//     (6 t PAK + the bag's unknown mass of CHN).
func testInstanceMoves(t *testing.T, open Opener) {
	const mb, cn, b1 = "urn:t:site:mb", "urn:t:site:mine-CHN", "urn:t:bol:B1"
	ctx := context.Background()
	s := open(t)
	MustCapture(t, custody.NewService(s), ctDoc(qxBagAt("qx-bag", cn, "CHN")))
	qxRefusedAt(t, s, "bag standing at mine-CHN shipped from mb", ctDoc(saLeave("qx-ship-mb", "shipping", b1, mb, "all", "urn:t:site:hou", 2, []string{qxBag})), cn)

	s = open(t)
	svc := custody.NewService(s)
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:qx-pack", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + cbC1 + `", "childEPCs": ["` + qxBag + `"], "bizLocation": {"id": "` + cn + `"}}`
	MustCapture(t, svc, ctDoc(qxBagAt("qx-bag", cn, "CHN"), pack))
	MustCapture(t, svc, ctDoc(saLeave("qx-ship", "shipping", b1, cn, "all", mb, 3, []string{cbC1})))
	MustCapture(t, svc, ctDoc(ctRecvAt("qx-recv", b1, mb, 4, []string{cbC1})))
	bag := canonID(t, s, qxBag)
	if l := mustLot(t, s, bag); l.Status != critmin.LotInStock || l.Location != mb {
		t.Errorf("bag in C1 received at mb: %s at %s, want in stock at mb", l.Status, l.Location)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}

	s = open(t)
	svc = custody.NewService(s)
	MustCapture(t, svc, ctDoc(qxBagAt("qx-bag", cn, "CHN"), csLot("QX")))
	MustCapture(t, svc, ctDoc(saLeave("qx-ship", "shipping", b1, cn, "all", mb, 2, []string{qxBag})))
	MustCapture(t, svc, ctDoc(ctRecvAt("qx-recv", b1, mb, 3, []string{qxBag})))
	MustCapture(t, svc, ctDoc(cfRun("qx-run3", 5, []string{qxBag}, []string{"QX:6000"}, "OP-qx-run3", 1000)))
	cfLotState(t, s, "QX 6 t and the bag fed", "QX", critmin.LotInStock, 4, "OP-qx-run3", true)
	if l := mustLot(t, s, bag); l.Status != critmin.LotConsumed {
		t.Errorf("bag fed by inputEPCList: status %s, want consumed", l.Status)
	}
	if !qxBagEdge(t, s, "OP-qx-run3") {
		t.Errorf("bag fed by inputEPCList: not a parent of OP-qx-run3")
	}
	vs, err := custody.Evaluate(ctx, s.(custody.RuleStore), "urn:t:lot:OP-qx-run3", custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == "dfars-covered-countries" && v.Status == custody.Pass {
			t.Errorf("dfars-covered-countries passes with the Chinese bag fed (%s)", v.Detail)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// qxRefusedAt wants doc refused 409 (a conflict with the record, not
// a malformed document) naming the bag and where
// it stands, not as an empty container, with nothing stored.
func qxRefusedAt(t *testing.T, s critmin.Store, what, doc, site string) {
	t.Helper()
	before := ccEvents(t, s)
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)})
	if code := critmin.ErrorCode(err); code != critmin.ECONFLICT || !strings.Contains(errString(err), "80614141123458") || !strings.Contains(errString(err), site) {
		t.Errorf("%s: %v; want refused naming the bag and %s", what, err, site)
	}
	if strings.Contains(errString(err), "holds nothing") {
		t.Errorf("%s: refused as an empty container: %v", what, err)
	}
	if after := ccEvents(t, s); after != before {
		t.Errorf("%s: %d events stored after the refusal, had %d", what, after, before)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
