package plan_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/sqlite"
)

// TestLedgerLotsPlanTogether (issue 9, second new-user check, 4): ledger
// lots never stop a plan. Lots urn:t:lot:HBL and urn:u:lot:HBL share the
// last segment "HBL": each supply takes the first 8 hex digits of the
// SHA-256 of its full identifier (lot-HBL-<hash>), where both used to be
// lot-HBL, "duplicate supply id". Lot N, assayed for Nd2O3 only, has no
// TREO grade while REE concentrate is priced per tonne of TREO contained:
// it is left out with a warning naming it, and the plan runs with the
// rest (it used to fail on /supplies/…/grade/TREO).
func TestLedgerLotsPlanTogether(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	commission := func(id, lot, analyte string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:critmin:demo:site:loe-shilman"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "` + analyte + `", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	body := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [` +
		commission("a", "urn:t:lot:HBL", "TREO") + "," + commission("b", "urn:u:lot:HBL", "TREO") + "," + commission("c", "urn:t:lot:N", "Nd2O3") + `]}}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	n := plan.Demo()
	n.Supplies = nil
	if err := n.PullLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, lot := range []string{"urn:t:lot:HBL", "urn:u:lot:HBL"} {
		sum := sha256.Sum256([]byte(lot))
		want["lot-HBL-"+hex.EncodeToString(sum[:4])] = true
	}
	want["lot-N"] = true
	for _, s := range n.Supplies {
		if !want[s.ID] {
			t.Errorf("supply %s (lot %s) not among %v", s.ID, s.Lot, want)
		}
		delete(want, s.ID)
	}
	if len(want) > 0 {
		t.Errorf("missing supplies %v", want)
	}
	if err := n.Validate(); err != nil {
		t.Fatalf("network with both HBL lots: %v", err)
	}
	p, err := plan.Run(ctx, n, plan.Baseline, plan.Options{})
	if err != nil {
		t.Fatalf("plan with an unassayed ledger lot: %v", err)
	}
	found := false
	for _, w := range p.Warnings {
		found = found || strings.Contains(w, "ledger lot urn:t:lot:N (ree_concentrate) left out") && strings.Contains(w, "no TREO grade")
	}
	if !found {
		t.Errorf("no warning naming lot N: %q", p.Warnings)
	}
}
