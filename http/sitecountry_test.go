package http_test

import (
	"encoding/json"
	"testing"
)

// TestSiteCountryFromMasterData: a site's country comes from the CBV
// master-data attribute countryCode, an ISO 3166-1 alpha-2 code ("PK");
// /api/v1/sites names it ("Pakistan"), as it does alpha-3 codes.
func TestSiteCountryFromMasterData(t *testing.T) {
	srv := MustServe(t, false, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:critmin:site:port-q", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "Port Qasim"}, {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}]}]}]}},
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:uuid:5c000000-0000-4000-8000-000000000001", "eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
  "action": "ADD", "bizStep": "commissioning", "epcList": ["urn:epc:id:sgtin:0614141.107346.4001"], "bizLocation": {"id": "urn:critmin:site:port-q"}, "readPoint": {"id": "urn:critmin:site:port-q"}}]}}`
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", srv.URL+"/api/v1/sites", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sites: %d %s", resp.StatusCode, b)
	}
	var sites []struct {
		ID          string `json:"id"`
		Country     string `json:"country"`
		CountryName string `json:"countryName"`
	}
	if err := json.Unmarshal(b, &sites); err != nil {
		var wrapped struct {
			Sites []struct {
				ID          string `json:"id"`
				Country     string `json:"country"`
				CountryName string `json:"countryName"`
			} `json:"sites"`
		}
		if err := json.Unmarshal(b, &wrapped); err != nil {
			t.Fatalf("sites: %v %s", err, b)
		}
		sites = sites[:0]
		for _, s := range wrapped.Sites {
			sites = append(sites, s)
		}
	}
	for _, s := range sites {
		if s.ID == "urn:critmin:site:port-q" {
			// countryCode "PK" (alpha-2) is read as ISO 3166-1 alpha-3
			// PAK (country.Normalize), the code the rules compare.
			if s.Country != "PAK" || s.CountryName != "Pakistan" {
				t.Errorf("site country %q named %q, want PAK named Pakistan", s.Country, s.CountryName)
			}
			return
		}
	}
	t.Errorf("site urn:critmin:site:port-q not listed: %s", b)
}
