package storetest

import (
	"encoding/json"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartAssays (issue 15, fix15a): migration 0104 replays the lot
// projection of a store written before an assay of a part was the
// part's, on SQLite and PostgreSQL alike (open reopens the same store).
// Lot A, 20 000 kg dry at mine M, Nd 5 % (dry); 5 000 kg shipped to K
// (B/L A1) and received there; an assay at K reads Nd 4 %. The old
// projection kept Nd 4 % as the lot's and no assay on the part:
// 20 × 4 % = 0.8 t Nd. After it the lot (its body at M) reads 5 %, the
// part 4 %, and the lot holds 15 × 5 % + 5 × 4 % = 0.95 t Nd.
func MigratePartAssays(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:A"
	ev := func(id, day, step, loc, qty, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "` + lot + `"` + qty + `}]` + extra + `}`
	}
	bol := `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:A1"}]`
	checkReplayMigration(t, open, 104, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:a0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`,
			ev("a1", "2", "shipping", "urn:t:site:M", `, "quantity": 5000, "uom": "KGM"`, bol+`, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:K"}]`),
			ev("a2", "3", "receiving", "urn:t:site:K", `, "quantity": 5000, "uom": "KGM"`, bol),
			ev("a3", "4", "sampling", "urn:t:site:K", "", `, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 4, "uom": "P1", "cm:basis": "dry"}]}]`)))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0104: the part's assay the
		// lot's, none on the part.
		q, err := db.FindLot(t.Context(), lot)
		if err != nil || len(q.Parts) != 1 || len(q.Parts[0].Assays) == 0 {
			t.Fatalf("lot %+v %v; want one part with its assays", q, err)
		}
		assays, _ := json.Marshal(q.Parts[0].Assays)
		parts := oldParts(t, db, lot, func(old []critmin.LotPart) { old[0].Assays = nil })
		execRebound(t, db, `UPDATE lots SET parts = ?, assays = ? WHERE id = '`+lot+`'`, parts, string(assays))
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), lot)
		if err != nil || len(q.Parts) != 1 {
			t.Errorf("%v: %+v %v; want one part", stage, q, err)
			return
		}
		body, part, held := 5.0, 4.0, 0.95
		if stage == beforeMigration {
			body, part, held = 4, 4, 0.8
		}
		nd := func(list []critmin.Assay) float64 {
			for _, a := range ledger.LatestAssays(list) {
				if a.Analyte == "Nd" {
					return a.Value
				}
			}
			return -1
		}
		if g, pg := nd(q.Assays), nd(q.PartAssays(q.Parts[0])); g != body || pg != part {
			t.Errorf("%v: lot Nd %v %%, part %v %%; want %v %%, %v %%", stage, g, pg, body, part)
		}
		if c, ok := ledger.Contained(q, "Nd"); !ok || !near(c, held) {
			t.Errorf("%v: lot holds %v t Nd (%v); want %v t", stage, c, ok, held)
		}
	})
}
