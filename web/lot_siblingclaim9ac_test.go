package web_test

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLotPageSiblingReassayClaim (issue 9, fix9ac): the lot page and the
// certificate page state a claim as its share of what the lot holds now,
// never the tonnes it retired when the lot held more, and say the credit
// retired beyond stays retired.
//
//	R (Oct 20): PK 10 t (Pakistan, Nd 4 % + Pr 1 %: Nd 0.4 + Pr 0.1 t) →
//	  O1, O2, 0.5 t each at Nd 40 % + Pr 10 % = 0.25 t Nd+Pr; O2 claims
//	  Pakistan 0.8: 0.8 × 0.25 = 0.2 t (credit 0.45 t).
//	RA1 (Oct 22): O1 at Nd 80 % + Pr 20 %: outputs Nd 0.6 > 0.4 in, Pr
//	  0.15 > 0.1 in; O2 counts Nd 0.2 × 0.4/0.6 + Pr 0.05 × 0.1/0.15 =
//	  0.166667 t, its claim 0.8 × 0.166667 = 0.133333 t Pakistan (80 %);
//	  0.2 t stays retired (0.066667 t beyond what it attributes).
func TestLotPageSiblingReassayClaim(t *testing.T) {
	ts := MustServe(t, true, nil)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [`
	facts := func(k int, lot, extra string) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:R-facts-%d", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:%s"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 10, "cm:unit": "%%", "cm:basis": "dry"}]%s}}`, k, lot, extra)
	}
	feed := `{"type": "ObjectEvent", "eventID": "urn:t:ev:PK", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 10, "uom": "TNE"}],
   "outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 0.5, "uom": "TNE"}, {"epcClass": "urn:t:lot:O2", "quantity": 0.5, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}}`
	reassay := `{"type": "ObjectEvent", "eventID": "urn:t:ev:RA1", "eventTime": "2025-10-22T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:O1"}], "bizLocation": {"id": "urn:t:site:mb"},
   "sensorElementList": [{"sensorReport": [
    {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 80, "uom": "P1", "cm:basis": "dry"},
    {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 20, "uom": "P1", "cm:basis": "dry"}]}]}`
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + feed + `]}}`)}); err != nil {
		t.Fatal(err)
	}
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + run + "," + facts(0, "O1", "") + "," + facts(1, "O2", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.8}]`) + `]}}`)}); err != nil {
		t.Fatal(err)
	}
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 23, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + reassay + `]}}`)}); err != nil {
		t.Fatal(err)
	}
	lot := url.PathEscape("urn:t:lot:O2")
	resp, b := do(t, "GET", ts.URL+"/lots/"+lot, "", nil, nil)
	page := string(b)
	i := strings.Index(page, `id="claimed-detail"`)
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("lot page %d without a claimed detail", resp.StatusCode)
	}
	detail := page[i:min(len(page), i+3000)]
	detail = html.UnescapeString(detail[:strings.Index(detail, "</p>")])
	// The page prints tonnes to 3 decimals and shares to 0.1 %: 0.133 t,
	// 80 %; the note its figures to 6 decimals.
	for _, want := range []string{"Pakistan 0.133 t Nd+Pr (80 %)", `id="claim-retired-note"`, "retired 0.2 t Nd+Pr of Pakistan credit", "holds 0.166667 t Nd+Pr now", "stays retired"} {
		if !strings.Contains(detail, want) {
			t.Errorf("lot page's claim lacks %q:\n%s", want, detail)
		}
	}
	if strings.Contains(detail, "Pakistan 0.2 t") || strings.Contains(detail, "Pakistan 0.200 t") {
		t.Errorf("lot page attributes the 0.2 t retired to Pakistan on a lot holding 0.166667 t:\n%s", detail)
	}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/lots/"+lot+"/certificate", operatorSecret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("certificate: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/lots/"+lot+"/certificate", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	cert := string(b)
	j := strings.Index(cert, `id="cert-claimed"`)
	if resp.StatusCode != 200 || j < 0 {
		t.Fatalf("certificate page %d without a claimed table:\n%s", resp.StatusCode, cert)
	}
	claimed := cert[j:min(len(cert), j+4000)]
	for _, want := range []string{`<td class="num">80 %</td><td class="num">0.133</td>`, `id="cert-claim-retired"`, "stays retired"} {
		if !strings.Contains(claimed, want) {
			t.Errorf("certificate's claimed origin lacks %q:\n%s", want, claimed)
		}
	}
}
