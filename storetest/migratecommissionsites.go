package storetest

import (
	"context"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateCommissionSites (issue 9, fix9av): migration 0117 rebuilds the
// kept origin mixes of a store written before a mix read each stated
// origin against the lot's commissioning site, on SQLite and PostgreSQL
// alike (open reopens the same store). Master data gives cn a mine in
// China and pk one in Pakistan. A, 10 t stating cm:originCountry PAK, is
// commissioned at cn; D, 10 t stating PAK, at pk; run R blends both into
// P, 20 t. P's kept mix keeps the origin lots it takes as stated (A and
// D, PAK: Mix.Stated), which a reader checks against their commissioning
// sites, so P reads unknown 10 t / 20 t = 50 % by dry mass (A is
// contradicted by the mine it was commissioned at) and Pakistan 50 %.
// Put back to the old mix (no origin lots kept) it reads Pakistan 100 %
// before the migration — the wrong pass; after it, unknown 50 % again,
// and verify finds no difference.
func MigrateCommissionSites(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	lot := func(id, site string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:cs:` + id + `", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		"bizLocation": {"id": "urn:t:site:` + site + `"}, "quantityList": [{"epcClass": "urn:t:lot:CS` + id + `", "quantity": 10, "uom": "TNE"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`
	}
	const master = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:cn", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]},
	   {"id": "urn:t:site:pk", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}]}]}},
	 "epcisBody": {"eventList": []}}`
	mix := func(db *sqldb.DB) *custody.Mix {
		raw, ok, err := db.LotMix(ctx, "urn:t:lot:CSP")
		if err != nil || !ok {
			t.Fatalf("P's kept mix: %v %v", ok, err)
		}
		m, err := custody.DecodeMix(raw)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	checkReplayMigration(t, open, 117, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, master)
		// A contradicts the mine it was commissioned at: refused at
		// capture since fixKk, it is stored as such a store holds it.
		MustStoreUnchecked(t, db, migrationDoc(lot("A", "cn")))
		MustCapture(t, svc, migrationDoc(lot("D", "pk"),
			`{"type": "TransformationEvent", "eventID": "urn:t:cs:R", "eventTime": "2025-11-05T00:00:00Z", "eventTimeZoneOffset": "+00:00",
			"inputQuantityList": [{"epcClass": "urn:t:lot:CSA", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:CSD", "quantity": 10, "uom": "TNE"}],
			"outputQuantityList": [{"epcClass": "urn:t:lot:CSP", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
			"ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}`))
	}, func(db *sqldb.DB) {
		// Back to the mix kept before 0117: no origin lots kept as stated.
		m := mix(db)
		m.Stated = nil
		execRebound(t, db, `UPDATE lot_origin SET mix = ? WHERE lot = 'urn:t:lot:CSP'`, custody.EncodeMix(m))
	}, func(db *sqldb.DB, stage migrationStage) {
		m := mix(db)
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:CSP", false)
		if err != nil {
			t.Fatal(err)
		}
		pak, unk := 0.0, 0.0
		for _, sh := range o.Mass.ByCountry {
			switch sh.Key {
			case "PAK":
				pak = sh.Share
			case custody.Unknown:
				unk = sh.Share
			}
		}
		if stage == beforeMigration {
			if pak != 1 || len(m.Stated) != 0 {
				t.Errorf("%v: P's mix %+v, origin %+v; want the old mix, read as Pakistan 100 %%", stage, m, o.Mass.ByCountry)
			}
			return
		}
		if pak < 0.5-1e-9 || pak > 0.5+1e-9 || unk < 0.5-1e-9 || unk > 0.5+1e-9 || m.Stated["urn:t:lot:CSA"] != "PAK" || m.Stated["urn:t:lot:CSD"] != "PAK" {
			t.Errorf("%v: P's mix %+v, origin %+v; want A and D kept as stated PAK, read as unknown 50 %%, Pakistan 50 %%", stage, m, o.Mass.ByCountry)
		}
	})
}
