package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// TestClaimOutOfCategorySystemPages (fix9aj): a claim accepted at capture
// whose run a later fact took out of its category's system reads not
// covered on the lot page, in the lot API and the lots CSV, and on the
// site's statement page, naming the event declared in error; it stays
// booked.
//
//	P1: Pakistan, 10 t at Nd 10 %; R1 at mb → RES1, 1 t NdPr oxide at Nd
//	  80 %: credit PAK min(10 × 10 % × 0.9 = 0.9, 1 × 80 % = 0.8) = 0.8 t.
//	Run R2 (transformationID urn:t:run:R2): xa feeds C (China, REE
//	  concentrate, 10 t at Nd 20 %), xb feeds S (China, antimony ore,
//	  5 t), xo makes OX, 0.5 t at Nd 80 % = 0.4 t, claiming Pakistan:
//	  0.4 ≤ 0.8, accepted; PAK 0 + 0.8 − 0.4 = 0.4 t.
//	xa declared in error: R2 consumes antimony ore alone, no input of
//	  category ree: OX not covered, naming xa, booked: PAK still
//	  0 + 0.8 − 0.4 − 0 = 0.4 t.
func TestClaimOutOfCategorySystemPages(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	feed := func(lot, commodity, iso, tonnes, nd string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "` + commodity + `", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	oxide := `"ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 80, "cm:unit": "%", "cm:basis": "dry"}]`
	r1 := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:P1", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:RES1", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, ` + oxide + `}}`
	input := func(id, hour, lot, tonnes string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-06T0` + hour + `:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "transformationID": "urn:t:run:R2", "inputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`
	}
	xa := input("xa", "0", "C", "10")
	xo := `{"type": "TransformationEvent", "eventID": "urn:t:ev:xo", "eventTime": "2025-10-06T02:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "transformationID": "urn:t:run:R2", "outputQuantityList": [{"epcClass": "urn:t:lot:OX", "quantity": 0.5, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, ` + oxide + `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(feed("P1", "ree_concentrate", "PAK", "10", "10"), feed("C", "ree_concentrate", "CHN", "10", "20"), feed("S", "antimony_ore", "CHN", "5", "0"))}); err != nil {
		t.Fatal(err)
	}
	decl := `{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd"], "conversionFactor": 0.9}],
 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`
	if resp, b := do(t, "PUT", ts.URL+"/api/v1/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance", operatorSecret, []byte(decl), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	for _, d := range [][]string{{r1}, {xa, input("xb", "1", "S", "5"), xo}} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(d...)}); err != nil {
			t.Fatal(err)
		}
	}
	retracted := strings.Replace(xa, `"bizLocation"`, `"errorDeclaration": {"declarationTime": "2025-10-08T00:00:00Z", "reason": "incorrect_data"}, "bizLocation"`, 1)
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(retracted)}); err != nil {
		t.Fatalf("xa declared in error: %v", err)
	}
	ox := url.PathEscape("urn:t:lot:OX")
	checks := []struct{ path, want string }{
		{"/lots/" + ox, "Claim not covered — accepted at capture, its run no longer in its category's mass-balance system"},
		{"/lots/" + ox, "urn:t:ev:xa"},
		{"/api/v1/lots/" + ox, `"shortOf": "category_system"`},
		{"/api/v1/lots/" + ox, `"status": "not_covered"`},
		{"/api/v1/lots?format=csv", "not covered"},
		{"/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance?period=2025-10", "or takes their run out of their category's mass-balance system"},
		{"/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance?period=2025-10", "consumes none of the category&#39;s inputs (ree_concentrate) now — it consumes antimony_ore"},
	}
	for _, c := range checks {
		resp, b := do(t, "GET", ts.URL+c.path, operatorSecret, nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), c.want) {
			t.Errorf("GET %s: %d, want %q in:\n%.4000s", c.path, resp.StatusCode, c.want, b)
		}
	}
}
