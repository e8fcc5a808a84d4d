package plan

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// fixPjBlendY records new-user check n9a-3's lot Y (s1, s16, s16b) in a
// fresh store and pulls the demo network's ledger supplies: feed P (PAK,
// 60 dmt, Nd 8 %, Pr 2 %) packed into container C1, and feed M (second,
// 40 dmt, Nd mNd % — not assayed for Nd when mNd < 0 —, Pr 3 %) loose, both shipped to a US refinery
// (controlled blending) and received; run R takes C1 and M and makes X
// (5 t NdPr oxide, Nd 60 %, Pr 20 %) and Y (10 t ree_concentrate, Nd 5 %,
// Pr 5 %); Y is shipped to the demo's Houston site, received, and then
// assayed TREO 15 % there (a sensor report). It returns the store, the
// pulled network and Y's supply.
func fixPjBlendY(t *testing.T, second string, mNd float64) (*sqldb.DB, *Network, *Supply) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const (
		hou = "urn:critmin:demo:site:houston"
		pk  = "urn:t:site:pkmine"
		mm  = "urn:t:site:secondmine"
		us  = "urn:t:site:usref"
	)
	cc := map[string]string{"PAK": "PK", "MMR": "MM", "CHN": "CN"}
	site := func(id, name, c, kind, model string) string {
		m := ""
		if model != "" {
			m = `, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "` + model + `"}`
		}
		return `{"id": "` + id + `", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "` + name + `"}, {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "` + c + `"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "` + kind + `"}` + m + `]}`
	}
	at := func(day int) string { return fmt.Sprintf("2026-10-%02dT00:00:00Z", day) }
	feed := func(lot, iso string, dmt, nd, pr float64, loc string) string {
		a := fmt.Sprintf(`{"cm:analyte": "Nd", "cm:value": %g, "cm:unit": "%%", "cm:basis": "dry"}, `, nd)
		if nd < 0 {
			a = "" // Nd not assayed
		}
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %g, "uom": "TNE"}], "readPoint": {"id": "%s"}, "bizLocation": {"id": "%s"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "%s", "cm:moisture": 0,
	   "cm:assay": [%s{"cm:analyte": "Pr", "cm:value": %g, "cm:unit": "%%", "cm:basis": "dry"}]}}`, lot, at(1), lot, dmt, loc, loc, iso, a, pr)
	}
	move := func(id, step, epcs, qty, from, to string, day int, bol string) string {
		loc, disp := to, "in_progress"
		if step == "shipping" {
			loc, disp = from, "in_transit"
		}
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "%s", "disposition": "%s",
	  "epcList": %s, "quantityList": %s, "readPoint": {"id": "%s"}, "bizLocation": {"id": "%s"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:%s"}], "sourceList": [{"type": "location", "source": "%s"}], "destinationList": [{"type": "location", "destination": "%s"}]}`,
			id, at(day), step, disp, epcs, qty, loc, loc, bol, from, to)
	}
	qty := func(lot string, t float64) string {
		return fmt.Sprintf(`[{"epcClass": "urn:t:lot:%s", "quantity": %g, "uom": "TNE"}]`, lot, t)
	}
	const c1 = `["urn:t:container:C1"]`
	output := func(id, lot string, t float64, commodity string, nd, pr float64) string {
		return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R",
	  %s"outputQuantityList": %s, "readPoint": {"id": "%s"}, "bizLocation": {"id": "%s"},
	  "ilmd": {"cm:commodity": "%s", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": %g, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": %g, "cm:unit": "%%", "cm:basis": "dry"}]}}`,
			id, at(6), map[bool]string{true: `"inputEPCList": ` + c1 + `, "inputQuantityList": ` + qty("M", 40) + `, `}[id == "run"], qty(lot, t), us, us, commodity, nd, pr)
	}
	events := []string{
		feed("P", "PAK", 60, 8, 2, pk), feed("M", second, 40, mNd, 3, mm),
		`{"type": "AggregationEvent", "eventID": "urn:t:ev:pk1", "eventTime": "` + at(2) + `", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing", "parentID": "urn:t:container:C1",
	  "childQuantityList": ` + qty("P", 60) + `, "readPoint": {"id": "` + pk + `"}, "bizLocation": {"id": "` + pk + `"}}`,
		move("s1", "shipping", c1, "[]", pk, us, 3, "B1"), move("s2", "shipping", "[]", qty("M", 40), mm, us, 3, "B2"),
		move("r1", "receiving", c1, "[]", pk, us, 5, "B1"), move("r2", "receiving", "[]", qty("M", 40), mm, us, 5, "B2"),
		output("run", "X", 5, "ndpr_oxide", 60, 20), output("run2", "Y", 10, "ree_concentrate", 5, 5),
		move("sy", "shipping", "[]", qty("Y", 10), us, hou, 7, "BY"), move("ry", "receiving", "[]", qty("Y", 10), us, hou, 9, "BY"),
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:treo", "eventTime": "` + at(10) + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:Y"}], "readPoint": {"id": "` + hou + `"}, "bizLocation": {"id": "` + hou + `"},
	  "sensorElementList": [{"sensorMetadata": {"time": "` + at(10) + `"}, "sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/TREO", "value": 15, "uom": "P1", "cm:basis": "dry"}]}]}`,
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "` + at(1) + `",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` +
		site(pk, "PK mine", "PK", "mine", "") + "," + site(mm, "second mine", cc[second], "mine", "") + "," + site(us, "US refinery", "US", "refinery", "controlled_blending") + `]}]}},
	 "epcisBody": {"eventList": [`
	for i, e := range events {
		if i > 0 {
			doc += ","
		}
		doc += e
	}
	doc += `]}}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	n := Demo()
	n.Supplies = nil
	if err := n.PullLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
	for i := range n.Supplies {
		if n.Supplies[i].Lot == "urn:t:lot:Y" {
			return db, n, &n.Supplies[i]
		}
	}
	t.Fatalf("lot Y is no supply (warnings %v): %+v", n.Warnings, n.Supplies)
	return nil, nil, nil
}

// TestLedgerBlendClassFollowsPhysicalOrigin (issue 9 §5 "one origin
// function", new-user check n9a-3): the planner's class of a blended,
// container-fed lot assayed after a move is the physical origin the
// covered-country rule reads.
//
// Y holds Nd 10 × 5 % = 0.5 t and Pr 10 × 5 % = 0.5 t. The run's feed
// holds Nd 60 × 8 % = 4.8 t (P) + 40 × 2 % = 0.8 t (M) = 5.6 t and Pr
// 60 × 2 % = 1.2 t + 40 × 3 % = 1.2 t = 2.4 t, so under controlled
// blending Y's Nd is 4.8 ÷ 5.6 = 85.7143 % P's (0.428571 t) and
// 0.8 ÷ 5.6 = 14.2857 % M's (0.071429 t); its Pr is 50 % each (0.25 t).
// At Nd 85.145495 $/kg and Pr 89.403925 $/kg (prices.csv, the lot
// page's contained value):
//
//	P: 428.571 kg × 85.145495 + 250 kg × 89.403925 = 36 490.9 + 22 351.0 = 58 841.9 $
//	M:  71.429 kg × 85.145495 + 250 kg × 89.403925 =  6 081.8 + 22 351.0 = 28 432.8 $
//	total 87 274.7 $: P 0.674215, M 0.325785 (basis contained_value).
//
// The TREO 15 % assayed at Houston after the move has no feed TREO to
// share it by (the feeds were assayed for Nd and Pr only), so its
// origin shares are unknown; every feed's country is known by dry mass
// (P 60 %, M 40 %) and the TREO came from those feeds alone, so
// dfars-covered-countries reads the countries {PAK, M's} and nothing of
// unknown country.
//
//   - M from Myanmar: the rule passes; the supply is PAK 0.674215 / MMR
//     0.325785, no UNK among its origins, class unrestricted — the
//     DFARS magnet buyer may take it. Before, the TREO's unknown share put
//     UNK at 0 among its origins and the stream was class UNK, barred
//     from every buyer that excludes covered or unknown origins.
//   - M from China: the rule fails (China is a stage of Y's physical
//     origin); the supply is named CHN, PAK 0.674215 / CHN 0.325785, and
//     its class is China's covered class — never unrestricted, never UNK
//     alone.
//
// Each supply then plans in blendNetwork (grade E = its NdPr 0.1, in
// place of lot c) and plan.Check passes. Y's 10 t make 10 × 0.1 = 1 t of
// oxide and lot a's 20 t × 10 % = 2 t. Unrestricted, the 3 t are one
// class: 1 t to the stockpile S (saving its 1 500 penalty) and 2 t to
// the DFARS buyer D at 1 000: margin 2 000, Myanmar content reaching D.
// Covered (or UNK, as before), Y's 1 t goes only to the open buyer O at
// 600 and a's 2 t to S (1 t) and D (1 t, 1 000): margin 1 600, no
// Chinese content at D.
func TestLedgerBlendClassFollowsPhysicalOrigin(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		second    string
		pass      bool
		origin    string
		wantClass func(*classes) string
	}{
		{"MMR", true, "PAK", func(*classes) string { return Unrestricted }},
		{"CHN", false, "CHN", func(cl *classes) string { return cl.label("CHN") }},
	} {
		t.Run(c.second, func(t *testing.T) {
			db, n, sp := fixPjBlendY(t, c.second, 2)
			want := map[string]float64{"PAK": 0.674215, c.second: 0.325785}
			same := len(sp.OriginShares) == len(want)
			for k, v := range want {
				got, ok := sp.OriginShares[k]
				same = same && ok && math.Abs(got-v) < 5e-7
			}
			if !same || sp.OriginBasis != "contained_value" || sp.OriginCountry != c.origin || math.Abs(sp.Grade["NdPr"]-0.1) > 1e-9 || math.Abs(sp.Grade["TREO"]-0.15) > 1e-9 {
				t.Errorf("supply %s: origin %q shares %v basis %q grade %v; want %q, %v by contained_value, NdPr 0.1, TREO 0.15",
					sp.ID, sp.OriginCountry, sp.OriginShares, sp.OriginBasis, sp.Grade, c.origin, want)
			}
			vs, err := custody.Evaluate(ctx, db, "urn:t:lot:Y", custody.DefaultPack())
			if err != nil {
				t.Fatal(err)
			}
			rule := ""
			for _, v := range vs {
				if v.Rule == "dfars-covered-countries" {
					rule = v.Status
					if (v.Status == custody.Pass) != c.pass {
						t.Errorf("dfars-covered-countries %s (%s); want pass %v", v.Status, v.Detail, c.pass)
					}
				}
			}
			if rule == "" {
				t.Fatal("no dfars-covered-countries verdict")
			}
			m, err := build(n, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range m.streams {
				if st.Supply != sp.ID {
					continue
				}
				if st.Class != c.wantClass(m.classes) || slices.Contains(st.Origins, UnknownOrigin) {
					t.Errorf("stream %s: class %q origins %v; want class %q, no UNK (dfars-covered-countries: %s)", st.ID, st.Class, st.Origins, c.wantClass(m.classes), rule)
				}
			}
			// Planned with plan.Check's invariants: 1 t of oxide from Y.
			bn := blendNetwork()
			bn.Supplies[1] = Supply{ID: "y", Site: "R", Commodity: "conc", OriginCountry: sp.OriginCountry, OriginShares: sp.OriginShares, OriginBasis: sp.OriginBasis,
				Grade: map[string]float64{"E": sp.Grade["NdPr"]}, Tonnes: sp.Tonnes, Owned: true, Lot: sp.Lot}
			p := run(t, bn, Baseline, Options{})
			toD := Mix{}
			for _, s := range p.Sales {
				if s.Contract == "d" {
					for o, v := range s.Origins {
						toD[o] += v
					}
				}
			}
			for _, st := range p.Streams {
				if st.ID == "supply:y" && st.Class != c.wantClass(bn.originClasses()) {
					t.Errorf("planned stream supply:y class %q, want %q", st.Class, c.wantClass(bn.originClasses()))
				}
			}
			if c.pass && (!near(p.KPIs.Margin, 2000) || toD[c.second] <= 0) {
				t.Errorf("margin %v, D bought %v; want 2000 with Y's %s content at D", p.KPIs.Margin, toD, c.second)
			}
			if !c.pass && (!near(p.KPIs.Margin, 1600) || toD["CHN"] > 0) {
				t.Errorf("margin %v, D bought %v; want 1600 and no Chinese content at the DFARS buyer", p.KPIs.Margin, toD)
			}
		})
	}
}

// TestLedgerBlendNotMeasuredExplained: when the planner does bar a lot
// the covered-country rule passes on — part of it of unknown origin
// because a feed's grade is not measured — the plan says so (n9a-3: "if
// a grade the planner needs is unmeasured, leaving it out or UNK must be
// explained in the plan output").
//
// Y as above with feed M (Myanmar) not assayed for Nd: Y's 0.5 t Nd has
// unknown shares, its 0.5 t Pr is 0.25 t each. By contained value, Nd
// 500 kg × 85.145495 = 42 572.75 $ of 42 572.75 + 500 × 89.403925 =
// 87 274.71 $: 0.487802 of Y is of unknown origin (UNK), and the rest
// 0.512198 splits by Pr, PAK 0.256099 and MMR 0.256099. Every feed's
// country is known by dry mass (Pakistan 60 %, Myanmar 40 %), so
// dfars-covered-countries passes, but the planner classes Y UNK — the
// warning names the lot, "48.8 % of unknown origin", why (a feed's grade
// of Nd is not measured) and the countries.
func TestLedgerBlendNotMeasuredExplained(t *testing.T) {
	db, n, sp := fixPjBlendY(t, "MMR", -1)
	want := map[string]float64{UnknownOrigin: 0.487802, "PAK": 0.256099, "MMR": 0.256099}
	for k, v := range want {
		if math.Abs(sp.OriginShares[k]-v) > 5e-7 {
			t.Errorf("supply %s shares %v; want %v", sp.ID, sp.OriginShares, want)
			break
		}
	}
	vs, err := custody.Evaluate(context.Background(), db, "urn:t:lot:Y", custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == "dfars-covered-countries" && v.Status != custody.Pass {
			t.Errorf("dfars-covered-countries %s (%s); want pass", v.Status, v.Detail)
		}
	}
	w := strings.Join(n.Warnings, "\n")
	for _, part := range []string{"ledger lot urn:t:lot:Y planned with 48.8 % of unknown origin (UNK): a feed's grade of Nd is not measured", "every feed's country is known by dry mass (Myanmar, Pakistan)"} {
		if !strings.Contains(w, part) {
			t.Errorf("warnings %q; want %q", n.Warnings, part)
		}
	}
}

// TestLedgerSupplyClassedByProcessingCountry (issue 9 §5, fixPj):
// dfars-covered-countries reads where material was processed as well as
// where it was mined (DFARS 252.225-7052: "mined, refined, separated,
// melted, or produced"), and so does the planner's class. P, 10 t of
// Pakistani concentrate (Nd 5 %, TREO 15 %), is run at a refinery in
// China (the run's read point; master data CN) into Z, 10 t at Nd 5 %,
// TREO 15 %, standing at Houston. Z's metal is all P's: shares PAK 1.
// The rule fails ("processed at … in China"); Z's supply is named CHN,
// origins [CHN PAK] with CHN at 0 (nothing was mined there), planned in
// China's covered class. Before, it was PAK, class unrestricted: a
// wrong pass that let China-refined material reach the DFARS buyer.
// The same run at a refinery of no recorded country: the rule fails (a
// stage's country is unknown) and the supply is class UNK, origins
// [PAK UNK].
func TestLedgerSupplyClassedByProcessingCountry(t *testing.T) {
	for _, c := range []struct {
		name, country string
		origin        string
		origins       []string
		class         func(*classes) string
	}{
		{"refined in China", "CN", "CHN", []string{"CHN", "PAK"}, func(cl *classes) string { return cl.label("CHN") }},
		{"refined where no country is recorded", "", "PAK", []string{"PAK", UnknownOrigin}, func(*classes) string { return UnknownOrigin }},
		{"refined in the United States", "US", "PAK", []string{"PAK"}, func(*classes) string { return Unrestricted }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			const hou = "urn:critmin:demo:site:houston"
			ref := `{"id": "urn:t:site:ref", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "refinery"}]}`
			if c.country != "" {
				ref = `{"id": "urn:t:site:ref", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "` + c.country + `"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "refinery"}]}`
			}
			assay := `[{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "TREO", "cm:value": 15, "cm:unit": "%", "cm:basis": "dry"}]`
			doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:pk", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}, ` + ref + `]}]}},
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:P", "eventTime": "2026-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:pk"}, "bizLocation": {"id": "urn:t:site:pk"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": ` + assay + `}},
	 {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2026-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:ref"}, "bizLocation": {"id": "` + hou + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": ` + assay + `}}]}}`
			if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
				t.Fatal(err)
			}
			n := Demo()
			n.Supplies = nil
			if err := n.PullLedger(ctx, db); err != nil {
				t.Fatal(err)
			}
			vs, err := custody.Evaluate(ctx, db, "urn:t:lot:Z", custody.DefaultPack())
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Rule == "dfars-covered-countries" && (v.Status == custody.Pass) != (c.country == "US") {
					t.Errorf("dfars-covered-countries %s (%s)", v.Status, v.Detail)
				}
			}
			m, err := build(n, Options{})
			if err != nil {
				t.Fatal(err)
			}
			seen := false
			for _, st := range m.streams {
				if st.Lot != "urn:t:lot:Z" {
					continue
				}
				seen = true
				if st.Origin != c.origin || !slices.Equal(st.Origins, c.origins) || st.Class != c.class(m.classes) || math.Abs(st.Shares["PAK"]-1) > 1e-9 && st.Shares != nil {
					t.Errorf("stream %s: origin %q origins %v shares %v class %q; want %q %v, PAK 1, class %q", st.ID, st.Origin, st.Origins, st.Shares, st.Class, c.origin, c.origins, c.class(m.classes))
				}
			}
			if !seen {
				t.Fatalf("Z is no stream (warnings %v)", m.warnings)
			}
		})
	}
}
