package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// testCertificateRefusedOnEditedIndex: a certificate reads the indexed
// columns of its evidence events and the rows derived from them, not the
// chained documents. Each such column edited in the database while the
// document and the chain stay untouched must stop the certificate: Issue
// answers ECONFLICT naming the table, the row and the column (as verify
// names them), no certificate is stored (nor the one issued before handed
// out again), and the status of a certificate issued before the edit is
// the same conflict rather than a judgement on the edited rows.
func testCertificateRefusedOnEditedIndex(t *testing.T, open Opener) {
	const lot = "urn:critmin:lot:ndpr-1"
	// The refinery run (event 4) turns ree-1 into ndpr-1; the lot's
	// genealogy is ree-1's commissioning, shipping and receiving (events
	// 1–3), the run and the packing (event 5).
	run := `(SELECT pk FROM events WHERE transformation_id IS NOT NULL)`
	first := `(SELECT MIN(pk) FROM events)`
	cases := []struct {
		name, sql, table, column string
	}{
		{"business location", `UPDATE events SET biz_location = 'urn:critmin:site:elsewhere' WHERE pk = ` + first, "events", "biz_location"},
		{"canonical business location", `UPDATE events SET biz_location_canon = 'urn:critmin:site:elsewhere' WHERE pk = ` + first, "events", "biz_location_canon"},
		{"read point", `UPDATE events SET read_point = 'urn:critmin:site:elsewhere' WHERE pk = ` + first, "events", "read_point"},
		{"canonical read point", `UPDATE events SET read_point_canon = 'urn:critmin:site:elsewhere' WHERE pk = ` + first, "events", "read_point_canon"},
		{"transformation id", `UPDATE events SET transformation_id = 'urn:critmin:run:forged' WHERE pk = ` + run, "events", "transformation_id"},
		{"business step", `UPDATE events SET biz_step = 'shipping' WHERE pk = ` + first, "events", "biz_step"},
		{"disposition", `UPDATE events SET disposition = 'destroyed' WHERE pk = ` + first, "events", "disposition"},
		{"event quantity", `UPDATE event_quantities SET quantity = 1 WHERE epc_class = '` + lot + `'`, "event_quantities", "(row)"},
		{"event attribute", `UPDATE event_attrs SET val = 'urn:critmin:party:other' WHERE event_pk = ` + first + ` AND kind = 'destination'`, "event_attrs", "(row)"},
		{"lot move", `UPDATE lot_moves SET tonnes = tonnes + 1 WHERE lot = 'urn:critmin:lot:ree-1'`, "lot_moves", "(row)"},
		{"kept origin mix", `UPDATE lot_origin SET mix = '{}' WHERE lot = '` + lot + `'`, "lot_origin", "mix"},
		{"master data attribute", `UPDATE master_data_attrs SET val = 'CHN' WHERE val = 'PAK'`, "master_data_attrs", "(row)"},
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(s critmin.Store) (custody.Certificate, error) {
		return custody.Issue(context.Background(), s.(custody.CertStore), lot, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key)}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			verifyFixture(t, s)
			db := s.(*sqldb.DB)
			var n int
			if err := db.Write.QueryRow(`SELECT COUNT(*) FROM ` + c.table).Scan(&n); err != nil || n == 0 {
				t.Fatalf("fixture has no %s rows (%v): the case tests nothing", c.table, err)
			}
			// A certificate issued on the intact record (one stored).
			before, err := issue(s)
			if err != nil {
				t.Fatalf("certificate over intact evidence: %v", err)
			}
			tamper(t, s, c.sql)
			conflict := func(what string, err error) {
				t.Helper()
				if critmin.ErrorCode(err) != critmin.ECONFLICT {
					t.Fatalf("%s over edited %s.%s: %v; want a conflict", what, c.table, c.column, err)
				}
				if msg := err.Error(); !strings.Contains(msg, "table "+c.table+",") || !strings.Contains(msg, "column "+c.column) {
					t.Errorf("%s: conflict %q does not name table %s and column %s", what, msg, c.table, c.column)
				}
			}
			_, err = issue(s)
			conflict("certificate", err)
			if err := db.Write.QueryRow(`SELECT COUNT(*) FROM certificates`).Scan(&n); err != nil || n != 1 {
				t.Errorf("%d certificates stored, want the 1 issued before the edit (%v)", n, err)
			}
			// The status of the certificate issued before is not judged
			// on the edited rows either.
			_, err = custody.Standing(context.Background(), s, before)
			conflict("status", err)
		})
	}
}
