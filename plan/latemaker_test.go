package plan_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest/unchecked"
)

// TestLedgerSkipsLateMadeLot (issue 8 §2, fixMm): lot urn:t:lot:E, REE
// concentrate, is commissioned with 100 t at loe-shilman on 2025-10-01
// (E1); run R takes 40 t of it on 2025-10-05; E1 is declared in error
// with its corrective E1c dated 2025-10-10 — after R drew on E (a store
// written before capture refused that). E is not in the record (the lot
// API answers 410), so the planner offers no supply of it; lot F,
// commissioned the same way and never declared, is offered:
// 100 − 40 = 60 t where it stands.
func TestLedgerSkipsLateMadeLot(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	commission := func(id, lot, day, tail string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:critmin:demo:site:loe-shilman"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}` + tail + `}`
	}
	run := func(id, lot string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
  "inputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 40, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `-P", "quantity": 30, "uom": "TNE"}], "bizLocation": {"id": "urn:critmin:demo:site:loe-shilman"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	doc := func(events ...string) string {
		body := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [`
		for i, e := range events {
			if i > 0 {
				body += ","
			}
			body += e
		}
		return body + `]}}`
	}
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	unchecked.MustStore(t, db, doc(commission("E1", "E", "01", ""), run("R", "E"), commission("F1", "F", "01", ""), run("RF", "F")), now)
	unchecked.MustStore(t, db, doc(commission("E1", "E", "01", `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:E1c"]}`),
		commission("E1c", "E", "10", "")), now.Add(time.Minute))
	n := plan.Demo()
	n.Supplies = nil
	if err := n.PullLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
	var f float64
	for _, s := range n.Supplies {
		switch s.Lot {
		case "urn:t:lot:E":
			t.Errorf("supply %s offers lot E, not in the record (made on 2025-10-10 after run R drew on it)", s.ID)
		case "urn:t:lot:F":
			f += s.Tonnes
		}
	}
	if f < 60-1e-9 || f > 60+1e-9 {
		t.Errorf("supplies of lot F: %v t; want 100 − 40 = 60 t", f)
	}
}
