package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// certDoc commissions a lot of Pakistani origin and ships it from the
// mine where it was commissioned (a lot is shipped where it is); the ship
// event is later declared in error (EPCIS 2.0 §7.4.1.2).
const certDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:C1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:t:site:mine", "cm:moisture": 0}},
  ` + certShip + `}]}}`

const certShip = `{"type": "ObjectEvent", "eventID": "urn:t:ev:C2", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"}`

// TestCertificatePageState: the page of an issued certificate says that it
// stands; once revoked, that it is revoked, when and why; once an event
// it rests on is declared in error, that it is superseded and by what.
// The same in Chromium for the revoked page.
func TestCertificatePageState(t *testing.T) {
	ts := MustServe(t, true, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(certDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:C")+"/certificate", operatorSecret, nil, nil) // Issued by a POST (fix14p): a GET serves it and writes nothing.
	if resp.StatusCode != 200 {
		t.Fatalf("certificate: %d %s", resp.StatusCode, b)
	}
	var cert struct{ ID string }
	if err := json.Unmarshal(b, &cert); err != nil || !strings.HasPrefix(cert.ID, "urn:critmin:certificate:") {
		t.Fatalf("certificate id %q: %v", cert.ID, err)
	}
	get := func(path string) (int, string) {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, map[string]string{"Accept": "text/html"})
		return resp.StatusCode, string(b)
	}
	certPage := "/certificates/" + cert.ID
	code, html := get(certPage)
	if code != 200 || !strings.Contains(html, `id="cert-stands"`) || strings.Contains(html, "REVOKED") || strings.Contains(html, "SUPERSEDED") {
		t.Fatalf("standing certificate page: %d, stands mark %v", code, strings.Contains(html, `id="cert-stands"`))
	}
	// The lot's certificate page links the stored certificate's page.
	if _, html := get("/lots/" + url.PathEscape("urn:t:lot:C") + "/certificate"); !strings.Contains(html, `id="cert-permalink" href="/certificates/`+cert.ID+`"`) {
		t.Error("the lot's certificate page does not link the stored certificate")
	}
	// The short form (hexadecimal part) names the same certificate.
	if code, html := get("/certificates/" + strings.TrimPrefix(cert.ID, "urn:critmin:certificate:")); code != 200 || !strings.Contains(html, cert.ID) {
		t.Errorf("short certificate id: %d", code)
	}
	if code, _ := get("/certificates/urn:critmin:certificate:0000"); code != 404 {
		t.Errorf("unknown certificate: %d, want 404", code)
	}

	const reason = "assay laboratory withdrew its report"
	if resp, b := do(t, "POST", ts.URL+"/api/v1/certificates/"+cert.ID+"/revoke", adminSecret, []byte(`{"reason": "`+reason+`"}`), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/certificates/"+cert.ID+"/status", "", nil, nil)
	var st struct{ Revoked string }
	if err := json.Unmarshal(b, &st); err != nil || resp.StatusCode != 200 || st.Revoked == "" {
		t.Fatalf("status: %d %s", resp.StatusCode, b)
	}
	day := st.Revoked[:10] // the page shows the revocation's date and time in UTC
	code, html = get(certPage)
	if code != 200 || !strings.Contains(html, `id="cert-revoked"`) || !strings.Contains(html, "REVOKED</strong> on "+day) ||
		!strings.Contains(html, reason) || !strings.Contains(html, `<dd id="cert-status">revoked</dd>`) || strings.Contains(html, `id="cert-stands"`) {
		t.Errorf("revoked certificate page does not say revoked on %s for %q:\n%s", day, reason, html)
	}

	p := page{t: t, ctx: browser(t)}
	p.do("revoked certificate", chromedp.Navigate(ts.URL+certPage), chromedp.WaitVisible(chromedp.CSS("#cert-revoked")))
	if txt := p.text("#cert-revoked"); !strings.Contains(txt, "REVOKED") || !strings.Contains(txt, reason) || !strings.Contains(txt, day) {
		t.Errorf("browser: revocation banner %q", txt)
	}
	if s := p.text("#cert-status"); s != "revoked" {
		t.Errorf("browser: status %q", s)
	}

	// A declaration of the ship event supersedes the certificate.
	decl := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-02T00:00:00Z",
 "epcisBody": {"eventList": [` + certShip + `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:C2c"]}},
  ` + strings.Replace(certShip, "urn:t:ev:C2", "urn:t:ev:C2c", 1) + `}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(decl), nil); resp.StatusCode != 202 {
		t.Fatalf("capture declaration: %d %s", resp.StatusCode, b)
	}
	code, html = get(certPage)
	// The declared event is named by its identifier's tail, the
	// identifier in the link's title (fix15x item 1).
	if code != 200 || !strings.Contains(html, `id="cert-superseded"`) || !strings.Contains(html, `title="urn:t:ev:C2">C2</a> declared in error on 2025-10-06 00:00 UTC`) ||
		!strings.Contains(html, `reason <span title="incorrect_data">incorrect data</span>`) || !strings.Contains(html, `href="/events/urn:t:ev:C2c"`) {
		t.Errorf("superseded certificate page does not name the declaration:\n%s", html)
	}
	if !strings.Contains(html, `id="cert-revoked"`) {
		t.Error("the superseded page no longer says the certificate is revoked")
	}
}
