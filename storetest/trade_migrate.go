package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/sqldb"
)

// testTradeInvoiceMigration: a store from before migration 0027 holds
// double billings (issue 13's new-user check), made before the database
// enforced one invoice per lot and kind. The store is put back to the
// schema before 0027 (no duplicate_of column, no unique index on lot and
// kind), given these legacy rows and migrated again by sqldb.Migrate:
//
//   - lot SB2025001, provisional, under A as the LGTIN URN (issued at 1 s)
//     and under B as its GS1 Digital Link (2 s): one lot once both are
//     canonicalised to the Digital Link, so B is duplicate_of A;
//   - the same lot, final, under A (5 s) and under B (4 s): B's was
//     issued first, so A's final is duplicate_of B's (issue order, not
//     contract, decides);
//   - lot Y, provisional, under C, D and E all at 3 s: the tie goes to
//     the id, so D and E are duplicate_of C;
//   - lot Z, one provisional under A: left alone.
//
// After the migration: every row is kept (7), the four duplicates are
// marked and refused when served (commercial.Service.Invoice: ECONFLICT),
// a third provisional invoice of SB2025001 in either spelling is refused
// by the unique index, and Y's first final invoice is accepted (the
// index is on lot and kind, over unmarked rows only). The declaration
// under the URN is rewritten to the Digital Link.
func testTradeInvoiceMigration(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	const urn, dl = "urn:epc:class:lgtin:0614141.012345.SB2025001", "https://id.gs1.org/01/00614141123452/10/SB2025001"
	row := func(id, contract, lot, kind string, issuedSec int) string {
		return `INSERT INTO trade_invoices VALUES ('` + id + `', '` + contract + `', '` + lot + `', '` + kind + `', 'USD', '10', ` +
			strconv.Itoa(issuedSec*1_000_000) + `, '2025-09-07', 'urn:uuid:` + id + `', '{}')`
	}
	tamper(t, s,
		`DROP INDEX trade_invoices_one_per_lot`,
		`ALTER TABLE trade_invoices DROP COLUMN duplicate_of`,
		row("INV-A-P", "A", urn, "provisional", 1),
		row("INV-B-P", "B", dl, "provisional", 2),
		row("INV-A-F", "A", urn, "final", 5),
		row("INV-B-F", "B", dl, "final", 4),
		row("INV-E-P", "E", "urn:t:lot:Y", "provisional", 3),
		row("INV-C-P", "C", "urn:t:lot:Y", "provisional", 3),
		row("INV-D-P", "D", "urn:t:lot:Y", "provisional", 3),
		row("INV-Z-P", "A", "urn:t:lot:Z", "provisional", 1),
		`INSERT INTO trade_declarations VALUES ('A', '`+urn+`', 'Sb', 1, 'buyer', 1)`,
		`DELETE FROM schema_migrations WHERE version = 27`)
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatalf("migration 0027 on legacy double billings: %v", err)
	}
	// In a real upgrade migration 0053 runs after 0027 and attests the
	// rows as 0027 left them; here 0053 ran before the legacy rows were
	// written in SQL, so attest them now, as 0053 would.
	if err := db.AttestExisting(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListInvoices(ctx, critmin.InvoiceFilter{})
	if err != nil || len(all) != 8 {
		t.Fatalf("invoices after the migration = %d, %v; want all 8 kept", len(all), err)
	}
	want := map[string][2]string{ // id: lot, duplicate_of
		"INV-A-P": {dl, ""}, "INV-B-P": {dl, "INV-A-P"},
		"INV-B-F": {dl, ""}, "INV-A-F": {dl, "INV-B-F"},
		"INV-C-P": {"urn:t:lot:Y", ""}, "INV-D-P": {"urn:t:lot:Y", "INV-C-P"}, "INV-E-P": {"urn:t:lot:Y", "INV-C-P"},
		"INV-Z-P": {"urn:t:lot:Z", ""},
	}
	svc := commercial.NewService(service(s))
	for _, inv := range all {
		w := want[inv.ID]
		if inv.Lot != w[0] || inv.DuplicateOf != w[1] {
			t.Errorf("%s: lot %s duplicate_of %q; want lot %s duplicate_of %q", inv.ID, inv.Lot, inv.DuplicateOf, w[0], w[1])
		}
		if w[1] == "" {
			continue
		}
		if _, err := svc.Invoice(ctx, inv.ID); critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("serving duplicate %s: err = %v; want ECONFLICT (a double billing is not published)", inv.ID, err)
		}
	}
	if ds, err := s.ListDeclarations(ctx, "A", dl); err != nil || len(ds) != 1 {
		t.Errorf("declarations under %s = %d, %v; want the one made under the URN", dl, len(ds), err)
	}
	for _, lot := range []string{dl, urn} {
		// The store keeps lots as given; the service canonicalises, so
		// the URN spelling reaches the index only as the Digital Link.
		err := s.SaveInvoice(ctx, &critmin.StoredInvoice{ID: "INV-F-P-" + lot, Contract: "F", Lot: epcis.Canonical(lot), Kind: "provisional", Currency: "USD", Total: "1",
			IssuedAt: time.Unix(6, 0), DueDate: "2025-09-07", EventID: "urn:uuid:f", Body: []byte(`{}`)})
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("third provisional invoice of %s: err = %v; want ECONFLICT", lot, err)
		}
	}
	if err := s.SaveInvoice(ctx, &critmin.StoredInvoice{ID: "INV-C-F", Contract: "C", Lot: "urn:t:lot:Y", Kind: "final", Currency: "USD", Total: "1",
		IssuedAt: time.Unix(7, 0), DueDate: "2025-09-07", EventID: "urn:uuid:cf", Body: []byte(`{}`)}); err != nil {
		t.Errorf("Y's first final invoice after the migration: %v", err)
	}
}
