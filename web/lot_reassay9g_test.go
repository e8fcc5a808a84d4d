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

// TestLotPageLowerReassayKeepsClaim (fix9g defect 4): the lot page says a
// claim keeps what it took when its lot is reassayed lower, naming the
// assay. F, Pakistan, 10 t at Nd 4 % + Pr 1 %: run RF (Oct 4) → OF 0.6 t
// at 80 %: credit min(10 × 5 % × 0.9 = 0.45, 0.48) = 0.45 t. RG (Oct 6):
// G (China) 10 t → OG 0.5 t at Nd 60 % + Pr 20 % = 0.4 t claiming
// Pakistan, accepted. AS9G (dated Oct 6, captured after): OG at Nd 20 %,
// 0.5 × 40 % = 0.2 t now; the claim keeps 0.4 t.
func TestLotPageLowerReassayKeepsClaim(t *testing.T) {
	ts := MustServeUnchecked(t, true, nil)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [`
	feed := func(id, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, when, in, out, t, claim string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + t + `, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]` + claim + `}}`
	}
	doc := head + feed("F", "PAK") + "," + feed("G", "CHN") + "," + run("RF", "2025-10-04T00:00:00Z", "F", "OF", "0.6", "") + "," +
		run("RG", "2025-10-06T00:00:00Z", "G", "OG", "0.5", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`) + `]}}`
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 7, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	assay := head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:AS9G", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:OG"}],
   "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 20, "uom": "P1", "cm:basis": "dry"}]}]}]}}`
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 8, 0, 0, 0, 0, time.UTC) } // recorded after the claim
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(assay)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:OG"), "", nil, nil)
	page := string(b)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="claim-reassay-note"`) || !strings.Contains(page, "it holds 0.2 t Nd") || !strings.Contains(page, "the claim rests on the 0.4 t Nd") || !strings.Contains(page, "/events/"+url.PathEscape("urn:t:ev:AS9G")) {
		i := strings.Index(page, "claimed-detail")
		t.Errorf("lot page (%d) does not say the claim keeps 0.4 t, naming AS9G:\n%s", resp.StatusCode, page[max(0, i):min(len(page), i+1500)])
	}
}
