package custody_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestMassBalanceSiteSpellings (issue 9): a declaration is one account of
// its site in every spelling of the site (docs/identity.md). Master data
// and the declaration name the site urn:epc:id:sgln:4012345.00008.0; the
// run's event names it by its GS1 Digital Link with an upper-case scheme,
// HTTPS://id.gs1.org/414/4012345000085.
//
// Run S (December): feed P (Pakistan, 10 t dry at Nd 4 % + Pr 1 %) → SX,
// 0.5 t NdPr oxide at Nd 60 % + Pr 20 %, claiming Pakistan:
//
//	credit PAK = 10 × 5 % × 0.9 = 0.45 t Nd+Pr
//	claim SX   = 0.5 × 80 % = 0.40 t ≤ 0.45 → accepted; closing 0.05 t
//	(event s2 of run S makes SR, 0.1 t at Nd 60 %, no claim: the run's
//	products hold 0.4 + 0.06 = 0.46 ≥ 0.45 t, fix9c)
//
// Before the fix the declaration was found under its spelling only: the
// capture refused the claim ("declares no material category") and the
// statement held no run at all.
func TestMassBalanceSiteSpellings(t *testing.T) {
	ctx := context.Background()
	const urn, dl = "urn:epc:id:sgln:4012345.00008.0", "HTTPS://id.gs1.org/414/4012345000085"
	md := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "` + urn + `", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
	 "epcisBody": {"eventList": [` + feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1") + `]}}`
	db := store(t, md)
	if err := custody.DeclareMassBalance(ctx, db, declaration(urn), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-12-11T00:00:00Z")
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:s1", "eventTime": "2025-12-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:S",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:SX", "quantity": 0.5, "uom": "TNE"}], "bizLocation": {"id": "` + dl + `"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]` + claimPAK + `}}`
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(run, stockEvent("s2", "urn:t:run:S", dl, "2025-12-10T00:00:00Z", "SR", 0.1, "60", "0"))}); err != nil {
		t.Fatalf("claim of 0.40 t on 0.45 t of credits earned at the site's other spelling: %v", err)
	}
	if err := custody.CheckClaim(ctx, db, "urn:t:lot:SX"); err != nil {
		t.Errorf("stored verdict on SX: %v, want accepted", err)
	}
	for _, spelling := range []string{urn, dl, "https://id.gs1.org/414/4012345000085"} {
		st, err := custody.StatementOf(ctx, db, spelling, "2025-12", nil, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("%s: %v", spelling, err)
		}
		sameLine(t, "2025-12 PAK via "+spelling, line(t, st, "ree", "PAK"), 0, 0.45, 0.40, 0, 0.05)
	}
}
