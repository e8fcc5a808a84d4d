package custody_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// mustOpen is a fresh, empty SQLite store.
func mustOpen(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// commissionedAtKind is commissionedAt with master data typing each site
// (cm:siteKind): us (United States) of kind usKind, pk (Pakistan) a mine.
// Lot Q19, 10 t at Nd 4 %, is commissioned at site without a stated
// origin; lot M19 names mine pk (Pakistan) and is commissioned at us.
func commissionedAtKind(site, usKind string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:us", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "` + usKind + `"}]},
	   {"id": "urn:t:site:pk", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}]}]}},
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:Q19", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:Q19", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:` + site + `"}, "bizLocation": {"id": "urn:t:site:` + site + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:M19", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:M19", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:us"}, "bizLocation": {"id": "urn:t:site:us"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originMine": "urn:t:site:pk", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
}

// dfarsOf is lot id's dfars-covered-countries verdict.
func dfarsOf(t *testing.T, db custody.RuleStore, id string) custody.Verdict {
	t.Helper()
	vs, err := custody.Evaluate(context.Background(), db, id, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == "dfars-covered-countries" {
			return v
		}
	}
	t.Fatalf("%s: no dfars-covered-countries verdict in %+v", id, vs)
	return custody.Verdict{}
}

// TestCommissioningSiteGivesMinedCountryOnlyAtMine (fix9o item 4): Q19,
// stating no origin, commissioned at a US site that master data types as
// a warehouse: nothing is mined at a warehouse, so its mined origin is
// unknown (100 % unknown by dry mass and Nd), not "United States 100 %",
// and the covered-country rule cannot pass on it (DFARS 252.225-7052
// reads where the material was mined). The same site typed as a mine
// gives the United States, and the rule passes.
func TestCommissioningSiteGivesMinedCountryOnlyAtMine(t *testing.T) {
	ctx := context.Background()
	// "" is a site master data does not type: not known to be a mine.
	for _, kind := range []string{"warehouse", "port", "refinery", ""} {
		db := store(t, commissionedAtKind("us", kind))
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:Q19", true)
		if err != nil {
			t.Fatal(err)
		}
		if share(o.Mass.ByCountry, custody.Unknown).Share != 1 || share(o.Elements["Nd"].ByCountry, custody.Unknown).Share != 1 {
			t.Errorf("%s: Q19 mass %+v, Nd %+v, want unknown 100 %%", kind, o.Mass.ByCountry, o.Elements["Nd"].ByCountry)
		}
		if !anomalyWith(o.Anomalies, "commissioned_not_at_mine", "urn:t:site:us", map[string]string{"": "no stated kind"}[kind]+kind) {
			t.Errorf("%s: Q19 anomalies %+v, want commissioned_not_at_mine naming the site and its kind", kind, o.Anomalies)
		}
		if v := dfarsOf(t, db, "urn:t:lot:Q19"); v.Status == custody.Pass {
			t.Errorf("%s: Q19 DFARS %+v, want not pass (mined origin unknown)", kind, v)
		}
	}
	// M19 (mine pk, Pakistan) commissioned at us typed as a mine in the
	// United States contradicts it: capture refuses it since fixKk
	// (ledger: a stated origin against the event's own mine), naming
	// cm:originMine, both countries and the site; Q19 alone is stored.
	withM := commissionedAtKind("us", "mine")
	_, err := ledger.NewService(mustOpen(t)).Capture(ctx, ledger.CaptureRequest{Body: []byte(withM)})
	if fs := critmin.ErrorFields(err); len(fs) != 1 || fs[0].Pointer != "/epcisBody/eventList/1/ilmd/cm:originMine" ||
		!strings.Contains(fs[0].Reason, "Pakistan (PAK)") || !strings.Contains(fs[0].Reason, "United States (USA)") || !strings.Contains(fs[0].Reason, "urn:t:site:us") {
		t.Errorf("M19 at a US mine: %v %+v, want cm:originMine refused naming both countries and the site", err, fs)
	}
	db := store(t, withM[:strings.Index(withM, `,
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:M19"`)]+`]}}`)
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:Q19", true)
	if err != nil {
		t.Fatal(err)
	}
	if share(o.Mass.ByCountry, "USA").Share != 1 {
		t.Errorf("mine: Q19 mass %+v, want United States 100 %%", o.Mass.ByCountry)
	}
	if v := dfarsOf(t, db, "urn:t:lot:Q19"); v.Status != custody.Pass {
		t.Errorf("mine: Q19 DFARS %+v, want pass", v)
	}
}

// TestMineCountryDiffersFromCommissioningSite (fix9o item 4): M19 names
// mine pk (Pakistan) and is commissioned at us (United States): its
// origin stays Pakistan (the mine), flagged commissioning_country_differs
// naming both sites and countries.
func TestMineCountryDiffersFromCommissioningSite(t *testing.T) {
	db := store(t, commissionedAtKind("pk", "warehouse"))
	o, err := custody.OriginOf(context.Background(), db, "urn:t:lot:M19", true)
	if err != nil {
		t.Fatal(err)
	}
	if share(o.Mass.ByCountry, "PAK").Share != 1 {
		t.Errorf("M19 mass %+v, want Pakistan 100 %% (its mine)", o.Mass.ByCountry)
	}
	if !anomalyWith(o.Anomalies, "commissioning_country_differs", "urn:t:site:pk", "PAK", "urn:t:site:us", "USA") {
		t.Errorf("M19 anomalies %+v, want commissioning_country_differs naming pk PAK and us USA", o.Anomalies)
	}
	// The United States is no covered country: the flag must not read
	// as if a covered-country rule failed (nu31 finding 5: it said "a
	// covered-country rule listing USA fails on it" on clean lots).
	if !anomalyWith(o.Anomalies, "commissioning_country_differs", "fails on it only where USA is covered") {
		t.Errorf("M19 anomalies %+v, want the flag to say a covered-country rule fails only where USA is covered", o.Anomalies)
	}
}
