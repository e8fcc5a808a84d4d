package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// nu9Doc wraps events in a capture document with site mb (mass balance).
func nu9Doc(events ...string) []byte {
	return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
}

const nu9K1 = `{"type": "TransformationEvent", "eventID": "urn:t:ev:K1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 20, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:RES", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 80, "cm:unit": "%", "cm:basis": "dry"}]}`

// TestRetractedCreditRunNo500 (issue 9, new-user check 1): withdrawing a
// credit run whose output ILMD carries assays used to make every page that
// reads the site's account fail (the stored run re-decoded without its
// @context). Site mb declares ree_concentrate → ndpr_oxide on Nd at 0.9.
//
//	K1 (Oct 5): PK (Pakistan, 20 t at Nd 10 %) → RES, 1 t NdPr oxide at
//	            Nd 80 % (a run earns credit only where it makes the
//	            category's product, fix9r): credit PAK 20 × 0.10 × 0.9 =
//	            1.8 t Nd.
//	K2 (Oct 6): CN (China, 10 t at Nd 10 %) → OK2, 1 t NdPr oxide at Nd
//	            80 % = 0.8 t Nd, claimed 100 % Pakistan: 0.8 ≤ 1.8, accepted.
//
// K1 declared in error: PAK credits 0, so OK2's claim, accepted at
// capture, is not covered (never "refused", fix9h),
// naming the retraction (shortfall 0.8 − 0 = 0.8 t). Every page and API
// answers 200 and says so; the certificate issued before is superseded.
func TestRetractedCreditRunNo500(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	feed := func(lot, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 20, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	k2 := `{"type": "TransformationEvent", "eventID": "urn:t:ev:K2", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:CN", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:OK2", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 80, "cm:unit": "%", "cm:basis": "dry"}], "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`
	// The site's master data first, then its declaration, then the runs
	// whose claim draws on it, while October is open: as the capture
	// check requires.
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc()}); err != nil {
		t.Fatal(err)
	}
	site := url.PathEscape("urn:t:site:mb")
	decl := `{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd"], "conversionFactor": 0.9}],
 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}]}`
	// Declared on 20 October 2025, before its periods end (a declaration
	// opens no ended period).
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if resp, b := do(t, "PUT", ts.URL+"/api/v1/sites/"+site+"/mass-balance", operatorSecret, []byte(decl), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(feed("PK", "PAK"), feed("CN", "CHN"), nu9K1+"}", k2)}); err != nil {
		t.Fatal(err)
	}
	lot := url.PathEscape("urn:t:lot:OK2")
	resp, cert := do(t, "POST", ts.URL+"/api/v1/lots/"+lot+"/certificate", operatorSecret, nil, nil) // Issued by a POST (fix14p): a GET serves it and writes nothing.
	if resp.StatusCode != 200 || !strings.Contains(string(cert), "accepted") {
		t.Fatalf("certificate before the retraction: %d %s", resp.StatusCode, cert)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(nu9K1 + `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}}`)}); err != nil {
		t.Fatalf("retraction: %v", err)
	}
	// The certificate on the new evidence is issued by a POST (fix14p);
	// the GETs below serve it.
	issueCert(t, ts.URL, lot)
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/api/v1/lots", "OK2"},
		{"GET", "/lots", "OK2"},
		{"GET", "/risk", ""},
		{"GET", "/api/v1/lots/" + lot, "not_covered"},
		{"GET", "/lots/" + lot, "Claim not covered"},
		{"GET", "/api/v1/lots/" + lot + "/origin", "shortfall 0.8 t"},
		{"GET", "/api/v1/lots/" + lot + "/certificate", "refused"},
		{"GET", "/lots/" + lot + "/certificate", "not covered"},
		{"POST", "/api/v1/certificates/status", "superseded"},
		{"GET", "/api/v1/sites/" + site + "/mass-balance/statement?period=2025-10", "urn:t:lot:OK2"},
		{"GET", "/sites/" + site + "/mass-balance?period=2025-10", "urn:t:ev:K1"},
	} {
		var body []byte
		if c.method == "POST" {
			body = cert
		}
		resp, b := do(t, c.method, ts.URL+c.path, "", body, map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != 200 || !strings.Contains(string(b), c.want) {
			t.Errorf("%s %s after the retraction: %d, want 200 with %q: %.400s", c.method, c.path, resp.StatusCode, c.want, b)
		}
	}
}
