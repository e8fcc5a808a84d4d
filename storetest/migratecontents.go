package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateContents (issue 8 §2, issue 15 §2; nu32-7): migration 0118 on
// a store written before it. Lot M1, 10,000 kg at site mb, packed whole
// into container S on Oct 2; S shipped on Oct 3 naming only S. Before
// the migration M1 stayed in stock at mb (the shipment named no lot) and
// no contents were stored; after it M1 is in transit and the shipment's
// contents are the one line of M1, 10,000 kg; verify's rebuild equals
// what is stored.
func MigrateContents(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:M1"
	var cols []string
	var vals []any
	checkReplayMigration(t, open, 118, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, ctDoc(csLot("M1"), ctPack("m1-pack", "ADD", csBox, 2, "M1:10000")))
		cols, vals = lotRow(t, db, lot)
		MustCapture(t, svc, ctDoc(csMove("m1-ship", "shipping", "in_transit", 3, "urn:t:site:mb")))
	}, func(db *sqldb.DB) {
		// The lot's row as it stood before the shipment, which a store
		// before 0118 kept; and no contents table.
		set := make([]string, len(cols))
		for i, c := range cols {
			set[i] = c + " = ?"
		}
		execRebound(t, db, `UPDATE lots SET `+strings.Join(set, ", ")+` WHERE id = '`+lot+`'`, vals...)
		execRebound(t, db, `DROP TABLE event_contents`)
	}, func(db *sqldb.DB, stage migrationStage) {
		l, err := db.FindLot(context.Background(), lot)
		if err != nil {
			t.Errorf("%v: %v", stage, err)
			return
		}
		if stage == beforeMigration {
			if l.Status != critmin.LotInStock {
				t.Errorf("%v: M1 %s; want the old projection (in stock at mb)", stage, l.Status)
			}
			return
		}
		if l.Status != critmin.LotInTransit {
			t.Errorf("%v: M1 %s at %s; want in transit (S, holding it, shipped)", stage, l.Status, l.Location)
		}
		var n int
		var kg float64
		if err := db.Write.QueryRowContext(context.Background(), `SELECT COUNT(*), COALESCE(SUM(quantity), 0) FROM event_contents WHERE event_id = 'urn:t:ev:m1-ship' AND canon = '`+lot+`'`).Scan(&n, &kg); err != nil || n != 1 || !near(kg, 10000) {
			t.Errorf("%v: contents of the shipment: %d rows, %v kg (%v); want M1's 10,000 kg", stage, n, kg, err)
		}
	})
}

// lotRow reads every column of lot's lots row, for a rollback's UPDATE.
func lotRow(t *testing.T, db *sqldb.DB, lot string) ([]string, []any) {
	t.Helper()
	rows, err := db.Write.QueryContext(context.Background(), rebind(db, `SELECT * FROM lots WHERE id = ?`), lot)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("no lots row of %s", lot)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	return cols, vals
}
