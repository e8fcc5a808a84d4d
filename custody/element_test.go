package custody_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// doc builds a capture document with sites (id → custody model) and
// events.
func doc(sites map[string]string, events ...string) string {
	var els []string
	for id, model := range sites {
		els = append(els, fmt.Sprintf(`{"id": "urn:t:site:%s", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "%s"}, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "%s"}]}`, id, id, model))
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + strings.Join(els, ",") + `]}]}},
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// feed commissions a dry lot of tonnes t with element assays ("Nd:4"),
// read at its mine (readPoint, no bizLocation: the lot stands at no site,
// so that a run anywhere may feed it without a shipment in each test —
// a lot placed at a site is fed only there, custody/whereabouts.go).
func feed(lot, commodity, iso string, t float64, assays ...string) string {
	var as []string
	for _, a := range assays {
		el, v, _ := strings.Cut(a, ":")
		as = append(as, fmt.Sprintf(`{"cm:analyte": "%s", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}`, el, v))
	}
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine-%s"},
	  "ilmd": {"cm:commodity": "%s", "cm:originCountry": "%s", "cm:originMine": "urn:t:site:mine-%s", "cm:moisture": 0, "cm:assay": [%s]}}`, lot, lot, t, iso, commodity, iso, iso, strings.Join(as, ","))
}

// feedAt commissions a dry lot at its mine (bizLocation): it stands there.
// Like feed: a dry lot of tonnes t with element assays ("Nd:4"),
// read at its mine (readPoint, no bizLocation: the lot stands at no site,
// so that a run anywhere may feed it without a shipment in each test —
// a lot placed at a site is fed only there, custody/whereabouts.go).
func feedAt(lot, commodity, iso string, t float64, assays ...string) string {
	var as []string
	for _, a := range assays {
		el, v, _ := strings.Cut(a, ":")
		as = append(as, fmt.Sprintf(`{"cm:analyte": "%s", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}`, el, v))
	}
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-%s"},
	  "ilmd": {"cm:commodity": "%s", "cm:originCountry": "%s", "cm:originMine": "urn:t:site:mine-%s", "cm:moisture": 0, "cm:assay": [%s]}}`, lot, lot, t, iso, commodity, iso, iso, strings.Join(as, ","))
}

// product is one output of a run: lot, tonnes (dry), commodity, assays,
// extra ILMD.
type product struct {
	lot, commodity string
	t              float64
	assays         []string
	extra          string
}

// runOf is a TransformationEvent with several inputs ("lot:t") and
// outputs; each output's facts travel in its own ObjectEvent at the same
// time (ILMD describes every output of an event alike).
func runOf(id, site, when string, inputs []string, outs ...product) string {
	var in, out, facts []string
	for _, i := range inputs {
		lot, t, _ := strings.Cut(i, ":")
		in = append(in, fmt.Sprintf(`{"epcClass": "urn:t:lot:%s", "quantity": %s, "uom": "TNE"}`, lot, t))
	}
	for k, o := range outs {
		out = append(out, fmt.Sprintf(`{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}`, o.lot, o.t))
		var as []string
		for _, a := range o.assays {
			el, v, _ := strings.Cut(a, ":")
			as = append(as, fmt.Sprintf(`{"cm:analyte": "%s", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}`, el, v))
		}
		ilmd := fmt.Sprintf(`"cm:commodity": "%s", "cm:moisture": 0`, o.commodity)
		if len(as) > 0 {
			ilmd += `, "cm:assay": [` + strings.Join(as, ",") + `]`
		}
		facts = append(facts, fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s-facts-%d", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
		  "quantityList": [{"epcClass": "urn:t:lot:%s"}], "bizLocation": {"id": "urn:t:site:%s"}, "ilmd": {%s%s}}`, id, k, when, o.lot, site, ilmd, o.extra))
	}
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [%s], "outputQuantityList": [%s], "bizLocation": {"id": "urn:t:site:%s"}}`, id, when, strings.Join(in, ","), strings.Join(out, ","), site) + "," + strings.Join(facts, ",")
}

// TestBlendTwoCountriesTwoProducts is case (a): Pakistani and Burmese
// feeds blended in one run with element-specific yields into two products.
//
// Feeds (dry): P, Pakistan, 100 t at 4 % Nd, 1 % Pr → 4 t Nd, 1 t Pr;
// M, Myanmar, 50 t at 2 % Nd, 4 % Pr → 1 t Nd, 2 t Pr.
// In: Nd 5 t (Pakistan 4/5 = 0.8), Pr 3 t (Pakistan 1/3); dry mass
// Pakistan 100/150 = 2/3.
// X1 (Nd-rich), 5 t at 80 % Nd, 6 % Pr: 4 t Nd (80 % Nd yield), 0.3 t Pr.
// X2 (Pr-rich), 3 t at 10 % Nd, 80 % Pr: 0.3 t Nd, 2.4 t Pr (80 % Pr yield).
// Out: Nd 4.3 ≤ 5, Pr 2.7 ≤ 3: no anomaly.
// Per element (controlled blending): both products' Nd is 0.8 Pakistan,
// their Pr 1/3 Pakistan. X1: Nd 3.2 t PAK / 0.8 t MMR; Pr 0.1 / 0.2 t.
// Prices (custody/prices/elements.csv): Nd = 73 USD/kg Nd2O3 / 0.857356 =
// 85.1455 USD/kg Nd; Pr = 74 / 0.827704 = 89.4039 USD/kg Pr (ndOx, prOx).
// X1 by value: Pakistan 3.2 × 85145.5 + 0.1 × 89403.9 = 281406.0 of
// 4 × 85145.5 + 0.3 × 89403.9 = 367403.2 → 0.765932.
// X2 by value: Pakistan 0.24 × 85145.5 + 0.8 × 89403.9 = 91958.1 of
// 0.3 × 85145.5 + 2.4 × 89403.9 = 240113.0 → 0.382978.
// The dry-mass view says 2/3 Pakistan for both.
func TestBlendTwoCountriesTwoProducts(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("M", "ree_concentrate", "MMR", 50, "Nd:2", "Pr:4"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"P:100", "M:50"},
			product{lot: "X1", commodity: "ndpr_oxide", t: 5, assays: []string{"Nd:80", "Pr:6"}},
			product{lot: "X2", commodity: "ndpr_oxide", t: 3, assays: []string{"Nd:10", "Pr:80"}}),
	))
	ctx := context.Background()
	nd, pr := 73/ndOx*1000, 74/prOx*1000 // USD per tonne of element
	for _, tc := range []struct {
		lot              string
		ndT, prT, pakVal float64
	}{
		{"X1", 4, 0.3, (3.2*nd + 0.1*pr) / (4*nd + 0.3*pr)},
		{"X2", 0.3, 2.4, (0.24*nd + 0.8*pr) / (0.3*nd + 2.4*pr)},
	} {
		for _, evidence := range []bool{true, false} {
			c, err := custody.OriginOf(ctx, db, "urn:t:lot:"+tc.lot, evidence)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Anomalies) != 0 || !c.GradeMeasured {
				t.Errorf("%s: anomalies %+v measured %v", tc.lot, c.Anomalies, c.GradeMeasured)
			}
			if e := c.Elements["Nd"]; !near(e.Tonnes, tc.ndT) || !near(share(e.ByCountry, "PAK").Share, 0.8) || !near(share(e.ByCountry, "PAK").Tonnes, 0.8*tc.ndT) {
				t.Errorf("%s Nd %+v", tc.lot, e)
			}
			if e := c.Elements["Pr"]; !near(e.Tonnes, tc.prT) || !near(share(e.ByCountry, "PAK").Share, 1.0/3) || !near(share(e.ByCountry, "MMR").Share, 2.0/3) {
				t.Errorf("%s Pr %+v", tc.lot, e)
			}
			if !near(share(c.Mass.ByCountry, "PAK").Share, 2.0/3) {
				t.Errorf("%s dry-mass view %+v", tc.lot, c.Mass.ByCountry)
			}
			if c.Overall.Basis != "contained_value" || len(c.Overall.ByCountry) != 2 || c.Overall.ByCountry[0].Key == "" {
				t.Fatalf("%s overall %+v", tc.lot, c.Overall)
			}
			var pak float64
			for _, s := range c.Overall.ByCountry {
				if s.Key == "PAK" {
					pak = s.Share
				}
			}
			if !near(pak, tc.pakVal) {
				t.Errorf("%s contained-value Pakistan share %v, want %v", tc.lot, pak, tc.pakVal)
			}
		}
	}
	if x1 := (3.2*nd + 0.1*pr) / (4*nd + 0.3*pr); x1 < 0.7659 || x1 > 0.7660 {
		t.Errorf("hand-worked X1 share %v, not 0.76593", x1)
	}
	c, _ := custody.Origin(ctx, db, "urn:t:lot:X1")
	if len(c.Runs) != 1 || len(c.Runs[0].Outputs) != 2 || !near(c.Runs[0].Elements[0].In, 5) || !near(c.Runs[0].Elements[0].OutTonnes(), 4.3) ||
		!near(c.Runs[0].Elements[1].In, 3) || !near(c.Runs[0].Elements[1].OutTonnes(), 2.7) {
		t.Errorf("run balance %+v", c.Runs)
	}
}

// TestElementGain is case (d): M (1 t Nd, 2 t Pr, Myanmar) makes Z, 10 t
// at 12 % Nd = 1.2 t Nd > 1 t × 1.005 — an anomaly on the run — and 10 %
// Pr = 1 t ≤ 2 t, which is fine. The anomaly is on the lot (walked and
// kept mix) and the certificate; the trace shows it too. The gain is not
// counted as metal: Z's Nd is counted as the 1 t its input held
// (element_capped; 50 × 2 % = 1 t), its Pr as measured (1 t).
func TestElementGain(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("M", "ree_concentrate", "MMR", 50, "Nd:2", "Pr:4"),
		runOf("G", "cb", "2025-10-10T00:00:00Z", []string{"M:50"}, product{lot: "Z", commodity: "ree_carbonate", t: 10, assays: []string{"Nd:12", "Pr:10"}}),
	))
	ctx := context.Background()
	for _, evidence := range []bool{true, false} {
		c, err := custody.OriginOf(ctx, db, "urn:t:lot:Z", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Anomalies) != 2 || c.Anomalies[0].Kind != "element_gain" || !strings.Contains(c.Anomalies[0].Detail, "1.2 t Nd but its inputs only 1 t") ||
			c.Anomalies[0].Events[0] != "urn:t:ev:G" || c.Anomalies[1].Kind != "element_capped" || !strings.Contains(c.Anomalies[1].Detail, "1 t Nd is its share of what the run's inputs held") || !strings.Contains(c.Anomalies[1].Detail, "the other 0.2 t Nd came from no recorded input") {
			t.Errorf("evidence %v: anomalies %+v", evidence, c.Anomalies)
		}
		// Nd: 1.2 t by assay, 1 t recorded, 0.2 t of no recorded input.
		if !near(c.Elements["Nd"].Recorded(), 1) || !near(c.Elements["Pr"].Recorded(), 1) || !near(c.Elements["Nd"].Tonnes, 1.2) || !near(c.Elements["Nd"].UnknownOrigin, 0.2) {
			t.Errorf("evidence %v: Nd %+v, Pr %+v, want Nd 1.2 t (1 recorded, 0.2 unknown origin), Pr 1 t", evidence, c.Elements["Nd"], c.Elements["Pr"])
		}
	}
	cert := issue(t, db, "urn:t:lot:Z")
	if !strings.Contains(string(cert), "element_gain") {
		t.Error("certificate does not carry the element anomaly")
	}
	// A site that declares a tolerance of 10 % (cm:elementTolerance, the
	// most allowed, fix9y): Nd 50 × 2 % = 1 t in; out 10 × 10.5 % = 1.05 t,
	// within 1 × 1.10 = 1.10 t (Pr 50 × 4 % = 2 t in, 10 × 10 % = 1 t out).
	loose := strings.Replace(doc(map[string]string{"loose": "controlled_blending"},
		feed("M", "ree_concentrate", "MMR", 50, "Nd:2", "Pr:4"),
		runOf("G", "loose", "2025-10-10T00:00:00Z", []string{"M:50"}, product{lot: "Z", commodity: "ree_carbonate", t: 10, assays: []string{"Nd:10.5", "Pr:10"}})),
		`"attribute": "controlled_blending"}`, `"attribute": "controlled_blending"}, {"id": "https://ns.critmin.org/mineral/v1/elementTolerance", "attribute": "0.1"}`, 1)
	c, err := custody.Origin(ctx, store(t, loose), "urn:t:lot:Z")
	if err != nil || len(c.Anomalies) != 0 || c.Runs[0].Elements[0].Tolerance != 0.1 {
		t.Errorf("declared tolerance: %+v %v", c, err)
	}
}

// TestGradeNotMeasured: a product without its own assay has no grade
// and unknown element shares; its feed's 4 % Nd is not inherited, and
// its overall origin states no share: basis "grade_not_measured" (fix9j:
// it was "none", which a reader took for a 100 % unknown share).
func TestGradeNotMeasured(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 100, "Nd:4"),
		runOf("N", "cb", "2025-10-10T00:00:00Z", []string{"P:100"}, product{lot: "U", commodity: "ree_carbonate", t: 10}),
		runOf("N2", "cb", "2025-10-11T00:00:00Z", []string{"U:10"}, product{lot: "V", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:50"}}),
	))
	ctx := context.Background()
	u, err := custody.Origin(ctx, db, "urn:t:lot:U")
	if err != nil || u.GradeMeasured || len(u.Elements) != 0 || strings.Join(u.NotMeasured, ",") != "Nd" || u.Overall.Basis != "grade_not_measured" || len(u.Overall.ByCountry) != 0 || u.Anomalies[0].Kind != "grade_not_measured" {
		t.Errorf("not measured: %+v %v", u, err)
	}
	// V is assayed, but its Nd came through U, whose Nd is not measured:
	// V's Nd shares are unknown too, and its run balance is unchecked.
	v, err := custody.Origin(ctx, db, "urn:t:lot:V")
	if err != nil || share(v.Elements["Nd"].ByCountry, custody.Unknown).Share != 1 || !near(v.Elements["Nd"].Tonnes, 0.5) {
		t.Errorf("downstream of not measured: %+v %v", v, err)
	}
	for _, r := range v.Runs {
		if r.Event == "urn:t:ev:N2" && (len(r.Elements) != 1 || r.Elements[0].Checked) {
			t.Errorf("run N2 %+v", r)
		}
	}
}

// TestAsReceivedAssay is case (e): 100 t wet at 10 % moisture, assayed
// 3.6 % Nd as received, with the moisture measured in the same event:
// dry grade 3.6 / (1 − 0.10) = 4 % Nd; 90 dmt × 4 % = 3.6 t Nd (= 100 wet
// × 3.6 %). A later moisture report of 20 % and a weighing of 95 t make the
// lot 95 × 0.8 = 76 dmt; the assay keeps its own moisture: still 4 % dry,
// 3.04 t Nd. An as-received assay without moisture is refused, nothing
// stored.
func TestAsReceivedAssay(t *testing.T) {
	db := store(t, doc(map[string]string{},
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:AR", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		  "quantityList": [{"epcClass": "urn:t:lot:AR", "quantity": 100, "uom": "TNE"}],
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.1,
		           "cm:assay": [{"cm:analyte": "Nd", "cm:value": 3.6, "cm:unit": "%", "cm:basis": "as_received"}]}}`))
	ctx := context.Background()
	l, err := db.FindLot(ctx, "urn:t:lot:AR")
	if err != nil {
		t.Fatal(err)
	}
	if g := custody.GradesOf(l)["Nd"]; !near(g, 0.04) {
		t.Errorf("dry grade %v, want 0.04", g)
	}
	c, err := custody.Origin(ctx, db, "urn:t:lot:AR")
	if err != nil || !near(c.Elements["Nd"].Tonnes, 3.6) || !near(c.DryTonnes, 90) {
		t.Errorf("contained %+v %v", c, err)
	}
	svc := ledger.NewService(db)
	later := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-05T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:AR"}], "sensorElementList": [{"sensorReport": [
	   {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": %s, "uom": "P1"},
	   {"type": "Mass", "value": 95, "uom": "TNE"}]}]}]}}`
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fmt.Sprintf(later, "20"))}); err != nil {
		t.Fatal(err)
	}
	l, _ = db.FindLot(ctx, "urn:t:lot:AR")
	if !near(l.WetTonnes, 95) || !near(l.DryTonnes, 76) || !near(custody.GradesOf(l)["Nd"], 0.04) {
		t.Errorf("after the sensor reports: wet %v dry %v grade %v", l.WetTonnes, l.DryTonnes, custody.GradesOf(l)["Nd"])
	}
	bad := []struct{ name, body string }{
		{"moisture 100 %", fmt.Sprintf(later, "100")},
		{"as received without moisture", `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-05T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:NOM", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "quantityList": [{"epcClass": "urn:t:lot:NOM", "quantity": 1, "uom": "TNE"}], "ilmd": {"cm:assay": [{"cm:analyte": "Nd", "cm:value": 3, "cm:unit": "%", "cm:basis": "as_received"}]}}]}}`},
		{"unknown basis", `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-05T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:NOB", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "quantityList": [{"epcClass": "urn:t:lot:NOB", "quantity": 1, "uom": "TNE"}], "ilmd": {"cm:assay": [{"cm:analyte": "Nd", "cm:value": 3, "cm:unit": "%", "cm:basis": "wet"}]}}]}}`},
	}
	for _, b := range bad {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(b.body)})
		fields := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fields) == 0 {
			t.Errorf("%s: %v", b.name, err)
			continue
		}
		if !strings.Contains(fields[0].Pointer, "sensorElementList") && !strings.Contains(fields[0].Pointer, "cm:assay") {
			t.Errorf("%s: field %q", b.name, fields[0].Pointer)
		}
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:NOM"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused capture stored a lot: %v", err)
	}
	if l, _ := db.FindLot(ctx, "urn:t:lot:AR"); !near(*l.Moisture, 0.2) {
		t.Errorf("refused moisture stored: %v", *l.Moisture)
	}
}

// issue signs a certificate for lot with a fresh key and the default pack.
func issue(t *testing.T, db custody.CertStore, lot string) []byte {
	t.Helper()
	cert, _ := issueKeyed(t, db, lot, "Test issuer", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
	b, err := json.Marshal(cert)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestElementNotAssayedInFeed: the feed F (50 t) is assayed for Nd only
// (2 % → 1.0 t Nd); the product Y (10 t) is assayed 5 % Nd (0.5 t, within
// the feed's 1.0 t) and 30 % La (3.0 t). F's La is unknown, not zero, so
// the run's La balance cannot be shown: no element_gain for La, the La
// line is unchecked, and the Nd line is checked and balanced.
func TestElementNotAssayedInFeed(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("F", "ree_concentrate", "PAK", 50, "Nd:2"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"F:50"}, product{lot: "Y", commodity: "ree_carbonate", t: 10, assays: []string{"Nd:5", "La:30"}}),
	))
	c, err := custody.Origin(context.Background(), db, "urn:t:lot:Y")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Anomalies {
		if a.Kind == "element_gain" {
			t.Errorf("false element gain: %+v", a)
		}
	}
	lines := map[string]custody.ElementLine{}
	for _, r := range c.Runs {
		if r.Event == "urn:t:ev:R" {
			for _, l := range r.Elements {
				lines[l.Element] = l
			}
		}
	}
	if la, nd := lines["La"], lines["Nd"]; la.Checked || la.Gain || !nd.Checked || nd.Gain || !near(nd.In, 1.0) || !near(nd.OutTonnes(), 0.5) {
		t.Errorf("run R lines: La %+v, Nd %+v", la, nd)
	}
}

// TestAnomalyNamesRun: anomalies name a run by its transformationID, with
// the event ID as link. Run urn:t:run:MO-1 (event G2) makes Z2, 10 t at
// 12 % Nd = 1.2 t Nd from M2's 50 t × 2 % = 1 t: element gain. Run
// urn:t:run:MO-2 (event G3) makes W, 20 t, from 5 t of M3: its outputs
// outweigh its inputs in the trace.
func TestAnomalyNamesRun(t *testing.T) {
	run := func(id, xid, in string, inT float64, out string, outT float64) string {
		return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		 "transformationID": "%s", "inputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}],
		 "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ree_carbonate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 12, "cm:unit": "%%", "cm:basis": "dry"}]}}`, id, xid, in, inT, out, outT)
	}
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("M2", "ree_concentrate", "MMR", 50, "Nd:2"),
		feed("M3", "ree_concentrate", "MMR", 5, "Nd:30"),
		run("G2", "urn:t:run:MO-1", "M2", 50, "Z2", 10),
		run("G3", "urn:t:run:MO-2", "M3", 5, "W", 20),
	))
	ctx := context.Background()
	for _, evidence := range []bool{true, false} {
		c, err := custody.OriginOf(ctx, db, "urn:t:lot:Z2", evidence)
		if err != nil {
			t.Fatal(err)
		}
		// element_gain, and element_capped (Z2's Nd counted as the 1 t M2 held).
		if len(c.Anomalies) != 2 || !strings.HasPrefix(c.Anomalies[0].Detail, "run urn:t:run:MO-1 (event urn:t:ev:G2) at urn:t:site:cb") ||
			len(c.Anomalies[0].Runs) != 1 || c.Anomalies[0].Runs[0] != "urn:t:run:MO-1" || c.Anomalies[0].Events[0] != "urn:t:ev:G2" ||
			len(c.Anomalies[1].Runs) != 1 || c.Anomalies[1].Runs[0] != "urn:t:run:MO-1" {
			t.Errorf("evidence %v: anomalies %+v", evidence, c.Anomalies)
		}
	}
	tr, err := custody.TraceLot(ctx, db, "urn:t:lot:W", custody.Backward, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range tr.Anomalies {
		got = append(got, a.Kind+": "+a.Detail)
	}
	if len(tr.Anomalies) != 1 || tr.Anomalies[0].Kind != "impossible_quantities" || !strings.HasPrefix(tr.Anomalies[0].Detail, "run urn:t:run:MO-2 (event urn:t:ev:G3): ") {
		t.Errorf("trace anomalies %v", got)
	}
}

// Oxide → element factors the hand-worked figures use: n·A(M) over the
// formula mass, IUPAC 2021 standard atomic weights (units.atomicWeights).
const (
	ndOx = 2 * 144.242 / (2*144.242 + 3*15.999)      // Nd2O3 → Nd 0.857356
	prOx = 6 * 140.90766 / (6*140.90766 + 11*15.999) // Pr6O11 → Pr 0.827704
	laOx = 2 * 138.90547 / (2*138.90547 + 3*15.999)  // La2O3 → La 0.852683
)

// issueKeyed signs a certificate for lot at at with a fresh key of its own
// and the default pack, issuer name issuer, returning the certificate and
// the key.
func issueKeyed(t *testing.T, db custody.CertStore, lot, issuer string, at time.Time) (custody.Certificate, ed25519.PrivateKey) {
	t.Helper()
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, err := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := custody.Issue(context.Background(), db, lot, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: issuer}, at)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}
