package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// maDoc is a document with sites mbA and mbB, both mass_balance.
func maDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:mbA", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "mbA"}, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]},
	   {"id": "urn:t:site:mbB", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "mbB"}, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

func maAssays(assays []string) string {
	var as []string
	for _, a := range assays {
		el, v, _ := strings.Cut(a, ":")
		as = append(as, fmt.Sprintf(`{"cm:analyte": "%s", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}`, el, v))
	}
	return strings.Join(as, ",")
}

// maFeed commissions a dry lot of t tonnes at its mine's read point.
func maFeed(lot, commodity, iso string, t float64, assays ...string) string {
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine-%s"},
	  "ilmd": {"cm:commodity": "%s", "cm:originCountry": "%s", "cm:originMine": "urn:t:site:mine-%s", "cm:moisture": 0, "cm:assay": [%s]}}`, lot, lot, t, iso, commodity, iso, iso, maAssays(assays))
}

// maRun is a run at site on day when consuming inT t of lot in into out,
// t t of commodity at the given dry assays, with ILMD extra (a claim).
func maRun(id, site, when, in string, inT float64, out, commodity string, t float64, assays []string, extra string) string {
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}],
	 "bizLocation": {"id": "urn:t:site:%s"}, "ilmd": {"cm:commodity": "%s", "cm:moisture": 0, "cm:assay": [%s]%s}}`, id, when, in, inT, out, t, site, commodity, maAssays(assays), extra)
}

const maPAK = `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`

func maDeclare(t *testing.T, cs custody.Store) {
	t.Helper()
	periods := []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}
	for _, d := range []*critmin.MassBalanceDeclaration{
		{Site: "urn:t:site:mbA", CarryForward: 1, Periods: periods, Categories: []critmin.MaterialCategory{
			{ID: "carb", Inputs: []string{"ree_concentrate"}, Product: "ree_carbonate", Elements: []string{"Nd", "Pr"}, ConversionFactor: 1}}},
		{Site: "urn:t:site:mbB", CarryForward: 1, Periods: periods, Categories: []critmin.MaterialCategory{
			{ID: "ree", Inputs: []string{"ree_carbonate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 1}}},
	} {
		if err := custody.DeclareMassBalance(context.Background(), cs, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
}

func maLine(st *custody.Statement, cat, iso string) custody.BalanceLine {
	for _, c := range st.Categories {
		if c.Category.ID == cat {
			for _, l := range c.Lines {
				if l.Country == iso {
					return l
				}
			}
		}
	}
	return custody.BalanceLine{}
}

// testMassBalanceAttributeOnce (issue 9, mbattr): a characteristic is
// attributed once (ISO 22095:2020 mass balance), and a claim must
// attribute something. Both sites factor 1, period October 2025.
//
// mbA (carb: ree_concentrate → ree_carbonate):
//
//	Oct 5 EA1: P, 10 t Pakistani concentrate, Nd 4 % + Pr 1 % = 0.5 t →
//	           X, 1 t carbonate, Nd 40 % + Pr 10 % = 0.5 t, no claim:
//	           credit PAK 0.5 t.
//	Oct 6 EA2: C, 10 t Chinese concentrate (0.5 t) → Y, 1 t carbonate
//	           (0.5 t) claiming Pakistan 100 %: 0.5 ≤ 0.5 accepted; PAK
//	           closes 0.5 − 0.5 = 0.
//
// mbB (ree: ree_carbonate → ndpr_oxide):
//
//	Oct 10 EB1: the fed carbonate (X or Y), 1 t → W, 0.7 t at Nd 57 % +
//	            Pr 14 % = 0.399 + 0.098 = 0.497 t.
//	Oct 11 EB2: CC, 1 t Chinese carbonate (0.5 t) → Z, 0.5 t at Nd 64 %
//	            + Pr 16 % = 0.4 t, claiming Pakistan 100 %.
//
// X fed: X's PAK attribute was taken by mbA's account and X carries no
// claim: mbB's PAK credit 0 ("attribute allocated at site
// urn:t:site:mbA"); Z's claim refused (400), shortfall 0.4 − 0 = 0.4 t,
// nothing stored. (Before: 0.497 t PAK credited, Z accepted — 0.9 t of
// Pakistani claims on 0.5 t of Pakistani Nd+Pr.)
// Y fed: Y carries its claim, 1 × 0.5 t × 1 = 0.5 t PAK, bounded by W's
// 0.497 t; Z's 0.4 ≤ 0.497 accepted.
// Zero: at mbB, CC → Z0, 0.5 t at Nd 0 % + Pr 0 % = 0 t, claiming
// Pakistan: refused 400, "holds 0 t Nd+Pr", nothing stored.
func testMassBalanceAttributeOnce(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name, fed, z string
		zAssays      []string
		pak          float64
		refused      []string
	}{
		{name: "unclaimed output carries nothing", fed: "X", z: "Z", zAssays: []string{"Nd:64", "Pr:16"}, refused: []string{"lot urn:t:lot:Z claims 0.4 t Nd+Pr of Pakistan origin", "site urn:t:site:mbB", "category ree", "period 2025-10", "shortfall 0.4 t"}},
		{name: "claimed output carries its claim", fed: "Y", z: "Z", zAssays: []string{"Nd:64", "Pr:16"}, pak: 0.497},
		{name: "claim on 0 t refused", fed: "Y", z: "Z0", zAssays: []string{"Nd:0", "Pr:0"}, pak: 0.497, refused: []string{"claim on lot urn:t:lot:Z0 refused", "holds 0 t Nd+Pr", "a claim must attribute something"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			cs, svc := claimService(s)
			ctx := context.Background()
			MustCapture(t, service(s), maDoc(
				maFeed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
				maFeed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
				maFeed("CC", "ree_carbonate", "CHN", 1, "Nd:40", "Pr:10"),
				maRun("EA1", "mbA", "2025-10-05T00:00:00Z", "P", 10, "X", "ree_carbonate", 1, []string{"Nd:40", "Pr:10"}, ""),
				maRun("EA2", "mbA", "2025-10-06T00:00:00Z", "C", 10, "Y", "ree_carbonate", 1, []string{"Nd:40", "Pr:10"}, maPAK),
				maRun("EB1", "mbB", "2025-10-10T00:00:00Z", tc.fed, 1, "W", "ndpr_oxide", 0.7, []string{"Nd:57", "Pr:14"}, ""),
			))
			maDeclare(t, cs)
			now := time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)
			a, err := custody.StatementOf(ctx, cs, "urn:t:site:mbA", "2025-10", nil, now)
			if err != nil {
				t.Fatal(err)
			}
			if l := maLine(a, "carb", "PAK"); !near(l.Credits, 0.5) || !near(l.Claims, 0.5) || !near(l.Closing, 0) {
				t.Errorf("mbA PAK %+v, want credits 0.5, claims 0.5, closing 0", l)
			}
			b, err := custody.StatementOf(ctx, cs, "urn:t:site:mbB", "2025-10", nil, now)
			if err != nil {
				t.Fatal(err)
			}
			pak := maLine(b, "ree", "PAK")
			if !near(pak.Credits, tc.pak) || !near(pak.Closing, tc.pak) {
				t.Errorf("mbB PAK %+v, want credits and closing %v", pak, tc.pak)
			}
			if !strings.Contains(strings.Join(pak.Notes, "; "), "attribute allocated at site urn:t:site:mbA") {
				t.Errorf("mbB PAK notes %q, want the reason naming site urn:t:site:mbA", pak.Notes)
			}
			if c := maLine(b, "ree", "CHN"); c.Credits > 1e-9 {
				t.Errorf("mbB CHN %+v, want no credit: the carbonate's physical origin was credited at mbA", c)
			}
			before, _ := s.CountEvents(ctx)
			_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(maDoc(maRun("EB2", "mbB", "2025-10-11T00:00:00Z", "CC", 1, tc.z, "ndpr_oxide", 0.5, tc.zAssays, maPAK)))})
			after, _ := s.CountEvents(ctx)
			if len(tc.refused) == 0 {
				if err != nil {
					t.Fatalf("Z's 0.4 t claim on 0.497 t: %v", err)
				}
				return
			}
			if critmin.ErrorCode(err) != critmin.EINVALID {
				t.Fatalf("claim on %s: %v, want EINVALID (400)", tc.z, err)
			}
			for _, want := range tc.refused {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal lacks %q: %v", want, err)
				}
			}
			if after != before {
				t.Errorf("events %d → %d, want nothing stored", before, after)
			}
		})
	}
}
