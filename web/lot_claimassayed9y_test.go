package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLotPageClaimAtAssay (fix9y item 1, was fix9q's capped claim): a
// claim on a lot whose run gained is booked at the lot's assayed content,
// the metal it is said to contain, and the lot page shows that figure,
// with no "capped" note. Site mb, REE factor 0.9:
//
//	G, Pakistan, 10 t at Nd 3 % + Pr 1 % = 0.3 t Nd + 0.1 t Pr = 0.4 t
//	RG (Oct 5): G 10 t → OG 0.75 t at Nd 45 % + Pr 15 % = 0.45 t assayed,
//	  more than the 0.4 t in: element_gain, OG's physical figure capped
//	  at 0.4 t, its credit 0.4 × 0.9 = 0.36 t
//	F adds 10 t at Nd 4 % + Pr 1 % = 0.5 t × 0.9 = 0.45 t (run RF, Oct 4;
//	  its oxide OF, 0.6 t at Nd 64 % + Pr 16 % = 0.48 t, holds it, fix9c)
//	OG claims Pakistan 100 %: 0.45 t Nd+Pr ≤ 0.81 t, accepted
//	page (fix9ac): the claim retired 0.45 t and attributes its 100 % of
//	  the 0.4 t OG holds: "Pakistan 0.4 t Nd+Pr (100 %)", and the note
//	  "retired 0.45 t … the 0.05 t Nd+Pr beyond stays retired"; no
//	  id="claim-capped" (fix9q's capped claim is gone: the debit is the
//	  assayed 0.45 t)
func TestLotPageClaimAtAssay(t *testing.T) {
	ts := MustServeUnchecked(t, true, nil)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [`
	feed := func(id, nd, pr string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": ` + pr + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, when, in, out, t, assay, claim string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + t + `, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [` + assay + `]` + claim + `}}`
	}
	a := func(el, v string) string {
		return `{"cm:analyte": "` + el + `", "cm:value": ` + v + `, "cm:unit": "%", "cm:basis": "dry"}`
	}
	doc := head + feed("F", "4", "1") + "," + feed("G", "3", "1") + "," +
		run("RF", "2025-10-04T00:00:00Z", "F", "OF", "0.6", a("Nd", "64")+","+a("Pr", "16"), "") + "," +
		run("RG", "2025-10-05T00:00:00Z", "G", "OG", "0.75", a("Nd", "45")+","+a("Pr", "15"), `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`) + `]}}`
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:OG"), "", nil, nil)
	page := string(b)
	page = html.UnescapeString(page)
	if resp.StatusCode != 200 || !strings.Contains(page, "Pakistan 0.4 t Nd+Pr (100 %)") || !strings.Contains(page, `id="claim-retired-note"`) ||
		!strings.Contains(page, "the claim retired 0.45 t Nd+Pr of Pakistan credit") || !strings.Contains(page, "the 0.05 t Nd+Pr beyond stays retired") {
		t.Errorf("lot page (%d) lacks the claim's 100 %% of the 0.4 t OG holds, retiring its assayed 0.45 t", resp.StatusCode)
	}
	if strings.Contains(page, `id="claim-capped"`) || strings.Contains(page, "Pakistan 0.45 t Nd+Pr (100 %)") {
		t.Errorf("lot page states a capped-claim note, or attributes 0.45 t to Pakistan on a lot holding 0.4 t")
	}
}
