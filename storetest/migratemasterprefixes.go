package storetest

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateMasterPrefixes: a store whose master-data captures were written
// before their prefixes were saved (no Prefixes in the audit log's
// master-data entries). A master-data-only document bound "mdx" to
// https://md.example.org/attr/ and set attribute mdx:bay on Dock 7; a
// later document set Dock 7 again with cbvmda:name only, so no current
// attribute uses mdx any more. Reopened (no prefixes remembered by the
// process), the store still knows mdx from the first capture's attribute
// IRIs in the log (mdx:bay → https://md.example.org/attr/bay, so mdx is
// https://md.example.org/attr/): EQ_ILMD_mdx:grade is answered (no event
// matches), not refused "unknown prefix", and DeclaredPrefixes binds mdx
// to that one IRI. Before, such a prefix was unknown once no current
// attribute used it.
func MigrateMasterPrefixes(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"mdx": "https://md.example.org/attr/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-20T00:00:00Z",
	"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
		{"id": "urn:epc:id:sgln:4012345.00002.0", "attributes": [{"id": "cbvmda:name", "attribute": "Dock 7"}, {"id": "mdx:bay", "attribute": "B12"}]}
	]}]}},
	"epcisBody": {"eventList": []}}`)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-21T00:00:00Z",
	"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
		{"id": "urn:epc:id:sgln:4012345.00002.0", "attributes": [{"id": "cbvmda:name", "attribute": "Dock 7 (north)"}]}
	]}]}},
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:uuid:7c000000-0000-4000-8000-000000000003", "eventTime": "2025-09-21T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizLocation": {"id": "urn:epc:id:sgln:4012345.00002.0"}}]}}`)
	// The log as a store before prefixes were saved wrote it: the
	// master-data entries without Prefixes.
	rows, err := db.Write.QueryContext(ctx, rebind(db, `SELECT seq, detail FROM audit_log WHERE action = ?`), critmin.AuditMasterData)
	if err != nil {
		t.Fatal(err)
	}
	old := map[int64]string{}
	for rows.Next() {
		var seq int64
		var detail string
		if err := rows.Scan(&seq, &detail); err != nil {
			t.Fatal(err)
		}
		var master []critmin.MasterDataElement
		if err := json.Unmarshal([]byte(detail), &master); err != nil {
			t.Fatal(err)
		}
		for i := range master {
			master[i].Prefixes = nil
		}
		b, err := json.Marshal(master)
		if err != nil {
			t.Fatal(err)
		}
		old[seq] = string(b)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(old) != 2 {
		t.Fatalf("%d master-data entries in the log, want 2", len(old))
	}
	for seq, detail := range old {
		execRebound(t, db, `UPDATE audit_log SET detail = ? WHERE seq = ?`, detail, seq)
	}
	db.Close()
	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	prefixes, err := db.DeclaredPrefixes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := prefixes["mdx"]; !reflect.DeepEqual(got, []string{"https://md.example.org/attr/"}) {
		t.Errorf("mdx bound to %v, want [https://md.example.org/attr/]", got)
	}
	for _, q := range []string{"EQ_ILMD_mdx:grade=A", "EQ_ATTR_bizLocation_mdx:bay=B12"} {
		v, err := url.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := epcis.ParseQueryWith(v, func() (map[string][]string, error) { return db.DeclaredPrefixes(ctx) }); err != nil {
			t.Errorf("%s: %v; want it answered (mdx is declared by the first master-data capture)", q, err)
		}
	}
	if got := findIDs(t, db, "EQ_ATTR_bizLocation_mdx:bay=B12"); len(got) != 0 {
		t.Errorf("EQ_ATTR_bizLocation_mdx:bay=B12: events %v, want none (Dock 7 no longer has mdx:bay)", got)
	}
}
