package plan_test

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/sqlite"
)

// TestLedgerSuppliesAfterRetraction: the planner takes supplies from the
// ledger's lots, so an event declared in error (EPCIS 2.0 §7.4.1.2) moves
// no supply and a lot that was never commissioned supplies nothing.
func TestLedgerSuppliesAfterRetraction(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := ledger.NewService(db)
	doc := func(events ...string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
	}
	commission := func(id, lot string, tonnes string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "bizLocation": {"id": "urn:critmin:demo:site:loe-shilman"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	receive := `"type": "ObjectEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
  "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"}`
	capture := func(body []byte) {
		t.Helper()
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	supplies := func() []string {
		t.Helper()
		n := plan.Demo()
		n.Supplies = nil
		if err := n.PullLedger(ctx, db); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range n.Supplies {
			out = append(out, s.ID+"@"+s.Site)
		}
		sort.Strings(out)
		return out
	}
	capture(doc(commission("P", "P", "100"), commission("Q", "Q", "40"), "{"+receive+"}"))
	if got := strings.Join(supplies(), " "); got != "lot-P@karachi lot-Q@loe-shilman" {
		t.Fatalf("before: supplies %s", got)
	}
	// Each declaration repeats its event and adds errorDeclaration.
	declare := func(ev, reason string) string {
		return strings.TrimSuffix(ev, "}") + `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "` + reason + `"}}`
	}
	capture(doc(declare("{"+receive+"}", "incorrect_data"), declare(commission("Q", "Q", "40"), "did_not_occur")))
	// P was never received at Karachi; Q never existed.
	if got := strings.Join(supplies(), " "); got != "lot-P@loe-shilman" {
		t.Errorf("after the declarations: supplies %s, want lot-P@loe-shilman", got)
	}
}
