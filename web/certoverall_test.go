package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestCertificatePageOverall (issue 9, second new-user check, 7): the
// printable certificate shows the overall origin by content that the
// JSON-LD (cm:physicalOrigin.overall) and the lot page show. Blend run at
// cb: P, Pakistan, 10 t at 10 % Nd = 1.0 t Nd; Q, Myanmar, 30 t at 1 % Nd
// = 0.3 t Nd → B, 1 t at 60 % Nd. By dry mass B is 10 / 40 = 25 %
// Pakistan; by contained Nd 1.0 / 1.3 = 76.9 % Pakistan and 0.3 / 1.3 =
// 23.1 % Myanmar (one element: value weighting keeps those shares).
func TestCertificatePageOverall(t *testing.T) {
	ts := MustServe(t, true, nil)
	feed := func(lot, iso, tonnes, nd string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [` + feed("P", "PAK", "10", "10") + `,` + feed("Q", "MMR", "30", "1") + `,
  {"type": "TransformationEvent", "eventID": "urn:t:ev:B", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:Q", "quantity": 30, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:B", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ree_carbonate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	issueCert(t, ts.URL, url.PathEscape("urn:t:lot:B")) // Issued by a POST (fix14p): a GET serves it and writes nothing.
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:B")+"/certificate", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	html := string(b)
	i := strings.Index(html, `id="cert-overall"`)
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("certificate page lacks the overall origin: %d", resp.StatusCode)
	}
	table := html[i:]
	table = table[:strings.Index(table, "</table>")]
	for _, want := range []*regexp.Regexp{regexp.MustCompile(`Pakistan</td><td class="num">76\.9\s*%`), regexp.MustCompile(`Myanmar</td><td class="num">23\.1\s*%`)} {
		if !want.MatchString(table) {
			t.Errorf("overall origin table lacks %s: %s", want, table)
		}
	}
}
