package custody_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

const tol = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// fixture builds a capture document: sites with custody models, two
// origin lots (A from Pakistan, B from Myanmar) and events passed in.
func fixture(events ...string) string {
	site := func(id, model string) string {
		return fmt.Sprintf(`{"id": "urn:t:site:%s", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "%s"}, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "%s"}]}`, id, id, model)
	}
	origin := `{"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mine-a"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:t:site:mine-a", "cm:supplier": "urn:t:party:fwo", "cm:moisture": 0.1,
	           "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:B", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:B", "quantity": 50, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-b"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "MMR", "cm:originMine": "urn:t:site:mine-b", "cm:supplier": "urn:t:party:other",
	           "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 2, "cm:unit": "%", "cm:basis": "dry"}]}}`
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` +
		site("cb", "controlled_blending") + `,` + site("seg", "segregated") + `,` + site("ip", "identity_preserved") + `,` + site("mb", "mass_balance") + `]}]}},
	 "epcisBody": {"eventList": [` + origin + strings.Join(append([]string{""}, events...), ",") + `]}}`
}

// run is a TransformationEvent at a site: inputs "lot:kg" and one output.
func run(id, site, when string, inputs []string, output string, outKg float64, ilmd string) string {
	var in []string
	for _, i := range inputs {
		lot, kg, _ := strings.Cut(i, ":")
		in = append(in, fmt.Sprintf(`{"epcClass": "urn:t:lot:%s", "quantity": %s, "uom": "KGM"}`, lot, kg))
	}
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [%s], "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:%s"},
	 "ilmd": {"cm:commodity": "ndpr_oxide"%s}}`, id, when, strings.Join(in, ","), output, outKg, site, ilmd)
}

func store(t *testing.T, doc string) *sqldb.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := ledger.NewService(db).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatalf("capture: %v", err)
	}
	return db
}

func share(list []custody.Share, key string) custody.Share {
	for _, s := range list {
		if s.Key == key {
			return s
		}
	}
	return custody.Share{}
}

// TestControlledBlendingHandWorked blends 100 t wet of Pakistani
// concentrate (10 % moisture: 90 dmt at 5 % Nd2O3) with 50 t of Burmese
// (dry, 2 % Nd2O3) into 10 t of oxide assayed at 60 % Nd2O3.
//
// By mass: 90 / 140 = 0.642857 Pakistan, 50 / 140 = 0.357143 Myanmar.
// By Nd (Nd2O3 → Nd ndOx = 0.857356): Pakistan brings 90 × 5 % × ndOx
// = 3.858102 t Nd, Myanmar 50 × 2 % × ndOx = 0.857356 t (5.5 × ndOx =
// 4.715458 t in all): shares 450/550 = 0.818182 and 0.181818. The oxide
// (8 t) holds 8 × 60 % × ndOx = 4.8 × ndOx = 4.115309 t Nd — less than
// the 4.715458 t in, so no element anomaly — of which Pakistan's is
// 4.115309 × 0.818182 = 3.367071 t.
func TestControlledBlendingHandWorked(t *testing.T) {
	db := store(t, fixture(run("R1", "cb", "2025-10-10T00:00:00Z", []string{"A:100000", "B:50000"}, "X", 8000,
		`, "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]`)))
	c, err := custody.Origin(context.Background(), db, "urn:t:lot:X")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Anomalies) != 0 {
		t.Errorf("anomalies %+v", c.Anomalies)
	}
	pk, mm := share(c.Mass.ByCountry, "PAK"), share(c.Mass.ByCountry, "MMR")
	if !near(pk.Share, 90.0/140) || !near(mm.Share, 50.0/140) || !near(pk.Tonnes, 8*90.0/140) {
		t.Errorf("mass shares PAK %+v MMR %+v", pk, mm)
	}
	nd := c.Elements["Nd"]
	if !near(nd.Tonnes, 4.8*ndOx) || !near(share(nd.ByCountry, "PAK").Share, 450.0/550) || !near(share(nd.ByCountry, "PAK").Tonnes, 4.8*ndOx*450/550) {
		t.Errorf("Nd %+v", nd)
	}
	if len(c.Runs) != 1 || len(c.Runs[0].Elements) != 1 || !near(c.Runs[0].Elements[0].In, 5.5*ndOx) || !near(c.Runs[0].Elements[0].OutTonnes(), 4.8*ndOx) {
		t.Errorf("run balance %+v", c.Runs)
	}
	if m := share(c.Mass.ByMine, "urn:t:site:mine-a"); !near(m.Share, 90.0/140) {
		t.Errorf("mine share %+v", m)
	}
	if s := share(c.Mass.BySupplier, "urn:t:party:fwo"); !near(s.Share, 90.0/140) {
		t.Errorf("supplier share %+v", s)
	}
	if strings.Join(c.Events, ",") != "urn:t:ev:A,urn:t:ev:B,urn:t:ev:R1" || strings.Join(c.OriginLots, ",") != "urn:t:lot:A,urn:t:lot:B" {
		t.Errorf("events %v origin lots %v", c.Events, c.OriginLots)
	}
	if len(c.Models) != 1 || c.Models[0].Model != custody.ControlledBlending {
		t.Errorf("models %+v", c.Models)
	}
	// An origin lot is its own origin.
	a, err := custody.Origin(context.Background(), db, "urn:t:lot:A")
	if err != nil || share(a.Mass.ByCountry, "PAK").Share != 1 || !near(a.Mass.Tonnes, 90) {
		t.Errorf("origin lot: %+v %v", a, err)
	}
	if _, err := custody.Origin(context.Background(), db, "urn:t:lot:nope"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("unknown lot: %v", err)
	}
}

func TestCustodyModels(t *testing.T) {
	// Each output is assayed at 3 % Nd2O3: 1 t × 3 % × 0.857356 = 0.025721 t
	// Nd, below what any input brings, so only the custody model speaks.
	const assayed = `, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 3, "cm:unit": "%", "cm:basis": "dry"}]`
	doc := fixture(
		run("S1", "seg", "2025-10-10T00:00:00Z", []string{"A:10000", "B:10000"}, "SEG", 1000, assayed),
		run("S2", "seg", "2025-10-10T00:00:00Z", []string{"A:10000"}, "SEGPK", 1000, assayed),
		run("I1", "ip", "2025-10-11T00:00:00Z", []string{"A:10000", "B:10000"}, "IP", 1000, assayed),
		run("I2", "ip", "2025-10-11T00:00:00Z", []string{"B:10000"}, "IPMM", 1000, assayed),
	)
	db := store(t, doc)
	ctx := context.Background()
	seg, err := custody.Origin(ctx, db, "urn:t:lot:SEG")
	if err != nil || len(seg.Anomalies) != 1 || !strings.Contains(seg.Anomalies[0].Detail, "segregated") {
		t.Errorf("segregated, mixed: %+v %v", seg.Anomalies, err)
	}
	if s, _ := custody.Origin(ctx, db, "urn:t:lot:SEGPK"); len(s.Anomalies) != 0 || share(s.Mass.ByCountry, "PAK").Share != 1 {
		t.Errorf("segregated, one origin: %+v", s)
	}
	ip, err := custody.Origin(ctx, db, "urn:t:lot:IP")
	if err != nil || len(ip.Anomalies) != 1 || !strings.Contains(ip.Anomalies[0].Detail, "identity preserved") {
		t.Errorf("identity preserved, two inputs: %+v %v", ip.Anomalies, err)
	}
	if s, _ := custody.Origin(ctx, db, "urn:t:lot:IPMM"); len(s.Anomalies) != 0 || share(s.Mass.ByCountry, "MMR").Share != 1 {
		t.Errorf("identity preserved, one input: %+v", s)
	}
}

func TestBadGenealogies(t *testing.T) {
	doc := fixture(
		// C has no origin; P and Q are made from each other; G weighs more out than in.
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:C", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		  "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10000, "uom": "KGM"}]}`,
		run("U1", "cb", "2025-10-05T00:00:00Z", []string{"A:10000", "C:10000"}, "U", 2000, ""),
		run("P1", "cb", "2025-10-06T00:00:00Z", []string{"A:10000"}, "P", 1000, ""),
		run("Q1", "cb", "2025-10-07T00:00:00Z", []string{"P:1000"}, "Q", 900, ""),
		run("P2", "cb", "2025-10-08T00:00:00Z", []string{"Q:900"}, "P", 800, ""),
		run("G1", "cb", "2025-10-09T00:00:00Z", []string{"B:1000"}, "G", 2000, ""),
	)
	db := store(t, doc)
	ctx := context.Background()
	u, err := custody.Origin(ctx, db, "urn:t:lot:U")
	// U has no assay of its own: grade not measured, Nd share unknown.
	if err != nil || len(u.Anomalies) != 2 || u.Anomalies[0].Kind != "no_origin" || u.Anomalies[1].Kind != "grade_not_measured" ||
		!near(share(u.Mass.ByCountry, custody.Unknown).Share, 10000.0/19000) || u.GradeMeasured || strings.Join(u.NotMeasured, ",") != "Nd" || len(u.Elements) != 0 {
		t.Errorf("no origin: %+v %v", u, err)
	}
	p, err := custody.Origin(ctx, db, "urn:t:lot:P")
	if err != nil {
		t.Fatal(err)
	}
	var cyc bool
	for _, a := range p.Anomalies {
		cyc = cyc || a.Kind == "cycle"
	}
	if !cyc {
		t.Errorf("cycle not flagged: %+v", p.Anomalies)
	}
	tr, err := custody.TraceLot(ctx, db, "urn:t:lot:P", custody.Backward, 0)
	if err != nil {
		t.Fatal(err)
	}
	cyc = false
	for _, a := range tr.Anomalies {
		cyc = cyc || a.Kind == "cycle"
	}
	if !cyc {
		t.Errorf("trace missed the cycle: %+v", tr.Anomalies)
	}
	g, err := custody.TraceLot(ctx, db, "urn:t:lot:G", custody.Backward, 0)
	if err != nil || len(g.Anomalies) != 1 || g.Anomalies[0].Kind != "impossible_quantities" || g.Anomalies[0].Events[0] != "urn:t:ev:G1" {
		t.Errorf("mass gain: %+v %v", g.Anomalies, err)
	}
	if _, err := custody.TraceLot(ctx, db, "urn:t:lot:G", "sideways", 0); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("bad direction: %v", err)
	}
	if _, err := custody.TraceLot(ctx, db, "urn:t:lot:G", custody.Backward, 5000); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("bad depth: %v", err)
	}
}

// TestTraceDemo traces the demo's NdPr oxide back to its concentrate lots
// and the container they travelled in, and the concentrate forward.
func TestTraceDemo(t *testing.T) {
	db := demoStore(t)
	ctx := context.Background()
	tr, err := custody.TraceLot(ctx, db, "urn:critmin:demo:lot:NDPR-2025-001", custody.Backward, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, n := range tr.Nodes {
		ids[n.ID] = n.Kind
	}
	for _, want := range []string{"urn:critmin:demo:lot:REE-2025-001", "urn:critmin:demo:lot:REE-2025-002", "urn:critmin:demo:container:MSKU1234565"} {
		if ids[want] == "" {
			t.Errorf("%s not in the trace %v", want, ids)
		}
	}
	var xform int
	for _, e := range tr.Edges {
		if e.Kind == "transformation" {
			xform++
			if e.ParentQty == nil || e.ChildQty == nil || *e.ChildQty != 2530 {
				t.Errorf("edge quantities %+v", e)
			}
		}
	}
	if xform != 2 || len(tr.Anomalies) != 0 {
		t.Errorf("%d transformation edges, anomalies %+v", xform, tr.Anomalies)
	}
	// The voyage: event 014 ships the container MSKU1234565 (holding
	// REE-2025-001 and -002, packed by event 006) from Karachi to
	// Houston under bill of lading KHI-HOU-2025-0901 on 2025-09-01 18:00
	// +05:00 = 13:00 UTC. The lots ride in the container, so the only
	// shipping edge is the container's; TGHU7654320 on the same voyage
	// carries no lot of this trace and is not drawn.
	const bol = "urn:critmin:demo:bol:KHI-HOU-2025-0901"
	var voyage *custody.Voyage
	for _, n := range tr.Nodes {
		if n.ID == bol && n.Kind == "voyage" {
			voyage = n.Voyage
		}
	}
	if voyage == nil || voyage.EventID != "urn:critmin:demo:event:014" || voyage.From != "urn:critmin:demo:site:karachi" ||
		voyage.To != "urn:critmin:demo:site:houston" || !voyage.Shipped.Equal(time.Date(2025, 9, 1, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("voyage node %+v in %v", voyage, ids)
	}
	var ships []string
	for _, e := range tr.Edges {
		if e.Kind == custody.LinkShipping {
			ships = append(ships, e.Parent+" → "+e.Child)
		}
	}
	if len(ships) != 1 || ships[0] != "urn:critmin:demo:container:MSKU1234565 → "+bol {
		t.Errorf("shipping edges %v, want the container's to the voyage", ships)
	}
	fw, err := custody.TraceLot(ctx, db, "urn:critmin:demo:lot:REE-2025-001", custody.Forward, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(fw.Nodes) != 4 { // itself, NdPr, La/Ce, the container
		t.Errorf("forward nodes %+v", fw.Nodes)
	}
	c, err := custody.Origin(ctx, db, "urn:critmin:demo:lot:NDPR-2025-001")
	if err != nil || share(c.Mass.ByCountry, "PAK").Share != 1 || c.Elements["Nd"].Tonnes == 0 {
		t.Errorf("demo NdPr origin: %+v %v", c, err)
	}
}

// TestKeptMixMatchesWalk checks that the origin mix capture keeps for
// produced lots gives the shares a full walk of the genealogy gives —
// across two levels, after a later assay of an input makes it stale, and
// when a transformation arrives before the lots it consumed.
func TestKeptMixMatchesWalk(t *testing.T) {
	ctx := context.Background()
	same := func(t *testing.T, db *sqldb.DB, lot string) {
		t.Helper()
		fast, err := custody.OriginOf(ctx, db, lot, false)
		if err != nil {
			t.Fatal(err)
		}
		full, err := custody.OriginOf(ctx, db, lot, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"PAK", "MMR"} {
			if !near(share(fast.Mass.ByCountry, key).Share, share(full.Mass.ByCountry, key).Share) ||
				!near(share(fast.Elements["Nd"].ByCountry, key).Tonnes, share(full.Elements["Nd"].ByCountry, key).Tonnes) {
				t.Errorf("%s %s: kept %+v / %+v, walked %+v / %+v", lot, key, fast.Mass.ByCountry, fast.Elements["Nd"], full.Mass.ByCountry, full.Elements["Nd"])
			}
		}
	}
	db := store(t, fixture(
		run("R1", "cb", "2025-10-10T00:00:00Z", []string{"A:100000", "B:50000"}, "X", 10000, `, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 30, "cm:unit": "%", "cm:basis": "dry"}]`),
		run("R2", "cb", "2025-10-11T00:00:00Z", []string{"X:10000", "A:20000"}, "Y", 5000, `, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]`),
	))
	if _, ok, _ := db.LotMix(ctx, "urn:t:lot:Y"); !ok {
		t.Fatal("no mix kept for a two-level product")
	}
	same(t, db, "urn:t:lot:X")
	same(t, db, "urn:t:lot:Y")
	// A later assay of A changes its Nd grade: X and Y go stale and are
	// walked again, with the new grade.
	svc := ledger.NewService(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-20T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:assay",
	 "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting", "quantityList": [{"epcClass": "urn:t:lot:A"}],
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd2O3", "value": 9, "uom": "P1", "cm:basis": "dry"}]}]}]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.LotMix(ctx, "urn:t:lot:Y"); ok {
		t.Error("Y's mix is still fresh after an upstream assay changed")
	}
	same(t, db, "urn:t:lot:Y")
	nd, _ := custody.OriginOf(ctx, db, "urn:t:lot:X", false)
	// Now 90 dmt at 9 % against 50 at 2 %: 810 / 910 of the Nd is Pakistani.
	if got := share(nd.Elements["Nd"].ByCountry, "PAK").Share; !near(got, 810.0/910) {
		t.Errorf("after the new assay PAK has %v of X's Nd, want %v", got, 810.0/910)
	}
}
