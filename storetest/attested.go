package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// seedAttested writes one row (or more) into every attested table: through
// the store's own writes where they are plain, and, for the trade
// invoice, payment and declaration (whose writes need a settled lot), in
// SQL followed by migration 0053's backfill (AttestExisting).
func seedAttested(t *testing.T, s critmin.Store) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	db := s.(*sqldb.DB)
	at := time.Date(2025, 9, 30, 12, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"urn:t:cert:1", "urn:t:cert:2"} {
		must(db.SaveCertificate(ctx, &custody.StoredCertificate{ID: id, Lot: "urn:t:lot:A", Evidence: "e-" + id, Signer: "k", Body: `{"id":"` + id + `"}`, IssuedAt: at}))
	}
	must(db.RevokeCertificate(ctx, "urn:t:cert:1", "assay withdrawn", "admin", at.Add(time.Hour)))
	must(db.SaveMassBalance(ctx, &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", Method: critmin.MassBalanceCredit, CarryForward: 2,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}},
		DeclaredAt: at}))
	must(db.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradeContract, ID: "C1", Body: json.RawMessage(`{"id":"C1","payable":0.9}`), SavedAt: at}))
	must(db.SaveImportMapping(ctx, &critmin.ImportMapping{Source: "gsp-lab", Kind: critmin.ImportLaboratory, Columns: map[string]string{"lot": "Lot"}, UpdatedAt: at, UpdatedBy: "admin"}))
	must(db.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "q1", Query: json.RawMessage(`{"eventType":["ObjectEvent"]}`), CreatedAt: at}))
	must(db.SaveDataset(ctx, &critmin.StoredDataset{Name: "usgs", Edition: "2025", ImportedAt: at, Body: `{"rows":[]}`}))
	tamper(t, s,
		`INSERT INTO trade_invoices (id, contract, lot, kind, currency, total, issued_us, due_date, event_id, body) VALUES ('INV-1', 'C1', 'urn:t:lot:A', 'provisional', 'USD', '900.00', 1, '2025-11-01', 'urn:t:ev:1', '{}')`,
		`INSERT INTO trade_payments (id, invoice, amount, paid_on) VALUES ('PAY-1', 'INV-1', '900.00', '2025-11-02')`,
		`INSERT INTO trade_declarations (contract, lot, element, month, party, declared_us) VALUES ('C1', 'urn:t:lot:A', 'Nd', 202511, 'buyer', 1)`)
	must(db.AttestExisting(ctx))
	return db
}

// testAttestedTables: every authoritative table no event carries is
// checked by verify against the audit chain. For each table, a row edited,
// a row deleted and a row inserted directly in SQL are each named (table
// and row); an untouched store verifies ok. The certificate readers refuse
// (ECONFLICT) a certificate whose row disagrees with its audit entry.
func testAttestedTables(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("untouched", func(t *testing.T) {
		db := seedAttested(t, open(t))
		rep, err := db.Verify(ctx, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		// 2 certificates + 1 mass-balance version + 1 contract + its
		// versions (fix13x) + 1 invoice + 1 payment + 1 trade declaration
		// + 1 mapping + 1 named query + 1 dataset = 11 rows.
		if !rep.OK() || rep.AttestedRows != 11 {
			t.Fatalf("untouched store: ok %v, %d attested rows (want 11), %v", rep.OK(), rep.AttestedRows, rep.RecordProblem)
		}
		if c, err := db.FindCertificate(ctx, "urn:t:cert:1"); err != nil || c.RevokedAt == nil {
			t.Fatalf("revoked certificate: %+v, %v", c, err)
		}
		if revs, err := db.Revocations(ctx); err != nil || len(revs) != 1 || revs[0].ID != "urn:t:cert:1" {
			t.Fatalf("revocations %+v, %v; want urn:t:cert:1", revs, err)
		}
	})
	cases := []struct {
		table, row, sql string
		detail          string
	}{
		{"certificates", `"urn:t:cert:1"`, `UPDATE certificates SET revoked_us = NULL, revoked_reason = '' WHERE id = 'urn:t:cert:1'`, "edited"},
		{"certificates", `"urn:t:cert:2"`, `UPDATE certificates SET revoked_us = 5, revoked_reason = 'x' WHERE id = 'urn:t:cert:2'`, "edited"},
		{"certificates", `"urn:t:cert:2"`, `UPDATE certificates SET body = '{"id":"forged"}' WHERE id = 'urn:t:cert:2'`, "edited"},
		{"certificates", `"urn:t:cert:2"`, `DELETE FROM certificates WHERE id = 'urn:t:cert:2'`, "deleted"},
		{"certificates", `"urn:t:cert:3"`, `INSERT INTO certificates (id, lot, evidence, signer, body, issued_us, revoked_us, revoked_reason) VALUES ('urn:t:cert:3', 'urn:t:lot:A', 'e', 'k', '{}', 1, NULL, '')`, "outside"},
		{"mass_balance_versions", `version=1`, `UPDATE mass_balance_versions SET body = REPLACE(body, '"conversionFactor":0.9', '"conversionFactor":1')`, "edited"},
		{"mass_balance_versions", `version=1`, `UPDATE mass_balance_versions SET declared_us = 0`, "edited"},
		{"mass_balance_versions", `version=1`, `DELETE FROM mass_balance_versions`, "deleted"},
		{"mass_balance_versions", `version=2`, `INSERT INTO mass_balance_versions (site, version, declared_us, body) VALUES ('urn:t:site:mb', 2, 1, '{}')`, "outside"},
		{"trade_docs", `id="C1"`, `UPDATE trade_docs SET body = '{"id":"C1","payable":1}'`, "edited"},
		{"trade_docs", `id="C1"`, `DELETE FROM trade_docs`, "deleted"},
		{"trade_docs", `id="C2"`, `INSERT INTO trade_docs (kind, id, saved_us, body) VALUES ('contract', 'C2', 1, '{}')`, "outside"},
		{"trade_invoices", `"INV-1"`, `UPDATE trade_invoices SET total = '1.00'`, "edited"},
		{"trade_invoices", `"INV-2"`, `INSERT INTO trade_invoices (id, contract, lot, kind, currency, total, issued_us, due_date, event_id, body) VALUES ('INV-2', 'C1', 'urn:t:lot:A', 'final', 'USD', '1', 1, '2025-11-01', 'e', '{}')`, "outside"},
		{"trade_payments", `"PAY-1"`, `UPDATE trade_payments SET amount = '9000.00'`, "edited"},
		{"trade_payments", `"PAY-1"`, `DELETE FROM trade_payments`, "deleted"},
		{"trade_payments", `"PAY-2"`, `INSERT INTO trade_payments (id, invoice, amount, paid_on) VALUES ('PAY-2', 'INV-1', '1', '2025-11-03')`, "outside"},
		{"trade_declarations", `element="Nd"`, `UPDATE trade_declarations SET month = 202512`, "edited"},
		{"trade_declarations", `element="Nd"`, `DELETE FROM trade_declarations`, "deleted"},
		{"trade_declarations", `element="Pr"`, `INSERT INTO trade_declarations (contract, lot, element, month, party, declared_us) VALUES ('C1', 'urn:t:lot:A', 'Pr', 202511, 'buyer', 1)`, "outside"},
		{"import_mappings", `"gsp-lab"`, `UPDATE import_mappings SET columns = '{"lot":"Other"}'`, "edited"},
		{"import_mappings", `"gsp-lab"`, `DELETE FROM import_mappings`, "deleted"},
		{"named_queries", `"q1"`, `UPDATE named_queries SET params = '{}'`, "edited"},
		{"named_queries", `"q2"`, `INSERT INTO named_queries (name, params, created_us) VALUES ('q2', '{}', 1)`, "outside"},
		{"datasets", `edition="2025"`, `UPDATE datasets SET body = '{"rows":[1]}'`, "edited"},
		{"datasets", `edition="2025"`, `DELETE FROM datasets`, "deleted"},
		{"datasets", `edition="2026"`, `INSERT INTO datasets (name, edition, imported_us, body) VALUES ('usgs', '2026', 1, '{}')`, "outside"},
	}
	for i, c := range cases {
		// Distinct names: a SQLite test store is named after its test.
		t.Run(fmt.Sprintf("%s/%s/%d", c.table, c.detail, i), func(t *testing.T) {
			s := open(t)
			db := seedAttested(t, s)
			tamper(t, s, c.sql)
			rep, err := db.Verify(ctx, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := rep.RecordProblem
			if rep.OK() || p == nil {
				t.Fatalf("%s went unnoticed", c.sql)
			}
			if p.Table != c.table || !strings.Contains(p.Row, c.row) || !strings.Contains(p.Detail, c.detail) {
				t.Errorf("problem %v; want table %s, row %s, %q", p, c.table, c.row, c.detail)
			}
		})
	}
	// Every reader of an attested table that a figure or verdict is
	// computed from (an invoice from contract terms, a settlement from
	// payments and declarations, a statement from a mass-balance version,
	// a query's events from a named query) refuses (ECONFLICT naming the
	// table and the row) a row edited or inserted outside critmin, as the
	// certificate readers do; on the untouched store each answers.
	type reader func(db *sqldb.DB) error
	readers := map[string][]reader{
		"mass_balance_versions": {func(db *sqldb.DB) error { _, err := db.MassBalanceVersions(ctx, "urn:t:site:mb"); return err }},
		"trade_docs": {
			func(db *sqldb.DB) error { _, err := db.ListTradeDocs(ctx, critmin.TradeContract); return err },
		},
		"trade_invoices": {
			func(db *sqldb.DB) error { _, err := db.ListInvoices(ctx, critmin.InvoiceFilter{}); return err },
		},
		"trade_payments":     {func(db *sqldb.DB) error { _, err := db.ListPayments(ctx, ""); return err }},
		"trade_declarations": {func(db *sqldb.DB) error { _, err := db.ListDeclarations(ctx, "C1", "urn:t:lot:A"); return err }},
		"import_mappings": {
			func(db *sqldb.DB) error { _, err := db.ListImportMappings(ctx); return err },
		},
		"named_queries": {
			func(db *sqldb.DB) error { _, err := db.ListNamedQueries(ctx, "", 10); return err },
		},
		"datasets": {func(db *sqldb.DB) error { _, err := db.ListDatasets(ctx); return err }},
	}
	// The single-row readers, by the key of the row each case tampers with.
	finders := map[string]reader{
		"trade_docs C1":           func(db *sqldb.DB) error { _, err := db.FindTradeDoc(ctx, critmin.TradeContract, "C1"); return err },
		"trade_docs C2":           func(db *sqldb.DB) error { _, err := db.FindTradeDoc(ctx, critmin.TradeContract, "C2"); return err },
		"trade_invoices INV-1":    func(db *sqldb.DB) error { _, err := db.FindInvoice(ctx, "INV-1"); return err },
		"trade_invoices INV-2":    func(db *sqldb.DB) error { _, err := db.FindInvoice(ctx, "INV-2"); return err },
		"import_mappings gsp-lab": func(db *sqldb.DB) error { _, err := db.FindImportMapping(ctx, "gsp-lab"); return err },
		"named_queries q1":        func(db *sqldb.DB) error { _, err := db.FindNamedQuery(ctx, "q1"); return err },
		"named_queries q2":        func(db *sqldb.DB) error { _, err := db.FindNamedQuery(ctx, "q2"); return err },
	}
	t.Run("readers untouched", func(t *testing.T) {
		db := seedAttested(t, open(t))
		for table, rs := range readers {
			for i, r := range rs {
				if err := r(db); err != nil {
					t.Errorf("%s reader %d on the untouched store: %v", table, i, err)
				}
			}
		}
		for _, k := range []string{"trade_docs C1", "trade_invoices INV-1", "import_mappings gsp-lab", "named_queries q1"} {
			if err := finders[k](db); err != nil {
				t.Errorf("find %s on the untouched store: %v", k, err)
			}
		}
	})
	for i, c := range cases {
		if c.table == "certificates" || c.detail == "deleted" {
			continue
		}
		t.Run(fmt.Sprintf("readers/%s/%s/%d", c.table, c.detail, i), func(t *testing.T) {
			s := open(t)
			db := seedAttested(t, s)
			tamper(t, s, c.sql)
			rs := append([]reader(nil), readers[c.table]...)
			for tk, f := range finders {
				table, k, _ := strings.Cut(tk, " ")
				if table == c.table && (strings.Contains(c.sql, "'"+k+"'") || strings.Contains(c.row, `"`+k+`"`)) {
					rs = append(rs, f)
				}
			}
			for j, r := range rs {
				err := r(db)
				if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), c.table) || !strings.Contains(err.Error(), c.row) {
					t.Errorf("reader %d after %s: %v; want ECONFLICT naming %s row %s", j, c.sql, err, c.table, c.row)
				}
			}
		})
	}
	// The certificate readers refuse a row that disagrees with its entry:
	// an undone revocation is neither answered as standing nor left out of
	// the revocation list.
	t.Run("certificate readers", func(t *testing.T) {
		s := open(t)
		db := seedAttested(t, s)
		tamper(t, s, `UPDATE certificates SET revoked_us = NULL, revoked_reason = '' WHERE id = 'urn:t:cert:1'`)
		if _, err := db.FindCertificate(ctx, "urn:t:cert:1"); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:cert:1") {
			t.Errorf("status of an unrevoked-in-SQL certificate: %v, want ECONFLICT naming it", err)
		}
		if _, err := db.Revocations(ctx); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:cert:1") {
			t.Errorf("revocation list: %v, want ECONFLICT naming urn:t:cert:1", err)
		}
		if _, err := db.FindCertificate(ctx, "urn:t:cert:2"); err != nil {
			t.Errorf("untouched certificate: %v", err)
		}
		tamper(t, s, `UPDATE certificates SET revoked_us = NULL, revoked_reason = '' WHERE id = 'urn:t:cert:1'`)
	})
	// A row deleted in SQL cannot be laundered by writing it again: the
	// write would record a fresh entry that verify then accepts. A
	// revoked certificate re-issued under its id would stand again; an
	// invoice issued anew would carry a new issue time. Both are refused
	// (ECONFLICT naming table and row) and nothing is stored.
	t.Run("deleted revoked certificate reissued", func(t *testing.T) {
		s := open(t)
		db := seedAttested(t, s)
		tamper(t, s, `DELETE FROM certificates WHERE id = 'urn:t:cert:1'`)
		at := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
		err := db.SaveCertificate(ctx, &custody.StoredCertificate{ID: "urn:t:cert:1", Lot: "urn:t:lot:A", Evidence: "e-urn:t:cert:1", Signer: "k", Body: `{"id":"urn:t:cert:1"}`, IssuedAt: at})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "certificates") || !strings.Contains(err.Error(), "urn:t:cert:1") {
			t.Fatalf("reissue over a deleted row: %v, want ECONFLICT naming certificates urn:t:cert:1", err)
		}
		if _, err := db.FindCertificate(ctx, "urn:t:cert:1"); critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("after the refused reissue: %v, want ECONFLICT (row still missing, nothing stored)", err)
		}
		if rep, err := db.Verify(ctx, nil, nil); err != nil || rep.OK() {
			t.Errorf("verify after the refused reissue: ok %v, %v; want the deletion still reported", rep != nil && rep.OK(), err)
		}
	})
	t.Run("deleted invoice issued again", func(t *testing.T) {
		s := open(t)
		db := seedAttested(t, s)
		tamper(t, s, `DELETE FROM trade_payments`, `DELETE FROM trade_invoices WHERE id = 'INV-1'`)
		inv := &critmin.StoredInvoice{ID: "INV-1", Contract: "C1", Lot: "urn:t:lot:A", Kind: "provisional", Currency: "USD", Total: "900.00",
			IssuedAt: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), DueDate: "2025-12-31", EventID: "urn:t:ev:1", Body: json.RawMessage(`{}`)}
		err := db.SaveInvoice(ctx, inv)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "trade_invoices") || !strings.Contains(err.Error(), "INV-1") {
			t.Fatalf("issue over a deleted invoice: %v, want ECONFLICT naming trade_invoices INV-1", err)
		}
		var n int
		if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM trade_invoices`).Scan(&n); err != nil || n != 0 {
			t.Errorf("invoices stored after the refusal: %d, %v; want 0", n, err)
		}
	})
	// Right after the deletion, the readers behind GET /certificates/{id},
	// POST /certificates/status and POST /certificates/verify answer
	// ECONFLICT (409), not "unknown certificate" judged on its evidence
	// alone (stands:true, valid:true).
	t.Run("deleted certificate read", func(t *testing.T) {
		s := open(t)
		db := seedAttested(t, s)
		tamper(t, s, `DELETE FROM certificates WHERE id = 'urn:t:cert:1'`)
		if _, err := db.FindCertificate(ctx, "urn:t:cert:1"); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:cert:1") {
			t.Errorf("find a deleted certificate: %v, want ECONFLICT naming it", err)
		}
		_, err := custody.Standing(ctx, db, custody.Certificate{"id": "urn:t:cert:1", "evidence": []any{}})
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("status of a deleted certificate: %v, want ECONFLICT", err)
		}
		if _, err := db.FindCertificate(ctx, "urn:t:cert:never"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("a certificate never issued: %v, want ENOTFOUND", err)
		}
	})
	// POST /api/v1/certificates/status and `critmin cert-status` answer
	// from custody.Standing: a certificate stands only as the very document
	// stored under its id. A copy with a member changed, or an id this
	// ledger never issued, does not stand (stands:false, notStored naming
	// why), though its (here empty) evidence is untouched.
	t.Run("standing of altered or unissued certificates", func(t *testing.T) {
		db := seedAttested(t, open(t))
		st, err := custody.Standing(ctx, db, custody.Certificate{"id": "urn:t:cert:2"})
		if err != nil || !st.Stands || st.NotStored != "" {
			t.Fatalf("the stored certificate itself: %+v, %v; want it to stand", st, err)
		}
		for _, c := range []custody.Certificate{
			{"id": "urn:t:cert:2", "originCountry": "AUS"}, // a member added
			{"id": "urn:t:cert:never"},                     // never issued
		} {
			st, err := custody.Standing(ctx, db, c)
			if err != nil || st.Stands || st.NotStored == "" {
				t.Errorf("%v: %+v, %v; want stands false with the reason", c, st, err)
			}
		}
	})
	// A row inserted outside critmin (no audit entry for its key, or the
	// chain's latest entry removed it) is never attested by a later write
	// over it: issuing or revoking that certificate id, or saving that
	// contract id, is ECONFLICT naming the row, and the row stays as found.
	t.Run("inserted row written over", func(t *testing.T) {
		s := open(t)
		db := seedAttested(t, s)
		tamper(t, s, `INSERT INTO certificates (id, lot, evidence, signer, body, issued_us, revoked_us, revoked_reason) VALUES ('urn:t:cert:3', 'urn:t:lot:A', 'e', 'k', '{"forged":true}', 1, NULL, '')`,
			`INSERT INTO trade_docs (kind, id, body, saved_us) VALUES ('contract', 'C9', '{"id":"C9"}', 1)`)
		at := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
		err := db.SaveCertificate(ctx, &custody.StoredCertificate{ID: "urn:t:cert:3", Lot: "urn:t:lot:A", Evidence: "e", Signer: "k", Body: `{"id":"urn:t:cert:3"}`, IssuedAt: at})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:cert:3") || !strings.Contains(err.Error(), "inserted outside critmin") {
			t.Errorf("issue over an inserted certificate: %v, want ECONFLICT naming urn:t:cert:3 as inserted outside critmin", err)
		}
		if err := db.RevokeCertificate(ctx, "urn:t:cert:3", "x", "admin", at); critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("revoke an inserted certificate: %v, want ECONFLICT", err)
		}
		err = db.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradeContract, ID: "C9", Body: json.RawMessage(`{"id":"C9","payable":0.9}`), SavedAt: at})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "trade_docs") {
			t.Errorf("save over an inserted contract: %v, want ECONFLICT naming trade_docs", err)
		}
		if rep, err := db.Verify(ctx, nil, nil); err != nil || rep.OK() || rep.RecordProblem == nil {
			t.Errorf("verify after the refused writes: %v, %v; want the inserted rows still reported", rep, err)
		}
	})
	t.Run("revoked outside critmin", func(t *testing.T) {
		s := open(t)
		db := seedAttested(t, s)
		tamper(t, s, `UPDATE certificates SET revoked_us = 7, revoked_reason = 'x' WHERE id = 'urn:t:cert:2'`)
		if _, err := db.Revocations(ctx); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:cert:2") {
			t.Errorf("revocation list: %v, want ECONFLICT naming urn:t:cert:2", err)
		}
	})
}

// testAttestMigration: a store written before migration 0053 holds rows of
// the attested tables without audit entries. Migration 0053's step records
// one for each (the state at upgrade time): verify is then ok, and an edit
// made after the upgrade is found.
func testAttestMigration(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db := s.(*sqldb.DB)
	at := time.Date(2025, 9, 30, 12, 0, 0, 0, time.UTC)
	if err := db.SaveCertificate(ctx, &custody.StoredCertificate{ID: "urn:t:cert:old", Lot: "urn:t:lot:A", Evidence: "e", Signer: "k", Body: `{}`, IssuedAt: at}); err != nil {
		t.Fatal(err)
	}
	// As before 0053: the row without its entry, the migration not applied.
	tamper(t, s, `DELETE FROM audit_log WHERE action IN ('record.set', 'record.delete')`,
		`INSERT INTO mass_balance_versions (site, version, declared_us, body) VALUES ('urn:t:site:mb', 1, 1, '{"conversionFactor":0.9}')`,
		`DELETE FROM schema_migrations WHERE version = 53`)
	if rep := verifyFull(t, s, nil, false); rep.RecordProblem == nil || rep.RecordProblem.Table != "certificates" {
		t.Fatalf("before the migration: %v, want the certificate without an entry", rep.RecordProblem)
	}
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatal(err)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() || rep.AttestedRows != 2 {
		t.Fatalf("after the migration: ok %v, %d rows; %v %v %v", rep.OK(), rep.AttestedRows, rep.RecordProblem, rep.Problem, rep.Difference)
	}
	tamper(t, s, `UPDATE mass_balance_versions SET body = '{"conversionFactor":1}'`)
	if rep := verifyFull(t, s, nil, false); rep.RecordProblem == nil || rep.RecordProblem.Table != "mass_balance_versions" {
		t.Fatalf("edit after the migration: %v", rep.RecordProblem)
	}
}
