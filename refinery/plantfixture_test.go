package refinery_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// Shared set-ups of the tests that read a hand-made plant's month from
// the ledger (refinery.FromLedger). They hold no figure of their own:
// each test states its events and checks its figures.

// plantSite is the hand-made plant's site.
const plantSite = "urn:t:site:plant"

// plantFlow is a flowsheet of one node, plant, for Nd: a feed of
// ree_concentrate, a product of ndpr_oxide and the residue.
const plantFlow = `{"elements": ["Nd"], "nodes": [{"id": "plant"}], "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant"},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant"},
  {"id": "residue", "kind": "residue", "from": "plant"}]}`

// plantDoc is an EPCIS 2.0 document (mineral context cm:) of events, each
// a JSON event object.
func plantDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [` + strings.Join(events, ",\n") + `]}}`
}

// plantLedger is a fresh SQLite store (closed when the test ends) with
// doc captured.
func plantLedger(t *testing.T, ctx context.Context, doc string) *sqldb.DB {
	t.Helper()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	return store
}

// plantProblem is October 2025 at plantSite as refinery.FromLedger reads
// it from store through flowsheet (JSON, as plantFlow).
func plantProblem(t *testing.T, ctx context.Context, store *sqldb.DB, flowsheet string) *refinery.Problem {
	t.Helper()
	flow, err := refinery.DecodeProblemUnvalidated(strings.NewReader(flowsheet))
	if err != nil {
		t.Fatal(err)
	}
	p, err := refinery.FromLedger(ctx, store, flow, plantSite, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
