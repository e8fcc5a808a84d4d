package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestLedgerBlendKeepsZeroShareCountry (issue 9 §5 "one origin
// function", new-user check fix9ay, 1): run R at Houston blends 10 dmt of
// Pakistani concentrate (P: Nd2O3 4 %, TREO 10 %) with 10 dmt of Chinese
// (C: Nd2O3 0 %, TREO 10 %) into blend lot B, 20 dmt at Nd2O3 2 %, TREO
// 10 %. Houston is in the United States by master data (since fixPj the
// planner classes a lot by where its runs ran too, as
// dfars-covered-countries does: a run at a site of no known country
// would add UNK).
//
// Contained Nd (Nd2O3 → Nd 0.857356): P 10 × 4 % × 0.857356 = 0.342942 t,
// C 10 × 0 % = 0 t. Nd is the only priced element, so the lot page's
// headline is by contained value: Pakistan 0.342942 ÷ 0.342942 = 100 %,
// China 0 %. By dry mass B is 10 ÷ 20 = 50 % each: China is in the
// physical feed.
//
// The planner's supply of B must carry the lot page's split — PAK 1, CHN
// 0, basis contained_value — and keep China among its origins and in
// its class (DFARS 252.225-7052 reads the physical feed: covered content
// at all keeps a blend covered). Its 20 t then split 20 × 1 = 20 t PAK,
// 20 × 0 = 0 t CHN. Before the fix normShares dropped the 0 share, left
// one origin and returned nil: the stream was origins [CHN], all 20 t
// China.
func TestLedgerBlendKeepsZeroShareCountry(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const houston = "urn:critmin:demo:site:houston"
	assays := func(nd string) string {
		return fmt.Sprintf(`[{"cm:analyte": "Nd2O3", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "TREO", "cm:value": 10, "cm:unit": "%%", "cm:basis": "dry"}]`, nd)
	}
	feed := func(lot, iso, nd string) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2026-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine-%s"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "%s", "cm:originMine": "urn:t:site:mine-%s", "cm:moisture": 0, "cm:assay": %s}}`, lot, lot, iso, iso, iso, assays(nd))
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [{"id": "` + houston + `", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "controlled_blending"}, {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}]}]}]}},
	 "epcisBody": {"eventList": [` + feed("P", "PAK", "4") + "," + feed("C", "CHN", "0") + `,
	 {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2026-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:B", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "` + houston + `"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:R-facts", "eventTime": "2026-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:B"}], "bizLocation": {"id": "` + houston + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": ` + assays("2") + `}}]}}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	n := Demo()
	n.Supplies = nil
	if err := n.PullLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
	var sp *Supply
	for i := range n.Supplies {
		if n.Supplies[i].Lot == "urn:t:lot:B" {
			sp = &n.Supplies[i]
		}
	}
	if sp == nil {
		t.Fatalf("blend lot B is no supply: %+v", n.Supplies)
	}
	// The lot page's headline: the one origin function.
	page, err := custody.OriginOf(ctx, db, "urn:t:lot:B", true)
	if err != nil {
		t.Fatal(err)
	}
	h := page.Headline()
	if h.Basis != "contained_value" || len(h.ByCountry) == 0 || h.ByCountry[0].Key != "PAK" || math.Abs(h.ByCountry[0].Share-1) > 1e-9 {
		t.Fatalf("lot page headline %s %+v; want Pakistan 100 %% by contained value", h.Basis, h.ByCountry)
	}
	if sp.OriginBasis != h.Basis || math.Abs(sp.OriginShares["PAK"]-1) > 1e-9 || sp.OriginShares["CHN"] != 0 || len(sp.OriginShares) != 2 || sp.OriginCountry != "CHN" || sp.Tonnes != 20 {
		t.Errorf("supply %s: origin %q shares %v basis %q, %v t; want CHN (covered content), PAK 1 and CHN 0 by %s, 20 t", sp.ID, sp.OriginCountry, sp.OriginShares, sp.OriginBasis, sp.Tonnes, h.Basis)
	}
	m, err := build(n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var st *Stream
	for i := range m.streams {
		if m.streams[i].Supply == sp.ID {
			st = &m.streams[i]
		}
	}
	if st == nil {
		t.Fatalf("no stream of supply %s (warnings %v)", sp.ID, m.warnings)
	}
	if !slices.Equal(st.Origins, []string{"CHN", "PAK"}) || st.Class != m.classes.label("CHN") {
		t.Errorf("stream origins %v class %q; want [CHN PAK] in China's (covered) class %q", st.Origins, st.Class, m.classes.label("CHN"))
	}
	split := map[string]float64{}
	for _, os := range st.originShares() {
		split[os.origin] += sp.Tonnes * os.share
	}
	if math.Abs(split["PAK"]-20) > 1e-9 || split["CHN"] != 0 {
		t.Errorf("20 t split %v; want PAK 20 t, CHN 0 t (the lot page's contained-value split)", split)
	}
	// The network the ledger filled is a planning file as
	// plan/network.schema.json publishes it: origin_shares, origin_basis
	// and holding included (lead9s; before, the schema refused them).
	var v any
	b, _ := json.Marshal(n)
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if err := validateAgainstSchema(v); err != nil {
		t.Errorf("the pulled network does not match network.schema.json: %v", err)
	}
}

// TestNormSharesKeepsEveryCountry: normShares scales to 1 and keeps each
// country given. {PAK 0.4, CHN 0}: 0.4 ÷ 0.4 = 1, CHN 0 kept; {PAK 3,
// MMR 1}: 3 ÷ 4 = 0.75, 1 ÷ 4 = 0.25; {CHN 1} with origin CHN: nil (the
// stream's Origin says it all); {PAK 1} under origin CHN (the class of a
// covered country seen in another view) stays; {CHN 0}: nothing
// positive, nil.
func TestNormSharesKeepsEveryCountry(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     map[string]float64
		origin string
		want   map[string]float64
	}{
		{"zero share kept", map[string]float64{"PAK": 0.4, "CHN": 0}, "CHN", map[string]float64{"PAK": 1, "CHN": 0}},
		{"scaled", map[string]float64{"PAK": 3, "MMR": 1}, "PAK", map[string]float64{"PAK": 0.75, "MMR": 0.25}},
		{"only the origin", map[string]float64{"CHN": 1}, "CHN", nil},
		{"one other country", map[string]float64{"PAK": 1}, "CHN", map[string]float64{"PAK": 1}},
		{"nothing positive", map[string]float64{"CHN": 0}, "CHN", nil},
	} {
		got := normShares(c.in, c.origin)
		if len(got) != len(c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for k, v := range c.want {
			if g, ok := got[k]; !ok || math.Abs(g-v) > 1e-12 {
				t.Errorf("%s: %s %v, want %v", c.name, k, got[k], v)
			}
		}
	}
}
