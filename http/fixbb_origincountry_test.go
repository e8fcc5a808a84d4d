package http_test

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/storetest"
)

// fixBbDoc: master data gives cn a mine in China, cnw a warehouse in
// China and pk a mine in Pakistan. Each lot is 10 t dry at Nd 4 %
// (0.4 t of Nd) and states cm:originCountry PAK: A commissioned at the
// Chinese mine cn, W at the Chinese warehouse cnw, D at the Pakistani
// mine pk.
const fixBbDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:cn", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]},
   {"id": "urn:t:site:cnw", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "warehouse"}]},
   {"id": "urn:t:site:pk", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}]}]}},
 "epcisBody": {"eventList": [` + `LOTS` + `]}}`

func fixBbLot(id, site string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:` + site + `"}, "bizLocation": {"id": "urn:t:site:` + site + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// TestLotListOriginCountryIsTheOriginFunction (issue 9 §5, fixBb): the lot
// list (/api/v1/lots JSON) and the lots CSV give each lot the origin
// country of the origin function the lot page reads, never the stored,
// stated one, and flag what the lot page's anomalies flag:
//   - A (stated PAK, commissioned at a Chinese mine): origin unknown
//     (100 % of its 10 t), originCountry and origin_country "unknown"
//     (they read PAK), flagged origin_conflict;
//   - W (stated PAK, commissioned at a Chinese warehouse): Pakistan, kept
//     as stated, flagged commissioning_country_differs naming China;
//   - D (stated PAK at a Pakistani mine): Pakistan, no flag.
//
// Master data whose cm:country and countryCode disagree is refused with
// 400 naming both, and nothing of the document is stored.
func TestLotListOriginCountryIsTheOriginFunction(t *testing.T) {
	ts := MustServe(t, false, nil)
	// A contradicts the mine it was commissioned at: capture refuses it
	// since fixKk (400 naming cm:originCountry, both countries and the
	// mine), so it is stored as a store from before that check holds it.
	docA := strings.Replace(fixBbDoc, "LOTS", fixBbLot("A", "cn"), 1)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(docA), nil); resp.StatusCode != 400 ||
		!strings.Contains(string(b), "/ilmd/cm:originCountry") || !strings.Contains(string(b), "Pakistan (PAK)") || !strings.Contains(string(b), "China (CHN)") || !strings.Contains(string(b), "urn:t:site:cn") {
		t.Errorf("capture of A: %d %s, want 400 naming cm:originCountry, both countries and the mine", resp.StatusCode, b)
	}
	storetest.MustStoreUnchecked(t, ts.Store, docA)
	doc := strings.Replace(fixBbDoc, "LOTS", fixBbLot("W", "cnw")+","+fixBbLot("D", "pk"), 1)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	want := map[string]struct {
		country, flag, says string
	}{
		"urn:t:lot:A": {"unknown", "origin_conflict", "origin conflict"},
		"urn:t:lot:W": {"PAK", "commissioning_country_differs", "first recorded in China"},
		"urn:t:lot:D": {"PAK", "", ""},
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lots: %d %s", resp.StatusCode, b)
	}
	var page struct {
		Lots []struct {
			ID            string `json:"id"`
			OriginCountry string `json:"originCountry"`
			Origin        struct {
				Text  string   `json:"text"`
				Flags []string `json:"flags"`
			} `json:"origin"`
		} `json:"lots"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if len(page.Lots) != 3 {
		t.Fatalf("lots: %s", b)
	}
	for _, l := range page.Lots {
		w := want[l.ID]
		if l.OriginCountry != w.country {
			t.Errorf("JSON %s: originCountry %q, want %q", l.ID, l.OriginCountry, w.country)
		}
		if (w.flag == "") != (len(l.Origin.Flags) == 0) || w.flag != "" && (l.Origin.Flags[0] != w.flag || !strings.Contains(l.Origin.Text, w.says)) {
			t.Errorf("JSON %s: origin %+v, want flag %q saying %q", l.ID, l.Origin, w.flag, w.says)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?format=csv", viewerSecret, nil, nil)
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil || resp.StatusCode != 200 || len(recs) != 4 {
		t.Fatalf("CSV: %d %v %s", resp.StatusCode, err, b)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		w := want[r[col["id"]]]
		if r[col["origin_country"]] != w.country || w.says != "" && !strings.Contains(r[col["physical_origin"]], w.says) {
			t.Errorf("CSV %s: origin_country %q, physical_origin %q; want %q saying %q", r[col["id"]], r[col["origin_country"]], r[col["physical_origin"]], w.country, w.says)
		}
	}

	bad := strings.Replace(strings.Replace(fixBbDoc, "LOTS", fixBbLot("B", "mx"), 1), `{"id": "urn:t:site:cn",`,
		`{"id": "urn:t:site:mx", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}, {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}, {"id": "urn:t:site:cn",`, 1)
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(bad), nil)
	p := mustProblem(t, resp, b, 400)
	if !strings.Contains(string(b), "cm:country PAK") || !strings.Contains(string(b), "countryCode CN") || !strings.Contains(string(b), "urn:t:site:mx") {
		t.Errorf("conflicting master data: %+v %s; want 400 naming both attributes", p, b)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/lots/"+"urn:t:lot:B", viewerSecret, nil, nil); resp.StatusCode != 404 {
		t.Errorf("refused capture stored lot B: %d", resp.StatusCode)
	}
}
