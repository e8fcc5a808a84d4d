package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// epcDoc is a capture document with site pk (Pakistan), a Pakistani lot
// PAK (100 t, Nd 4 %) and the events passed in.
func epcDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:pk", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]}]}]}},
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:PAK", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:PAK", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}` +
		strings.Join(append([]string{""}, events...), ",") + `]}}`
}

// bagCHN commissions one bag by instance (an SGTIN in epcList, no
// quantity) with its own ILMD origin China.
const bagCHN = `{"type": "ObjectEvent", "eventID": "urn:t:ev:BAG", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"], "bizLocation": {"id": "urn:t:site:pk"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN"}}`

// epcRun makes lot P at pk from 100 t of PAK (inputQuantityList) and the
// instances in inputEPCList.
func epcRun(epcs string) string {
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:RUN", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputEPCList": [` + epcs + `], "inputQuantityList": [{"epcClass": "urn:t:lot:PAK", "quantity": 100, "uom": "TNE"}],
	 "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// TestInputsByEPCCount (issue 9, new-user check): inputs named by
// instance in inputEPCList are material in the run, never dropped.
//
//   - bag: a Chinese bag commissioned by SGTIN without a quantity is fed
//     beside 100 t of Pakistani concentrate. Its mass is unknown, so the
//     product's shares are unknown (not "Pakistan 100 %"): anomaly
//     input_mass_unknown naming the bag, DFARS fails, the certificate's
//     DFARS claim is not conformant.
//   - sscc: 20 t of a Chinese lot CHN (Nd 4 %) packed into an SSCC, the
//     SSCC fed whole by inputEPCList beside 100 t of PAK (Nd 4 %). The
//     SSCC holds what was packed: 20 t of CHN, so the product's dry mass
//     is 20 / (100 + 20) = 16.7 % China, 83.3 % Pakistan; Nd likewise
//     (both at 4 %: 0.8 / 4.8 = 16.7 %). DFARS fails, mined in China.
//   - ghost: an SSCC nothing was packed into: origin unknown, anomaly
//     naming it, DFARS fails as unknown.
func TestInputsByEPCCount(t *testing.T) {
	ctx := context.Background()
	const sscc = `"urn:epc:id:sscc:0614141.1234567890"`
	cases := []struct {
		name, doc string
		check     func(t *testing.T, o *custody.Composition)
	}{
		{"bag", epcDoc(bagCHN, epcRun(`"urn:epc:id:sgtin:0614141.107346.2018"`)), func(t *testing.T, o *custody.Composition) {
			if len(o.Mass.ByCountry) != 1 || o.Mass.ByCountry[0].Key != custody.Unknown {
				t.Errorf("by country %+v, want unknown only (the bag's mass is unknown)", o.Mass.ByCountry)
			}
			if !hasAnomaly(o, "input_mass_unknown", "10614141073464/21/2018") {
				t.Errorf("anomalies %+v, want input_mass_unknown naming the bag", o.Anomalies)
			}
		}},
		{"sscc", epcDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:CHN", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		  "quantityList": [{"epcClass": "urn:t:lot:CHN", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`,
			`{"type": "AggregationEvent", "eventID": "urn:t:ev:PACK", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
			  "parentID": `+sscc+`, "childQuantityList": [{"epcClass": "urn:t:lot:CHN", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"}}`,
			epcRun(sscc)), func(t *testing.T, o *custody.Composition) {
			if s := share(o.Mass.ByCountry, "CHN"); !near(s.Share, 20.0/120) {
				t.Errorf("China's dry-mass share %v, want 20/120 = %v (%+v)", s.Share, 20.0/120, o.Mass.ByCountry)
			}
			if s := share(o.Elements["Nd"].ByCountry, "CHN"); !near(s.Share, 0.8/4.8) {
				t.Errorf("China's Nd share %v, want 0.8/4.8 (%+v)", s.Share, o.Elements["Nd"].ByCountry)
			}
		}},
		{"ghost", epcDoc(epcRun(sscc)), func(t *testing.T, o *custody.Composition) {
			if share(o.Mass.ByCountry, custody.Unknown).Share == 0 {
				t.Errorf("by country %+v, want unknown", o.Mass.ByCountry)
			}
			if !hasAnomaly(o, "", "106141412345678908") {
				t.Errorf("anomalies %+v, want one naming the SSCC", o.Anomalies)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := store(t, c.doc)
			for _, evidence := range []bool{true, false} {
				o, err := custody.OriginOf(ctx, db, "urn:t:lot:P", evidence)
				if err != nil {
					t.Fatal(err)
				}
				c.check(t, o)
			}
			vs, err := custody.Evaluate(ctx, db, "urn:t:lot:P", custody.DefaultPack())
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Rule == "dfars-covered-countries" && v.Status != custody.Fail {
					t.Errorf("DFARS %+v, want fail", v)
				}
			}
			dir := t.TempDir()
			custody.GenerateKey(filepath.Join(dir, "k"))
			key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
			cert, err := custody.Issue(ctx, db, "urn:t:lot:P", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			data, _ := json.Marshal(cert)
			var m map[string]any
			json.Unmarshal(data, &m)
			found := false
			for _, cl := range m["credentialSubject"].(map[string]any)["conformityClaim"].([]any) {
				b, _ := json.Marshal(cl)
				if strings.Contains(string(b), "dfars") {
					found = true
					if cl.(map[string]any)["conformance"] != false {
						t.Errorf("certificate DFARS claim %s, want conformance false", b)
					}
				}
			}
			if !found {
				t.Errorf("certificate has no DFARS claim: %s", data)
			}
		})
	}
}

func hasAnomaly(o *custody.Composition, kind, in string) bool {
	for _, a := range o.Anomalies {
		if (kind == "" || a.Kind == kind) && strings.Contains(a.Detail, in) {
			return true
		}
	}
	return false
}
