package storetest

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateNoBodySites (issue 15, fix15r): migration 0097 replays the lot
// projection of a store written before a lot with no body stood by site,
// on SQLite and PostgreSQL alike (open reopens the same store). Lot NB,
// 30 000 kg at mine M (no moisture: dry = wet); 15 000 kg shipped to
// port P under bill 1 and 15 000 kg under bill 2 (nothing left at M),
// both received at P; then a 29 800 kg weighing at P. The old projection
// read the weighing as a body's mass added to the parts: 29.8 + 15 + 15
// = 59.8 t. After 0097 it weighs the two parts at P (14.9 t each, shared
// by their masses 15/30): 29.8 t wet and dry.
func MigrateNoBodySites(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	ev := func(id, day, step, loc, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:NB", "quantity": ` + extra
	}
	MustCapture(t, ledger.NewService(db), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:n0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:NB", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}},
		`+ev("n1", "02", "shipping", "urn:t:site:M", `15000, "uom": "KGM"}], "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:P"}]}`)+`,
		`+ev("n2", "03", "shipping", "urn:t:site:M", `15000, "uom": "KGM"}], "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:2"}], "destinationList": [{"type": "location", "destination": "urn:t:site:P"}]}`)+`,
		`+ev("n3", "04", "receiving", "urn:t:site:P", `15000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`)+`,
		`+ev("n4", "05", "receiving", "urn:t:site:P", `15000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:2"}]}`)+`,
		`+ev("n5", "06", "inspecting", "urn:t:site:P", `29800, "uom": "KGM"}]}`)+`]}}`)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	q, err := db.FindLot(ctx, "urn:t:lot:NB")
	if err != nil || len(q.Parts) != 2 || q.Parts[0].WeighedTonnes == nil || !near(*q.Parts[0].WeighedTonnes, 14.9) || !near(q.WetTonnes, 29.8) || !near(q.DryTonnes, 29.8) {
		t.Fatalf("as captured: %+v %v; want both parts weighed 14.9 t, 29.8 t wet and dry (the current projection)", q, err)
	}
	// Back to the projection before 0097: the parts unweighed, the
	// weighing a body's mass: 29.8 + 30 = 59.8 t.
	old := q.Parts
	for i := range old {
		old[i].WeighedTonnes, old[i].WeighEventID = nil, ""
	}
	parts, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, rebind(db, `UPDATE lots SET quantity = 59800, wet_t = 59.8, dry_t = 59.8, parts = ? WHERE id = 'urn:t:lot:NB'`), string(parts)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 97`); err != nil {
		t.Fatal(err)
	}
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	q, err = db.FindLot(ctx, "urn:t:lot:NB")
	if err != nil || !near(q.WetTonnes, 59.8) {
		t.Fatalf("before the migration: %+v %v; want the old projection (59.8 t wet)", q, err)
	}
	db.Close()
	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err = db.FindLot(ctx, "urn:t:lot:NB")
	if err != nil || len(q.Parts) != 2 {
		t.Fatalf("after: %+v %v", q, err)
	}
	if !near(q.WetTonnes, 29.8) || !near(q.DryTonnes, 29.8) || q.Parts[1].WeighEventID != "urn:t:ev:n5" {
		t.Errorf("after the migration: %v t wet, %v t dry, parts %+v; want 29.8 t wet and dry, both parts weighed by urn:t:ev:n5", q.WetTonnes, q.DryTonnes, q.Parts)
	}
	// critmin verify: the rebuild from the log equals what is stored.
	if rep := verifyFull(t, db, nil, true); !rep.OK() {
		t.Fatalf("verify after the migration: %v %v", rep.Problem, rep.Difference)
	}
}
