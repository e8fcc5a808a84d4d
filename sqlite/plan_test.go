package sqlite_test

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestRemotePrefixScanUsesIndex: the scan of events captured with a
// remote @context (the query of sqldb.remotePrefixesUsed) is answered from
// events_context_pk (migration 0017), not by walking every event after
// the cursor.
func TestRemotePrefixScanUsesIndex(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Read.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT e.pk, e.raw, c.body FROM events e JOIN contexts c ON c.id = e.context_id
			WHERE e.pk > ? AND e.context_id IN (?, ?) ORDER BY e.pk`, 0, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "USING INDEX events_context_pk (context_id=? AND pk>?)") {
		t.Errorf("plan does not search events_context_pk:\n%s", p)
	}
}

// TestOrderByExtensionCap: an orderBy on an extension field sorts at most
// DB.MaxSorted matching events; with the cap at 2, a query matching 3 is
// EQUERYTOOLARGE naming orderBy, and one matching 2 answers.
func TestOrderByExtensionCap(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.MaxSorted = 2
	ev := func(n string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:uuid:0f000000-0000-4000-8000-00000000000` + n + `", "eventTime": "2025-03-01T10:00:0` + n + `Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": [], "ex:n": ` + n + `}`
	}
	storetest.MustCapture(t, ledger.NewService(db), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://ex.example/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-01T08:00:00Z",
	  "epcisBody": {"eventList": [`+ev("1")+`,`+ev("2")+`,`+ev("3")+`]}}`)
	f, err := epcis.ParseQuery(url.Values{"orderBy": {"https://ex.example/n"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.FindEvents(ctx, f)
	if fe := critmin.ErrorFields(err); critmin.ErrorCode(err) != critmin.EQUERYTOOLARGE || len(fe) != 1 || fe[0].Pointer != "orderBy" {
		t.Errorf("3 events over a cap of 2: %v", err)
	}
	f, _ = epcis.ParseQuery(url.Values{"orderBy": {"https://ex.example/n"}, "GE_https://ex.example/n": {"2"}})
	if page, err := db.FindEvents(ctx, f); err != nil || len(page.Events) != 2 {
		t.Errorf("2 events under a cap of 2: %v", err)
	}
}

// TestAuditLookupsUseIndex: the audit chain's look-ups by subject (an
// attested row's latest entry, a certificate's revocation) and by action
// (the pinned refinery key, period records) search the indexes of
// migration 0056 instead of scanning every entry of the chain.
func TestAuditLookupsUseIndex(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ query, want string }{
		{`SELECT seq, action, detail FROM audit_log WHERE action IN ('record.set', 'record.delete') AND subject = 'x' ORDER BY seq DESC LIMIT 1`, "audit_log_subject (subject=?"},
		{`SELECT COUNT(*) FROM audit_log WHERE action = 'cert.revoke' AND subject = 'x'`, "audit_log_subject (subject=? AND action=?)"},
		{`SELECT detail FROM audit_log WHERE action = 'refinery.key' ORDER BY seq LIMIT 1`, "USING INDEX audit_log_action (action=?)"},
	} {
		rows, err := db.Read.QueryContext(ctx, `EXPLAIN QUERY PLAN `+c.query)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "\n"); !strings.Contains(p, c.want) {
			t.Errorf("%s\nplan does not use %q:\n%s", c.query, c.want, p)
		}
	}
}

// TestContainerReadsSearchByContainer: the reads a capture asks once per
// container (a container's stored movements, the runs fed it whole) find
// the container's events through event_epcs_canon or
// event_contents_container and then read events by key. Before, SQLite
// chose events_event_type for the outer loop and walked every stored
// ObjectEvent (every TransformationEvent) for each container, checking
// each against the container's few rows: at 20,000 benchmark events, 10
// per container, the 2,000 containers × 14,500 ObjectEvents walked were
// about 29 million rows a capture, two thirds of its CPU
// (docs/benchmarks.md, 2026-12-06 fixPd).
func TestContainerReadsSearchByContainer(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reads := db.ContainerReads()
	if len(reads) != 2 {
		t.Fatalf("%d container reads, want 2", len(reads))
	}
	for _, q := range reads {
		rows, err := db.Read.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, "urn:critmin:bench:container:00000001")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "\n")
		if strings.Contains(p, "events_event_type") || strings.Contains(p, "SCAN e ") || !strings.Contains(p, "SEARCH e USING") {
			t.Errorf("%s\nplan walks the events by type instead of searching the container's:\n%s", q, p)
		}
	}
}
