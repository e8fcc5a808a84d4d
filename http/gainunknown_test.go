package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// gainDoc (nu37a p30, p27): Pakistani feeds at refinery r and two runs
// whose products' own assays hold more than their inputs put in.
//
//	A, Pakistan, 10 t at Nd 4 %, Pr 0 % → 0.4 t Nd, 0 t Pr
//	R1: A → X 0.5 t oxide at Nd 60 %, Pr 20 % → 0.3 t Nd, 0.1 t Pr:
//	  the 0.1 t Pr came from no recorded input (unknown origin)
//	W, Pakistan, 10 t at Nd 1 % → 0.1 t Nd
//	R3: W → V 1 t oxide at Nd 60 % → 0.6 t Nd: 0.1 t Pakistan (16.7 %),
//	  0.5 t of unknown origin (83.3 %)
const gainDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:t:site:mine", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]},
  {"id": "urn:t:site:r", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "refinery"}]}]}]}},
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:t:site:mine", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 0, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:t:site:mine", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:X", "quantity": 0.5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:r"}, "readPoint": {"id": "urn:t:site:r"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R3", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:V", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:r"}, "readPoint": {"id": "urn:t:site:r"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`

// TestCertificateStatesGainedMetalUnknown: the certificate of a lot
// holding metal of no recorded input never signs the covered-country rule
// as passing, never says "none contained" of an element its own assay
// measures, and its provenance states the unknown part. Failed before: X's
// certificate listed Pr as noneContained and DFARS as conformant; V's
// said "Nd Pakistan 0.1 t, 100 %".
func TestCertificateStatesGainedMetalUnknown(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", adminSecret, []byte(gainDoc), map[string]string{"Content-Type": "application/ld+json", "GS1-Capture-Error-Behaviour": "rollback"}); resp.StatusCode/100 != 2 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	type cert struct {
		CredentialSubject struct {
			Physical struct {
				NoneContained []string           `json:"noneContained"`
				UnknownOrigin map[string]float64 `json:"unknownOrigin"`
				Overall       struct {
					OriginUnknown *struct {
						Tonnes float64 `json:"tonnes"`
					} `json:"originUnknown"`
				} `json:"overall"`
			} `json:"cm:physicalOrigin"`
			Provenance []struct {
				Name          string  `json:"name"`
				OriginCountry string  `json:"originCountry"`
				MassFraction  float64 `json:"massFraction"`
			} `json:"materialsProvenance"`
			Claims []struct {
				ID          string `json:"id"`
				Conformance bool   `json:"conformance"`
			} `json:"conformityClaim"`
		} `json:"credentialSubject"`
	}
	get := func(lot string) (cert, string) {
		resp, b := do(t, "POST", ts.URL+"/api/v1/lots/urn:t:lot:"+lot+"/certificate", adminSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("certificate of %s: %d %s", lot, resp.StatusCode, b)
		}
		var c cert
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range c.CredentialSubject.Claims {
			if r.ID == "dfars-covered-countries" {
				found = true
				if r.Conformance {
					t.Errorf("%s: certificate signs dfars-covered-countries as passing on metal of unknown origin:\n%s", lot, b)
				}
			}
		}
		if !found {
			t.Fatalf("%s: no dfars-covered-countries rule in the certificate:\n%s", lot, b)
		}
		return c, string(b)
	}
	x, body := get("X")
	for _, e := range x.CredentialSubject.Physical.NoneContained {
		if e == "Pr" {
			t.Errorf("X: certificate says Pr none contained; its assay holds 0.1 t:\n%s", body)
		}
	}
	// 0.5 t × 20 % = 0.1 t Pr, none of it from a recorded input.
	if p := x.CredentialSubject.Physical; p.UnknownOrigin["Pr"] < 0.1-1e-9 || p.Overall.OriginUnknown == nil || p.Overall.OriginUnknown.Tonnes < 0.1-1e-9 {
		t.Errorf("X: certificate does not state the 0.1 t Pr of unknown origin:\n%s", body)
	}
	v, body := get("V")
	// V's Nd: 0.1 t Pakistan of 0.6 t = 1/6; 0.5 t unknown = 5/6.
	var pak, unknown float64
	for _, p := range v.CredentialSubject.Provenance {
		if !strings.HasPrefix(p.Name, "Nd") {
			continue
		}
		switch p.OriginCountry {
		case "PAK", "PK":
			pak += p.MassFraction
		default:
			unknown += p.MassFraction
		}
	}
	if pak > 1.0/6+1e-6 || unknown < 5.0/6-1e-6 {
		t.Errorf("V provenance: Nd Pakistan %v, other %v; want 1/6 and 5/6 (0.5 t of 0.6 t of unknown origin):\n%s", pak, unknown, body)
	}
}
