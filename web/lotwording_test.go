package web_test

import (
	"crypto/ed25519"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLotPageProductFiguresAndWording (issue 9, new-user check 5 and 8):
// run B takes F, Pakistan, 100 t at 4 % Nd and 3 % La, and makes B-Z1,
// 10 t at 20 % Nd without a La assay, and B-Z2, 20 t at 5 % Nd and 9 % La
// (20 × 0.09 = 1.8 t La). On B-Z2's page the run's La line shows B-Z2's
// own 1.8 t and says the run total is unknown because B-Z1 has no La
// assay — not a bare "not measured". Run U makes Y from F without any
// assay: Y's overall origin says once that its contained value is not
// measured (fix9j 5: its feed carried Nd and La, so "no element measured"
// would hide that Y holds them, unmeasured).
func TestLotPageProductFiguresAndWording(t *testing.T) {
	ts := MustServe(t, true, nil)
	out := func(run string, k int, lot, assays string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + run + `-facts-` + string(rune('0'+k)) + `", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ree_carbonate", "cm:moisture": 0` + assays + `}}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:F", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:F", "quantity": 200, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "La", "cm:value": 3, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:B", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:F", "quantity": 100, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:B-Z1", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:B-Z2", "quantity": 20, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}},
  ` + out("B", 0, "B-Z1", `, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]`) + `,
  ` + out("B", 1, "B-Z2", `, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "La", "cm:value": 9, "cm:unit": "%", "cm:basis": "dry"}]`) + `,
  {"type": "TransformationEvent", "eventID": "urn:t:ev:U", "eventTime": "2025-10-11T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:F", "quantity": 50, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Y", "quantity": 5, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ree_carbonate", "cm:moisture": 0}}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:B-Z2"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	page := string(b)
	i := strings.Index(page, `id="run-balances"`)
	if i < 0 {
		t.Fatalf("B-Z2's page has no run balance table")
	}
	runs := page[i:]
	runs = runs[:strings.Index(runs, "</table>")]
	la := regexp.MustCompile(`<td>La</td>.*?</tr>`).FindString(runs)
	if !regexp.MustCompile(`1\.8\d* in <span class="mono">[^<]*B-Z2`).MatchString(la) || !strings.Contains(la, "B-Z1") || !strings.Contains(la, "has no assay of La") {
		t.Errorf("run La line hides B-Z2's 1.8 t or does not name B-Z1: %s", la)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:Y"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	overall := regexp.MustCompile(`(?s)<p id="origin-overall">.*?</p>`).FindString(string(b))
	if strings.Count(overall, "contained value not measured (grade not measured)") != 1 {
		t.Errorf("Y's overall origin should say \"contained value not measured (grade not measured)\" once: %s", overall)
	}
}

// TestCertificateClaimedOriginOwnSection (issue 9, new-user check 6): the
// claimed origin is not a row of the physical "materials provenance"
// table but its own labelled table; the lot page prints the category
// identifier as declared ("ree"), not title-cased. Setup as
// TestClaimCoveredNow: P1 (Pakistan, 10 t at 10 % Nd) through R1 credits
// 10 × 0.10 × 0.9 = 0.9 t Nd; R3 makes OX (1 t at 80 % Nd = 0.8 t) from
// Chinese C and claims Pakistan 100 %: 0.8 ≤ 0.9, accepted.
func TestCertificateClaimedOriginOwnSection(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	feed := func(lot, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, day, in, out, commodity, nd, extra string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "` + commodity + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]` + extra + `}}`
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(feed("P1", "PAK"), feed("C", "CHN"))}); err != nil {
		t.Fatal(err)
	}
	decl := `{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd"], "conversionFactor": 0.9}],
 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`
	if resp, b := do(t, "PUT", ts.URL+"/api/v1/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance", operatorSecret, []byte(decl), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(run("R1", "05", "P1", "RES1", "ndpr_oxide", "80", ""))}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(run("R3", "07", "C", "OX", "ndpr_oxide", "80", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`))}); err != nil {
		t.Fatal(err)
	}
	ox := url.PathEscape("urn:t:lot:OX")
	// Issued by a POST (fix14p): a GET serves it and writes nothing.
	resp, b := do(t, "POST", ts.URL+"/api/v1/lots/"+ox+"/certificate", operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("issue: %d %.300s", resp.StatusCode, b)
	}
	// The JSON-LD: materialsProvenance, the UNTP array, holds the
	// physical lines only (China, every view); the claim's lines are in
	// cm:claimedProvenance (fixQv, nuq9).
	var cert map[string]any
	if err := json.Unmarshal(b, &cert); err != nil {
		t.Fatal(err)
	}
	subj := cert["credentialSubject"].(map[string]any)
	for _, p := range subj["materialsProvenance"].([]any) {
		if l := p.(map[string]any); l["cm:originBasis"] != "physical_origin" || l["originCountry"] != "CHN" {
			t.Errorf("materialsProvenance line %v, want China, physical origin", l)
		}
	}
	if cp, _ := subj["cm:claimedProvenance"].([]any); len(cp) != 1 || cp[0].(map[string]any)["originCountry"] != "PAK" || cp[0].(map[string]any)["cm:originBasis"] != "claimed_origin" {
		t.Errorf("cm:claimedProvenance %v, want the Pakistan claimed line", cp)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+ox+"/certificate", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	html := string(b)
	table := func(id string) string {
		i := strings.Index(html, `id="`+id+`"`)
		if i < 0 {
			return ""
		}
		s := html[i:]
		return s[:strings.Index(s, "</table>")]
	}
	if prov := table("cert-provenance"); prov == "" || strings.Contains(prov, "claimed origin") {
		t.Errorf("physical provenance table holds the claimed origin: %s", prov)
	}
	if cl := table("cert-claimed"); !strings.Contains(cl, "claimed origin") || !strings.Contains(cl, "Pakistan") || !strings.Contains(html, "Claimed origin") {
		t.Errorf("certificate lacks its own claimed-origin table: %s", cl)
	}
	// A certificate issued and stored before fixQv, its claimed line in
	// materialsProvenance, prints the same two tables and stands.
	old := subj
	old["materialsProvenance"] = append(old["materialsProvenance"].([]any), old["cm:claimedProvenance"].([]any)...)
	delete(old, "cm:claimedProvenance")
	delete(cert, "proof")
	cert["id"] = "urn:critmin:certificate:0123456789abcdef0123456789abcdef"
	_, key, _ := ed25519.GenerateKey(nil)
	proof, err := custody.SignProof(custody.Certificate(cert), key, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	cert["proof"] = proof
	body, _ := json.Marshal(cert)
	if err := ts.Store.(custody.CertificateStore).SaveCertificate(ctx, &custody.StoredCertificate{ID: cert["id"].(string), Lot: "urn:t:lot:OX", Evidence: strings.Repeat("0", 64), Signer: "urn:t:old", Body: string(body), IssuedAt: time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	_, b = do(t, "GET", ts.URL+"/certificates/0123456789abcdef0123456789abcdef", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	html = string(b)
	if prov := table("cert-provenance"); prov == "" || strings.Contains(prov, "claimed origin") || strings.Contains(prov, "Pakistan") {
		t.Errorf("old-layout certificate: physical provenance table holds the claimed origin: %s", prov)
	}
	if cl := table("cert-claimed"); !strings.Contains(cl, "claimed origin") || !strings.Contains(cl, "Pakistan") {
		t.Errorf("old-layout certificate: claimed-origin table %s, want its Pakistan line", cl)
	}
	if !strings.Contains(html, `id="cert-stands"`) {
		t.Errorf("old-layout certificate on an unchanged record does not stand: %.600s", html[strings.Index(html, "<h1>"):])
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+ox, viewerSecret, nil, map[string]string{"Accept": "text/html"})
	detail := regexp.MustCompile(`(?s)<p id="claimed-detail">.*?</p>`).FindString(string(b))
	if !strings.Contains(detail, `category <span class="mono">ree</span>`) {
		t.Errorf("lot page should print the category identifier as declared (ree): %s", detail)
	}
}
