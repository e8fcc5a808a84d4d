package http_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// Shared set-up of the mass-balance claim API tests at site mb (fix9g,
// 9o). It holds no figure of its own: each test states and checks its
// figures.

// mbfxDeclared serves the API with the clock at Oct 20, 2025, captures
// mbMaster and declares site mb's balance (mbDecl at a conversion factor
// of 0.9). It returns the server and the URL of site mb's mass balance.
func mbfxDeclared(t *testing.T) (*testServer, string) {
	t.Helper()
	ts := MustServe(t, true, nil)
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	if resp, b := do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "0.9", 1)), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	return ts, base
}

// mbfxServe is mbfxDeclared that then captures doc (mbDoc or a variant
// of it) through the API and sets the clock to Oct 21, 2025.
func mbfxServe(t *testing.T, doc string) (*testServer, string) {
	t.Helper()
	ts, base := mbfxDeclared(t)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC) }
	return ts, base
}

// mbfxDoc is an EPCIS document (created Oct 21, 2025) of events.
func mbfxDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-21T00:00:00Z", "epcisBody": {"eventList": [` +
		strings.Join(events, ",\n  ") + `]}}`
}

// mbfxFeed commissions (Oct 1, 2025, event urn:t:ev:lot) lot, tonnes t
// of REE concentrate of country iso at Nd 4 % + Pr 1 % (dry).
func mbfxFeed(lot, iso string, t float64) string {
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "%s", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%%", "cm:basis": "dry"}]}}`, lot, lot, t, iso)
}

// mbfxOxideRun is a run id at site mb on when taking inT of lot in and
// making outT of lot out, NdPr oxide at Nd 60 % + Pr 20 % (dry), with
// extra ILMD members (a claim, or "").
func mbfxOxideRun(id, when, in string, inT float64, out string, outT float64, extra string) string {
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%%", "cm:basis": "dry"}]%s}}`, id, when, in, inT, out, outT, extra)
}
