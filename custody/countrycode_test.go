package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestSiteCountryCodeAlpha2 (issue 9, new-user check): a processing
// site's country given only as the CBV master-data attribute countryCode
// (ISO 3166-1 alpha-2, "CN") is the same country as "CHN" on the covered
// list: DFARS fails for a run at a site in CN, RU, IR or KP, naming the
// country. And the ILMD origin "cn" (alpha-2, lower case) reads as CHN.
func TestSiteCountryCodeAlpha2(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ code, name string }{{"CN", "China"}, {"RU", "Russia"}, {"IR", "Iran"}, {"KP", "North Korea"}} {
		t.Run(c.code, func(t *testing.T) {
			d := epcDoc(`{"type": "TransformationEvent", "eventID": "urn:t:ev:RUN", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
			 "inputQuantityList": [{"epcClass": "urn:t:lot:PAK", "quantity": 100, "uom": "TNE"}],
			 "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:x"},
			 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`)
			d = strings.Replace(d, `"vocabularyElementList": [`, `"vocabularyElementList": [{"id": "urn:t:site:x", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "`+c.code+`"}]},`, 1)
			db := store(t, d)
			vs, err := custody.Evaluate(ctx, db, "urn:t:lot:P", custody.DefaultPack())
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, v := range vs {
				if v.Rule == "dfars-covered-countries" {
					found = true
					if v.Status != custody.Fail || !strings.Contains(v.Detail, "processed at urn:t:site:x in "+c.name) {
						t.Errorf("DFARS %+v, want fail: processed in %s", v, c.name)
					}
				}
			}
			if !found {
				t.Fatal("no DFARS verdict")
			}
		})
	}
	d := strings.Replace(epcDoc(), `"cm:originCountry": "PAK"`, `"cm:originCountry": "cn"`, 1)
	db := store(t, d)
	o, err := custody.Origin(ctx, db, "urn:t:lot:PAK")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Mass.ByCountry) != 1 || o.Mass.ByCountry[0].Key != "CHN" {
		t.Errorf("origin \"cn\" reads %+v, want CHN", o.Mass.ByCountry)
	}
}
