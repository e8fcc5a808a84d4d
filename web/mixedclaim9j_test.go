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

// TestMixedClaimPerOriginPages (fix9j item 1): a claim of two origins left
// short in one reads each origin's own standing on the lot page and on the
// site's statement page, never the other origin's shortfall.
//
//	F, Pakistan, 10 t at Nd 4 % + Pr 1 % (Nd 0.4, Pr 0.1 t): RF (Oct 4)
//	  → OF 0.6 t at Nd 60 % + Pr 20 % (Nd 0.36, Pr 0.12 capped at 0.1):
//	  credit PAK, element by element (fix9ad), Nd min(0.36, 0.36) + Pr
//	  min(0.09, 0.1) = 0.45 t.
//	G, China, 10 t: RG (Oct 6) → OG 0.5 t at 80 % = 0.4 t claiming
//	  Pakistan 50 % (0.2 t ≤ 0.45) and China 50 % (0.2 t ≤ RG's own CHN
//	  credit Nd min(0.36, 0.3) + Pr min(0.09, 0.1) = 0.39 t): accepted.
//	AS9J (dated Oct 4, recorded Oct 8): OF at Nd 5 % + Pr 20 % holds
//	  Nd 0.03 t and Pr 0.12 t, more Pr than F held (0.1 t): a gain earns
//	  no credit (fix9m), so RF's credit is Nd min(0.36, 0.03) + Pr
//	  min(0.09, 0.1) = 0.12 t PAK: PAK closes 0.12 − 0.2 = −0.08 t, OG's
//	  Pakistan share 0.08 t short; China 0.39 − 0.2 = 0.19 t: OG's China
//	  share covered.
func TestMixedClaimPerOriginPages(t *testing.T) {
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
		run("RG", "2025-10-06T00:00:00Z", "G", "OG", "0.5", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}, {"cm:country": "CHN", "cm:share": 0.5}]`) + `]}}`
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
	assay := head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:AS9J", "eventTime": "2025-10-04T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:OF"}],
   "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 5, "uom": "P1", "cm:basis": "dry"}]}]}]}}`
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 8, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(assay)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:OG"), "", nil, nil)
	page := string(b)
	i := strings.Index(page, `id="claim-origin-status"`)
	if resp.StatusCode != 200 || i < 0 {
		j := strings.Index(page, "claimed-origin")
		t.Fatalf("lot page (%d) has no per-origin claim status:\n%s", resp.StatusCode, page[max(0, j):min(len(page), j+1500)])
	}
	part := page[i:min(len(page), i+600)]
	if !strings.Contains(part, "Pakistan claimed 0.2 t, not covered (shortfall 0.08 t)") || !strings.Contains(part, "China claimed 0.2 t, covered by the China balance") {
		t.Errorf("lot page per-origin status %q, want Pakistan short 0.08 t, China covered", part)
	}
	_, sb := do(t, "GET", ts.URL+"/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance?period=2025-10", "", nil, nil)
	spage := string(sb)
	for _, want := range []string{"claim · PAK · 0.2", "claim · CHN · 0.2"} {
		k := strings.Index(spage, want)
		if k < 0 {
			t.Fatalf("statement page has no %q", want)
		}
		end := strings.Index(spage[k:], "</li>")
		li := spage[k : k+end]
		if strings.HasSuffix(want, "PAK · 0.2") != strings.Contains(li, "shortfall 0.08 t") || (strings.Contains(want, "CHN") && !strings.Contains(li, "covered: accepted at capture")) {
			t.Errorf("statement entry %q, want the PAK entry short 0.08 t, the CHN entry covered", li)
		}
	}
}
