package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/risk"
)

// TestReceivingInspectingOriginEveryView (issue 9, fix9n 6; the rule of
// commit 53fd271): an ADD whose bizStep is receiving or inspecting is no
// commissioning, so the site it names — here a US receipt site — gives
// the lot no country. Every view says the same: the lot list (JSON and
// CSV), the lot page's identity card, the certificate (and its
// covered-country verdict) and the risk view's ledger sourcing. A lot
// commissioned at the same site (ADD, no bizStep) is the control: it is
// US material in every view.
//
//	R1 (ADD receiving), I1 (ADD inspecting), C1 (ADD): each 10 t dry at
//	Nd 5 % = 0.5 t Nd, at site us (countryCode US, cm:siteKind mine).
//	Ledger sourcing, ree_concentrate, Nd, 2025-10: known origin 0.5 t
//	(C1, United States, share 1); unknown 0.5 + 0.5 = 1.0 t (R1, I1).
func TestReceivingInspectingOriginEveryView(t *testing.T) {
	ts := MustServe(t, true, nil)
	add := func(lot, step string) string {
		bs := ""
		if step != "" {
			bs = `"bizStep": "` + step + `", `
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", ` + bs + `
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:us"}, "bizLocation": {"id": "urn:t:site:us"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:us", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}]}]}},
 "epcisBody": {"eventList": [` + add("R1", "receiving") + `, ` + add("I1", "inspecting") + `, ` + add("C1", "") + `]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	usa := map[string]bool{"urn:t:lot:R1": false, "urn:t:lot:I1": false, "urn:t:lot:C1": true}

	// The lot list, JSON: the headline every list shows.
	_, b := do(t, "GET", ts.URL+"/api/v1/lots?commodity=ree_concentrate", "", nil, nil)
	var list struct {
		Lots []struct {
			ID            string            `json:"id"`
			OriginCountry string            `json:"originCountry"`
			Origin        *custody.Headline `json:"origin"`
		} `json:"lots"`
	}
	if err := json.Unmarshal(b, &list); err != nil || len(list.Lots) != 3 {
		t.Fatalf("lot list: %v %s", err, b)
	}
	for _, l := range list.Lots {
		if l.Origin == nil {
			t.Errorf("lot list %s: no origin", l.ID)
			continue
		}
		if got := strings.Contains(l.Origin.Text, "United States 100.0 %"); got != usa[l.ID] || l.OriginCountry == "USA" && !usa[l.ID] {
			t.Errorf("lot list %s: origin %q, originCountry %q; US material %v", l.ID, l.Origin.Text, l.OriginCountry, usa[l.ID])
		}
	}

	// The lots CSV: physical_origin, and origin_country (the country the
	// lot's own events state: none here, for C1 too — its country is the
	// commissioning site's, in physical_origin).
	_, b = do(t, "GET", ts.URL+"/api/v1/lots?commodity=ree_concentrate&format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("lots CSV: %v %s", err, b)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		id := r[col["id"]]
		if got := strings.Contains(r[col["physical_origin"]], "United States 100.0 %"); got != usa[id] || r[col["origin_country"]] == "USA" && !usa[id] {
			t.Errorf("lots CSV %s: physical_origin %q, origin_country %q; US material %v", id, r[col["physical_origin"]], r[col["origin_country"]], usa[id])
		}
	}

	for id, us := range usa {
		lot := url.PathEscape(id)
		// The identity card on the lot page.
		_, b = do(t, "GET", ts.URL+"/lots/"+lot, viewerSecret, nil, map[string]string{"Accept": "text/html"})
		card := regexp.MustCompile(`(?s)<dd id="origin">(.*?)</dd>`).FindStringSubmatch(string(b))
		if card == nil || strings.Contains(card[1], "United States 100.0 %") != us {
			t.Errorf("identity card %s: %q; US material %v", id, card, us)
		}
		// The certificate: its provenance and the covered-country rule.
		_, b = do(t, "POST", ts.URL+"/api/v1/lots/"+lot+"/certificate", operatorSecret, nil, nil) // Issued by a POST (fix14p): a GET serves it and writes nothing.
		var cert struct {
			Subject struct {
				Prov   []custody.Provenance `json:"materialsProvenance"`
				Claims []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
				} `json:"conformityClaim"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(b, &cert); err != nil || len(cert.Subject.Prov) == 0 {
			t.Fatalf("certificate %s: %v %s", id, err, b)
		}
		for _, p := range cert.Subject.Prov {
			if (p.OriginCountry == "USA") != us {
				t.Errorf("certificate %s: provenance %q %q; US material %v", id, p.Name, p.OriginCountry, us)
			}
		}
		for _, c := range cert.Subject.Claims {
			if c.ID == "dfars-covered-countries" && (c.Status == custody.Pass) != us {
				t.Errorf("certificate %s: DFARS %s; US material %v", id, c.Status, us)
			}
		}
	}

	// The risk view's ledger sourcing: contained Nd, known and unknown.
	_, b = do(t, "GET", ts.URL+"/api/v1/risk/exposure?commodity=rare%20earths", "", nil, nil)
	var exp risk.Exposure
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatalf("exposure: %v %s", err, b)
	}
	var row *risk.LedgerSourcing
	for i, r := range exp.Ledger {
		if r.Commodity == "ree_concentrate" && r.Element == "Nd" {
			row = &exp.Ledger[i]
		}
	}
	if row == nil {
		t.Fatalf("no ledger sourcing row for ree_concentrate Nd: %s", b)
	}
	if len(row.Shares) != 1 || row.Shares[0].ISO3 != "USA" || !nearF(row.ElementTonnes, 0.5) || !nearF(row.Unknown, 1.0) {
		t.Errorf("ledger sourcing %+v, want USA 0.5 t known (C1), 1.0 t unknown (R1, I1)", row)
	}
}

func nearF(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
