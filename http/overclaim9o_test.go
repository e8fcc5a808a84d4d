package http_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// TestOverClaimEveryShortOriginAPI (fix9o item 1): the 400 problem of a
// claim short in two origins names both, each with its own shortfall,
// and the total.
//
//	mbDoc: A (PAK) 100 t × (4 + 1) % × 0.9 = 4.5 t of credit (within what
//	  E1's outputs hold, 2 × 80 % + 4 × 77 % = 4.68 t); O1 claims 2 × 80 %
//	  = 1.6 t PAK: 4.5 − 1.6 = 2.9 t PAK left.
//	E9O: C (CHN) 10 t → P9 8 t at Nd 60 % + Pr 20 % = 6.4 t, claiming
//	  PAK 50 % = 3.2 t (shortfall 3.2 − 2.9 = 0.3 t) and CHN 50 % = 3.2 t
//	  against E9O's own credit min(10 × 5 % × 0.9 = 0.45, 6.4) = 0.45 t
//	  (shortfall 3.2 − 0.45 = 2.75 t). In all 2.75 + 0.3 = 3.05 t.
func TestOverClaimEveryShortOriginAPI(t *testing.T) {
	ts := MustServe(t, true, nil)
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	if resp, b := do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "0.9", 1)), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(mbDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	const head = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-21T00:00:00Z", "epcisBody": {"eventList": [`
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC) }
	doc := head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:C", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:E9O", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:P9", "quantity": 8, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}],
    "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}, {"cm:country": "CHN", "cm:share": 0.5}]}}]}}`
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil)
	p := mustProblem(t, resp, b, 400)
	var reasons []string
	for _, e := range p.Errors {
		reasons = append(reasons, e.Pointer+": "+e.Reason)
	}
	got := strings.Join(reasons, "\n")
	for _, want := range []string{
		"/ilmd/cm:originClaim: over-claim refused: site urn:t:site:mb, category ree, period 2025-10: lot urn:t:lot:P9 claims 3.2 t Nd+Pr of China origin but the balance holds 0.45 t (shortfall 2.75 t)",
		"; it claims 3.2 t Nd+Pr of Pakistan origin but the balance holds 2.9 t (shortfall 0.3 t)",
		"; shortfall 3.05 t in all (2.75 + 0.3)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problem errors\n%s\nlack %q", got, want)
		}
	}
}
