package storetest

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartRejoin (issue 15, fix15p): migration 0093 replays the lot
// projection of a store written before a part received where the lot's
// body stands rejoined it, on SQLite and PostgreSQL alike (open reopens
// the same store). Lot K3, 30 000 kg at 8 % at mine M; 5 000 kg shipped
// to port P (bill 1) and received; the same 5 000 kg shipped back to M
// (bill 2) and received. Then a 25 000 kg weighing at M. The old
// projection (0092's) kept the returned part received apart: the
// weighing read 25 t + Σ parts (P's part 5 − 5 shipped back = 0, the
// returned part 5) = 30 t wet, 30 × 0.92 = 27.6 t dry, for 25 t that
// exist. After 0093 the returned part rejoined the body, Σ parts 0 t:
// 25 t wet, 25 × 0.92 = 23 t dry.
func MigratePartRejoin(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	ev := func(id, day, step, loc, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": ` + extra
	}
	MustCapture(t, ledger.NewService(db), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:k0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}},
		`+ev("k1", "02", "shipping", "urn:t:site:M", `5000, "uom": "KGM"}], "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:P"}]}`)+`,
		`+ev("k2", "03", "receiving", "urn:t:site:P", `5000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`)+`,
		`+ev("k3", "04", "shipping", "urn:t:site:P", `5000, "uom": "KGM"}], "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:2"}], "destinationList": [{"type": "location", "destination": "urn:t:site:M"}]}`)+`,
		`+ev("k4", "05", "receiving", "urn:t:site:M", `5000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:2"}]}`)+`,
		`+ev("k5", "06", "inspecting", "urn:t:site:M", `25000, "uom": "KGM"}]}`)+`]}}`)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	q, err := db.FindLot(ctx, "urn:t:lot:K3")
	if err != nil || len(q.Parts) != 2 || q.Parts[1].Status != critmin.PartRejoined || !near(q.WetTonnes, 25) || !near(q.DryTonnes, 23) {
		t.Fatalf("as captured: %+v %v; want the returned part rejoined, 25 t wet, 23 t dry (the current projection)", q, err)
	}
	// Back to the projection before 0093 (0092's shape).
	old := q.Parts
	old[1].Status = critmin.PartReceived
	parts, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, rebind(db, `UPDATE lots SET quantity = 30000, wet_t = 30, dry_t = 27.6, parts = ? WHERE id = 'urn:t:lot:K3'`), string(parts)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 93`); err != nil {
		t.Fatal(err)
	}
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	q, err = db.FindLot(ctx, "urn:t:lot:K3")
	if err != nil || !near(q.WetTonnes, 30) || q.Parts[1].Status != critmin.PartReceived {
		t.Fatalf("before the migration: %+v %v; want the old projection (30 t wet)", q, err)
	}
	db.Close()
	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err = db.FindLot(ctx, "urn:t:lot:K3")
	if err != nil || len(q.Parts) != 2 {
		t.Fatalf("after: %+v %v", q, err)
	}
	if q.Parts[1].Status != critmin.PartRejoined || q.Parts[1].ReceiptEventID != "urn:t:ev:k4" || !near(q.WetTonnes, 25) || !near(q.DryTonnes, 23) || !near(q.PartsTonnes(), 0) {
		t.Errorf("after the migration: %v t wet, %v t dry, parts %+v; want 25 t, 25 × 0.92 = 23 t, the returned part rejoined by urn:t:ev:k4", q.WetTonnes, q.DryTonnes, q.Parts)
	}
}
