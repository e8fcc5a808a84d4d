package refinery_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// partialAssayLedger captures two feed lots into one run at urn:t:site:plant:
// A 100 t dry with Nd 5 %, B 100 t dry with only La assayed (3 %); the
// run's output O 2 t of ndpr_oxide at Nd 60 %.
func partialAssayLedger(t *testing.T) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	lot := func(id, assay string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [` + assay + `]}}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [` + lot("A", `{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}`) + `,` +
		lot("B", `{"cm:analyte": "La", "cm:value": 3, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "U3O8", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "TREO", "cm:value": 9, "cm:unit": "%", "cm:basis": "dry"}`) + `,
  {"type": "TransformationEvent", "eventID": "urn:t:ev:X1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R1",
   "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}, {"epcClass": "urn:t:lot:B", "quantity": 100, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 2, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:plant"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if _, err := ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	return store
}

// TestFromLedgerPartialAssay (fix12h 3): a lot without an assay of an
// element is not 0 % of it. Feed: A 100 t at Nd 5 % (5 t Nd), B 100 t
// with only La assayed. The Nd grade is the mean over the lots that
// assay Nd: 5 / 100 = 5 % — not 5 / 200 = 2.5 % — marked estimated,
// with a warning naming lot B. La likewise: 3 t / 100 t = 3 %, naming A.
// fix12h 4: U3O8 1 % converts to U 1 × 3 × 238.02891 / (3 × 238.02891 + 8 × 15.999)
// = 714.08673 / 842.07873 = 0.848004 % (IUPAC 2021 atomic weights) (was dropped
// as "an element the flowsheet does not track"); TREO, which converts to
// no element, is named in a warning.
func TestFromLedgerPartialAssay(t *testing.T) {
	ctx := context.Background()
	store := partialAssayLedger(t)
	flow, err := refinery.DecodeProblemUnvalidated(strings.NewReader(`{"elements": ["Nd", "La", "U"], "nodes": [{"id": "plant"}], "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant"},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant"},
  {"id": "residue", "kind": "residue", "from": "plant"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := refinery.FromLedger(ctx, store, flow, "urn:t:site:plant", "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	feed := p.Streams[0]
	near(t, "feed dry t", feed.Mass.Value, 200, 1e-9)
	near(t, "feed Nd %", feed.Grade["Nd"].Value, 5, 1e-9)
	near(t, "feed La %", feed.Grade["La"].Value, 3, 1e-9)
	if feed.Grade["U"] == nil {
		t.Fatal("the U3O8 assay gave no U grade")
	}
	near(t, "feed U %", feed.Grade["U"].Value, 1*3*238.02891/(3*238.02891+8*15.999), 1e-9)
	if !feed.Grade["Nd"].Estimated || !feed.Grade["La"].Estimated {
		t.Errorf("partial grades not marked estimated: Nd %+v La %+v", feed.Grade["Nd"], feed.Grade["La"])
	}
	if p.Streams[1].Grade["Nd"].Estimated {
		t.Errorf("the oxide's Nd grade, assayed on its one lot, is marked estimated")
	}
	var nd, la, treo bool
	for _, w := range p.Warnings {
		nd = nd || (strings.Contains(w, "Nd grade estimated") && strings.Contains(w, "urn:t:lot:B"))
		la = la || (strings.Contains(w, "La grade estimated") && strings.Contains(w, "urn:t:lot:A"))
		treo = treo || (strings.Contains(w, "analyte TREO converts to no element") && strings.Contains(w, "urn:t:lot:B"))
	}
	if !nd || !la || !treo {
		t.Errorf("warnings %q do not name the unassayed lots", p.Warnings)
	}
}

// TestFromLedgerAmbiguousFeedStream (fix12h 5): two feed streams of one
// commodity: a lot of it is refused naming both, never sent to the first.
func TestFromLedgerAmbiguousFeedStream(t *testing.T) {
	ctx := context.Background()
	store := partialAssayLedger(t)
	flow, err := refinery.DecodeProblemUnvalidated(strings.NewReader(`{"elements": ["Nd"], "nodes": [{"id": "plant"}], "streams": [
  {"id": "feed_a", "kind": "feed", "commodity": "ree_concentrate", "to": "plant"},
  {"id": "feed_b", "kind": "feed", "commodity": "ree_concentrate", "to": "plant"},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant"},
  {"id": "residue", "kind": "residue", "from": "plant"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = refinery.FromLedger(ctx, store, flow, "urn:t:site:plant", "2025-10", refinery.Precision{})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "feed_a") || !strings.Contains(err.Error(), "feed_b") {
		t.Fatalf("two feed streams of ree_concentrate: %v, want EINVALID naming feed_a and feed_b", err)
	}
}
