package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestInputMassUnknown (issue 9, new-user check): a Chinese lot
// commissioned without a quantity (a quantityList line with none) and fed
// to a run without a quantity beside 100 t of Pakistani concentrate
// brought an unknown mass, not 0 t: the product's shares are unknown
// (headline unknown, anomaly input_mass_unknown naming the lot), never
// "Pakistan 100 %, China 0.0 %", and DFARS fails.
func TestInputMassUnknown(t *testing.T) {
	ctx := context.Background()
	db := store(t, epcDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:CHN", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:CHN"}], "bizLocation": {"id": "urn:t:site:pk"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:RUN", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:PAK", "quantity": 100, "uom": "TNE"}, {"epcClass": "urn:t:lot:CHN"}],
	 "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`))
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:P", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Mass.ByCountry) != 1 || o.Mass.ByCountry[0].Key != custody.Unknown {
			t.Errorf("evidence %v: by country %+v, want unknown only", evidence, o.Mass.ByCountry)
		}
		if nd := o.Elements["Nd"].ByCountry; len(nd) != 1 || nd[0].Key != custody.Unknown {
			t.Errorf("evidence %v: Nd by country %+v, want unknown only", evidence, nd)
		}
		if !hasAnomaly(o, "input_mass_unknown", "urn:t:lot:CHN") {
			t.Errorf("evidence %v: anomalies %+v, want input_mass_unknown naming CHN", evidence, o.Anomalies)
		}
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
}
