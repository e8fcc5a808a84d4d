package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestOriginMineCountryConflict (issue 9, new-user check): a lot stating
// cm:originCountry PAK with cm:originMine a site master data places in
// China (countryCode CN) proves no origin: its country is unknown
// (anomaly origin_conflict naming both values), DFARS fails, both on the
// lot itself and on a product made from it (kept mix and on demand).
//
// Capture now refuses such a lot when master data already places the
// mine (ledger.TestOriginCountryAgainstMineRefused); the flag stays for
// what capture could not refuse — a store from before that check, or the
// mine's master data arriving after the lot — simulated here by sending
// the mine's master data in a second capture.
func TestOriginMineCountryConflict(t *testing.T) {
	ctx := context.Background()
	d := epcDoc(`{"type": "TransformationEvent", "eventID": "urn:t:ev:RUN", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:PAK", "quantity": 100, "uom": "TNE"}],
	 "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	d = strings.Replace(d, `"cm:originCountry": "PAK"`, `"cm:originCountry": "PAK", "cm:originMine": "urn:t:site:mine"`, 1)
	db := store(t, d)
	md := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-06T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:mine", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}]}]}]}}, "epcisBody": {"eventList": []}}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(md)}); err != nil {
		t.Fatal(err)
	}
	for _, lot := range []string{"PAK", "P"} {
		for _, evidence := range []bool{true, false} {
			o, err := custody.OriginOf(ctx, db, "urn:t:lot:"+lot, evidence)
			if err != nil {
				t.Fatal(err)
			}
			if share(o.Mass.ByCountry, "PAK").Share != 0 || share(o.Mass.ByCountry, custody.Unknown).Share != 1 {
				t.Errorf("%s (evidence %v): by country %+v, want unknown 100 %%", lot, evidence, o.Mass.ByCountry)
			}
			if !hasAnomaly(o, "origin_conflict", "cm:originCountry PAK") || !hasAnomaly(o, "origin_conflict", "in CHN") {
				t.Errorf("%s: anomalies %+v, want origin_conflict naming PAK and CHN", lot, o.Anomalies)
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
