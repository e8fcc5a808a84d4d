package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// tamper runs SQL straight against a store's database, as an intruder
// with database access would.
func tamper(t *testing.T, s critmin.Store, queries ...string) {
	t.Helper()
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T gives no raw access", s)
	}
	for _, q := range queries {
		if db.Dialect.Dollar {
			q = sqldb.Rebind(q)
		}
		if _, err := db.Write.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("tamper %q: %v", q, err)
		}
	}
}

// testTamperEvidence edits, deletes and reorders records directly in the
// database and checks that verification names the first record broken.
func testTamperEvidence(t *testing.T, open Opener) {
	cases := []struct {
		name    string
		sql     []string
		kind    string
		seq     int64
		mention string
	}{
		{"intact", nil, "", 0, ""},
		{"edited quantity", []string{`UPDATE events SET raw = REPLACE(raw, '25000', '26000') WHERE chain_seq = 2`}, custody.Altered, 2, "content"},
		{"edited event id", []string{`UPDATE events SET event_id = 'urn:uuid:forged' WHERE chain_seq = 4`}, custody.Altered, 4, "content"},
		{"deleted record", []string{`DELETE FROM events WHERE chain_seq = 3`}, custody.Deleted, 4, "missing"},
		{"deleted last record", []string{`DELETE FROM events WHERE chain_seq = 8`}, custody.RootBad, 8, "root"},
		{"reordered records", []string{`UPDATE events SET chain_seq = -2 WHERE chain_seq = 2`, `UPDATE events SET chain_seq = 2 WHERE chain_seq = 3`, `UPDATE events SET chain_seq = 3 WHERE chain_seq = -2`}, custody.Reordered, 2, "chained after"},
		{"edited context", []string{`UPDATE contexts SET body = REPLACE(body, 'ns.critmin.org', 'ns.evil.org')`}, custody.Altered, 1, "@context"},
		{"edited day root", []string{`UPDATE chain_roots SET root = '` + custody.Genesis + `'`}, custody.RootBad, 8, "root"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := service(s)
			MustCapture(t, svc, corridorDoc)
			MustCapture(t, svc, invalidDoc[:strings.Index(invalidDoc, `,
  {"type": "ObjectEvent", "eventID": "urn:uuid:10000000-0000-4000-8000-000000000002"`)]+`]}}`)
			MustCapture(t, svc, strings.ReplaceAll(strings.ReplaceAll(invalidDoc, "-3,", "3,"), "10000000", "20000000"))
			tamper(t, s, c.sql...)
			rep, err := custody.VerifyStore(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if c.kind == "" {
				if rep.Problem != nil || rep.Records != 8 || rep.Roots != 1 {
					t.Fatalf("intact ledger: %+v %v", rep, rep.Problem)
				}
				return
			}
			if rep.Problem == nil {
				t.Fatalf("%s went unnoticed (%d records)", c.name, rep.Records)
			}
			if rep.Problem.Kind != c.kind || rep.Problem.Seq != c.seq || !strings.Contains(rep.Problem.Error(), c.mention) {
				t.Errorf("problem %v; want %s at record %d", rep.Problem, c.kind, c.seq)
			}
		})
	}
}

// tamperAsOlder writes rows as an older critmin left them (tamper), then
// seals the derived rows as they stand, as migration 0072 does when such a
// store is upgraded (sqldb.ResealDerived): the store then models an older
// store brought up to date, whose rows readers serve, rather than rows
// edited outside critmin, which they refuse.
func tamperAsOlder(t *testing.T, s critmin.Store, queries ...string) {
	t.Helper()
	tamper(t, s, queries...)
	if err := s.(*sqldb.DB).ResealDerived(context.Background()); err != nil {
		t.Fatalf("reseal: %v", err)
	}
}
