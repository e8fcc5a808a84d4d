package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestMassBalancePageListsCreditsOutsideAnyPeriod (fixKk): the site page
// lists, under "Outside any declared claim period", the credit of a run
// before the site's first declared period — A0, Pakistan, 10 t dry at
// Nd 4 % + Pr 1 %, fed on Sep 20 to run W: 10 × 5 % × 0.9 = 0.45 t Nd+Pr
// — which is in no line of October's statement (PAK credits 0).
func TestMassBalancePageListsCreditsOutsideAnyPeriod(t *testing.T) {
	ts := MustServe(t, true, nil)
	ts.Svc.Now = func() time.Time { return time.Date(2025, 9, 10, 0, 0, 0, 0, time.UTC) }
	const head = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
	 "epcisBody": {"eventList": [`
	capture := func(events string) {
		t.Helper()
		if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + events + `]}}`)}); err != nil {
			t.Fatal(err)
		}
	}
	capture(`{"type": "ObjectEvent", "eventID": "urn:t:ev:A0", "eventTime": "2025-09-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:A0", "quantity": 10, "uom": "TNE"}],
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, ts.Svc.Now()); err != nil {
		t.Fatal(err)
	}
	ts.Svc.Now = func() time.Time { return time.Date(2025, 9, 21, 0, 0, 0, 0, time.UTC) }
	capture(`{"type": "TransformationEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-09-20T00:00:00Z", "eventTimeZoneOffset": "+00:00",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:A0", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:LW", "quantity": 1.2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 64, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 16, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	resp, b := do(t, "GET", ts.URL+"/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance?period=2025-10", "", nil, nil)
	body := string(b)
	for _, want := range []string{`<h2 id="outside">Outside any declared claim period</h2>`, "before the first declared claim period (2025-10-01)", "<td>Pakistan</td><td class=\"num\">0.45</td>", "urn:t:ev:W", "urn:t:lot:A0"} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("page lacks %q: %d\n%.3000s", want, resp.StatusCode, body)
		}
	}
}
