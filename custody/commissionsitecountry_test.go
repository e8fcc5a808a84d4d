package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// commissionedAt is a document whose master data gives site cn, a mine,
// the country China (countryCode CN) and site nowhere no country; lot F, 10 t
// at Nd 4 %, is commissioned at site (readPoint and bizLocation) without
// cm:originCountry or cm:originMine, and run R at site cb makes Z, 2 t at
// Nd 15 %.
func commissionedAt(site string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:cn", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]},
	   {"id": "urn:t:site:nowhere", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "no country"}]},
	   {"id": "urn:t:site:cb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "controlled_blending"}]}]}]}},
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:F", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:F", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:` + site + `"}, "bizLocation": {"id": "urn:t:site:` + site + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:ship", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	  "quantityList": [{"epcClass": "urn:t:lot:F", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:cb"}, "bizLocation": {"id": "urn:t:site:cb"}},
	 {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:F", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 15, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
}

// TestOriginCountryFromCommissioningSite (issue 9, fix9g): a lot
// commissioned without a stated country or mine at a site master data
// places in China is of Chinese physical origin (the site's country, as a
// mine's is), whatever site it stands at later: F (10 t, 0.4 t Nd) is
// China 100 % by dry mass and by Nd, and so is Z made from it (2 t ×
// 15 % = 0.3 t Nd, all from F) — on the lot page (OriginOf), in the lot
// list (Origins, kept mixes) and for the covered-country rule, which
// fails for both.
func TestOriginCountryFromCommissioningSite(t *testing.T) {
	ctx := context.Background()
	db := store(t, commissionedAt("cn"))
	for _, lot := range []string{"F", "Z"} {
		id := "urn:t:lot:" + lot
		for _, evidence := range []bool{true, false} {
			o, err := custody.OriginOf(ctx, db, id, evidence)
			if err != nil {
				t.Fatal(err)
			}
			if share(o.Mass.ByCountry, "CHN").Share != 1 || share(o.Elements["Nd"].ByCountry, "CHN").Share != 1 {
				t.Errorf("%s (evidence %v): mass %+v, Nd %+v, want China 100 %%", lot, evidence, o.Mass.ByCountry, o.Elements["Nd"].ByCountry)
			}
		}
		l, err := db.FindLot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
		if err != nil {
			t.Fatal(err)
		}
		if h := list[l.ID].Headline(); len(h.ByCountry) != 1 || h.ByCountry[0].Key != "CHN" {
			t.Errorf("%s: lot list headline %q, want China 100 %%", lot, h.Text)
		}
		vs, err := custody.Evaluate(ctx, db, id, custody.DefaultPack())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Rule == "dfars-covered-countries" && v.Status != custody.Fail {
				t.Errorf("%s: DFARS %+v, want fail", lot, v)
			}
		}
	}
}

// TestOriginUnknownWithoutAnyCountry: commissioned at a site master data
// gives no country, without a stated country or mine, F's origin is
// unknown — never guessed from where it went later (site cb) — and so is
// Z's, with the no_origin anomaly.
func TestOriginUnknownWithoutAnyCountry(t *testing.T) {
	ctx := context.Background()
	db := store(t, commissionedAt("nowhere"))
	for _, lot := range []string{"F", "Z"} {
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:"+lot, true)
		if err != nil {
			t.Fatal(err)
		}
		if share(o.Mass.ByCountry, custody.Unknown).Share != 1 {
			t.Errorf("%s: mass %+v, want unknown 100 %%", lot, o.Mass.ByCountry)
		}
		found := false
		for _, a := range o.Anomalies {
			found = found || a.Kind == "no_origin"
		}
		if !found {
			t.Errorf("%s: anomalies %+v, want no_origin", lot, o.Anomalies)
		}
	}
}
