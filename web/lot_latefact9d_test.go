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

// TestLotPageClaimNotCoveredByLateInputAssay (issue 9, fix9d): the lot
// page names the late assay of an input that left an accepted claim not
// covered, and then the declaration in error that covered it again.
// Site mb, REE factor 0.9:
//
//	A, Pakistan, 100 t at Nd 4 % + Pr 1 %; E1 (Oct 5): A 100 t → O1 5 t
//	at Nd 62 % + Pr 18 % (Nd 3.1, Pr 0.9 t) claiming Pakistan: 5 × 80 %
//	= 4.0 t against credit, bounded per element by O1 (fix9ad), Nd
//	min(100 × 4 % × 0.9 = 3.6, 3.1) + Pr min(0.9, 0.9) = 4.0 t, accepted
//	(recorded Oct 20).
//	AS9 (recorded Oct 21, dated Oct 2): A at Nd 3.2 % (3.2 t ≥ O1's 3.1:
//	no gain): credits Nd min(2.88, 3.1) + Pr 0.9 = 3.78 t, shortfall
//	4.0 − 3.78 = 0.22 t: not covered, naming AS9.
//	AS9 declared in error (Oct 22): 4.0 t again, covered, naming it.
func TestLotPageClaimNotCoveredByLateInputAssay(t *testing.T) {
	ts := MustServeUnchecked(t, true, nil)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [`
	doc := head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:E1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 5, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 62, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 18, "cm:unit": "%", "cm:basis": "dry"}], "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}]}}`
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	as9 := `{"type": "ObjectEvent", "eventID": "urn:t:ev:AS9", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:A"}],
   "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 3.2, "uom": "P1", "cm:basis": "dry"}]}]`
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + as9 + `}]}}`)}); err != nil {
		t.Fatal(err)
	}
	page := ts.URL + "/lots/" + url.PathEscape("urn:t:lot:O1")
	resp, b := do(t, "GET", page, "", nil, nil)
	for _, want := range []string{"Claim not covered", "not covered", "shortfall 0.22 t", `id="claim-assayed-by"`, `href="/events/urn:t:ev:AS9"`} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("lot page after the late assay lacks %q", want)
		}
	}
	// Accepted at capture, the claim was never refused (fix9h defect 7):
	// neither the identity card, the heading nor the badge says so, and
	// the statement page lists it under "Claims not covered".
	for _, bad := range []string{"Claim refused", `<span class="badge declared">refused</span>`, "over-claim refused"} {
		if strings.Contains(string(b), bad) {
			t.Errorf("lot page calls the claim accepted at capture refused: %q", bad)
		}
	}
	_, sb := do(t, "GET", ts.URL+"/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance?period=2025-10", "", nil, nil)
	if !strings.Contains(string(sb), "<h2>Claims not covered</h2>") || strings.Contains(string(sb), "<h2>Refused claims</h2>") {
		t.Errorf("statement page does not list O1 under Claims not covered (or still says Refused claims)")
	}
	// O1, booked in full, leaves PAK 0.22 t in deficit: the "all origins"
	// total shows it, not netted by another origin's credits.
	if !strings.Contains(string(sb), `class="deficit"`) || !strings.Contains(visibleText(string(sb)), "PAK in deficit by 0.22 t") {
		t.Errorf("statement page's total does not show PAK's 0.22 t deficit:\n%s", visibleText(string(sb)))
	}
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 22, 0, 0, 0, 0, time.UTC) }
	decl := head + as9 + `, "errorDeclaration": {"declarationTime": "2025-10-22T00:00:00Z", "reason": "incorrect_data"}}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(decl)}); err != nil {
		t.Fatal(err)
	}
	resp, b = do(t, "GET", page, "", nil, nil)
	for _, want := range []string{`id="claim-coverage-note"`, "covered again", "declared in error", `href="/events/urn:t:ev:AS9"`} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("lot page after the declaration lacks %q", want)
		}
	}
}
