package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestOriginCountryFromMineMasterData (issue 9, new-user check): a lot
// commissioned without cm:originCountry but with cm:originMine a site
// master data places in China (countryCode CN) has physical origin China
// 100 %, not unknown — the mine's country is the lot's origin country —
// on the lot and on a product made from it, and the covered-country rule
// (DFARS) fails for both.
func TestOriginCountryFromMineMasterData(t *testing.T) {
	ctx := context.Background()
	md := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-06T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:mine", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}]}]}]}}, "epcisBody": {"eventList": []}}`
	db := store(t, md)
	d := epcDoc(`{"type": "TransformationEvent", "eventID": "urn:t:ev:RUN", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:PAK", "quantity": 100, "uom": "TNE"}],
	 "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	if !strings.Contains(d, `"cm:originCountry": "PAK"`) {
		t.Fatal("fixture changed")
	}
	d = strings.Replace(d, `"cm:originCountry": "PAK"`, `"cm:originMine": "urn:t:site:mine"`, 1)
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(d)}); err != nil {
		t.Fatal(err)
	}
	for _, lot := range []string{"PAK", "P"} {
		for _, evidence := range []bool{true, false} {
			o, err := custody.OriginOf(ctx, db, "urn:t:lot:"+lot, evidence)
			if err != nil {
				t.Fatal(err)
			}
			if share(o.Mass.ByCountry, "CHN").Share != 1 {
				t.Errorf("%s (evidence %v): by country %+v, want China 100 %%", lot, evidence, o.Mass.ByCountry)
			}
		}
		vs, err := custody.Evaluate(ctx, db, "urn:t:lot:"+lot, custody.DefaultPack())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Rule == "dfars-covered-countries" && v.Status != custody.Fail {
				t.Errorf("%s: DFARS %+v, want fail", lot, v)
			}
		}
	}
}
