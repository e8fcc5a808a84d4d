package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// TestStoredClaimOutsideCategoryPages (fix9al): a claim stored before
// claims outside their category were refused at capture, and a claim
// whose lot's assay was declared in error since, read not covered and
// booked on the lot page, in the lot API and on the statement page.
// MustServeUnchecked: OD's claim is one the capture check now refuses,
// stored as an earlier version stored it.
//
//	P1: Pakistan, 10 t at Nd 10 %; R1 → RES1, 1 t NdPr oxide at Nd 80 %:
//	  credit PAK min(10 × 10 % × 0.9 = 0.9, 0.8) = 0.8 t.
//	RD: S (antimony ore, no input of ree) 5 t → OD 0.25 t at Nd 80 % =
//	  0.2 t, claiming Pakistan: outside ree, booked.
//	RG: C (China, REE concentrate) 10 t → OG 0.5 t, no assay of its own;
//	  AG assays OG at Nd 80 % (0.4 t); OG's claim of Pakistan: 0.4 t.
//	  AG declared in error: OG's grade not measured, booked at 0.4 t.
//
// ree PAK: 0 + 0.8 − (0.2 + 0.4) − 0 = 0.2 t.
func TestStoredClaimOutsideCategoryPages(t *testing.T) {
	ts := MustServeUnchecked(t, true, nil)
	ctx := t.Context()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	feed := func(lot, commodity, iso, tonnes, nd string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "` + commodity + `", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, day, in, inT, out, outT, ilmd string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": ` + inT + `, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + outT + `, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0` + ilmd + `}}`
	}
	nd80 := `, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 80, "cm:unit": "%", "cm:basis": "dry"}]`
	claim := `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`
	ag := `{"type": "ObjectEvent", "eventID": "urn:t:ev:AG", "eventTime": "2025-10-07T01:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:OG"}], "readPoint": {"id": "urn:t:site:mb"}, "bizLocation": {"id": "urn:t:site:mb"},
   "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 80, "uom": "P1", "cm:basis": "dry"}]}]}`
	og := `{"type": "ObjectEvent", "eventID": "urn:t:ev:CG", "eventTime": "2025-10-07T02:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:OG"}], "bizLocation": {"id": "urn:t:site:mb"}, "readPoint": {"id": "urn:t:site:mb"}, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(feed("P1", "ree_concentrate", "PAK", "10", "10"), feed("C", "ree_concentrate", "CHN", "10", "20"), feed("S", "antimony_ore", "CHN", "5", "0"))}); err != nil {
		t.Fatal(err)
	}
	decl := `{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd"], "conversionFactor": 0.9}],
 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`
	if resp, b := do(t, "PUT", ts.URL+"/api/v1/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance", operatorSecret, []byte(decl), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	for _, d := range [][]string{{run("R1", "5", "P1", "10", "RES1", "1", nd80)}, {run("RD", "6", "S", "5", "OD", "0.25", nd80+claim)}, {run("RG", "7", "C", "10", "OG", "0.5", ""), ag, og}} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(d...)}); err != nil {
			t.Fatal(err)
		}
	}
	retracted := strings.Replace(ag, `"bizStep"`, `"errorDeclaration": {"declarationTime": "2025-10-08T00:00:00Z", "reason": "incorrect_data"}, "bizStep"`, 1)
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(retracted)}); err != nil {
		t.Fatalf("AG declared in error: %v", err)
	}
	od, ogp := url.PathEscape("urn:t:lot:OD"), url.PathEscape("urn:t:lot:OG")
	statement := "/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance?period=2025-10"
	checks := []struct{ path, want string }{
		{"/lots/" + od, "Claim not covered — stored without the category check capture makes now (before claims outside their material category were refused), its run not in its category's mass-balance system"},
		{"/lots/" + od, "claim not covered: stated Pakistan 100.0 % — stored without the category check capture makes now"},
		{"/api/v1/lots/" + od, `"shortOf": "category_system"`},
		{"/api/v1/lots/" + od, `"status": "not_covered"`},
		{"/lots/" + ogp, "Claim not covered — accepted at capture, its lot's grade no longer measured"},
		{"/lots/" + ogp, "urn:t:ev:AG"},
		{"/api/v1/lots/" + ogp, `"shortOf": "grade_not_measured"`},
		{"/api/v1/lots/" + ogp, `"status": "not_covered"`},
		{"/api/v1/lots?format=csv", "not covered"},
		{statement, "or takes away the assay of their lot they were accepted on"},
		{statement, "A claim stored on a run outside its category, before such claims were refused at capture, stays booked too"},
		{statement, "no event declared in error explains it"},
	}
	for _, c := range checks {
		resp, b := do(t, "GET", ts.URL+c.path, operatorSecret, nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), c.want) {
			t.Errorf("GET %s: %d, want %q in:\n%.3000s", c.path, resp.StatusCode, c.want, b)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance/statement?period=2025-10", operatorSecret, nil, nil)
	// ree PAK: 0 + 0.8 − 0.6 − 0 = 0.2 t.
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"claims": 0.6`) || !strings.Contains(string(b), `"closing": 0.2`) {
		t.Errorf("statement: %d, want claims 0.6, closing 0.2:\n%.3000s", resp.StatusCode, b)
	}
	// fix9ap: AGc (dated Oct 9, after OG's claim of Oct 7) measures OG
	// again. The claim is judged on its lot as claimed (an assay dated
	// after a claim changes the lot from then on, never the claim), so
	// it stays short of its grade, all 0.4 t; but the lot is measured
	// now, and the lot page, the lot API and the statement page say
	// "graded only after the claim", not "grade no longer measured".
	agc := strings.NewReplacer("urn:t:ev:AG", "urn:t:ev:AGc", "2025-10-07T01:00:00Z", "2025-10-09T00:00:00Z").Replace(ag)
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(agc)}); err != nil {
		t.Fatalf("AGc: %v", err)
	}
	const after = "graded only after the claim (assay urn:t:ev:AGc dated 2025-10-09)"
	for _, c := range []struct{ path, want string }{
		{"/lots/" + ogp, "Claim not covered — accepted at capture, its lot " + after},
		{"/api/v1/lots/" + ogp, `"gradedAfter": "` + after + `"`},
		// The page abbreviates the event's URN (readable).
		{statement, `Not covered — graded only after the claim (assay <abbr class="ref" title="urn:t:ev:AGc" data-id="urn:t:ev:AGc">AGc</abbr> dated 2025-10-09)`},
	} {
		resp, b := do(t, "GET", ts.URL+c.path, operatorSecret, nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), c.want) {
			t.Errorf("after AGc, GET %s: %d, want %q in:\n%s", c.path, resp.StatusCode, c.want, b[max(0, strings.Index(string(b), "Claims not covered")):])
		}
	}
}
