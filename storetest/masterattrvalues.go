package storetest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// testMasterDataMultiValued checks that EQ_ATTR_ matches a multi-valued
// master-data attribute when ANY of its values equals the parameter (EPCIS
// 2.0 §8.2.7.1: "the attribute ... has a value equal to one of the
// values"), for a repeated attribute id (the JSON schema allows no array
// value) in JSON and in GS1's XML example masterdata_all_possible_fields.xml, and that a
// scalar whose text looks like an array is not split.
func testMasterDataMultiValued(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ev := func(n, loc string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:uuid:7b000000-0000-4000-8000-00000000000` + n + `", "eventTime": "2025-09-21T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.` + n + `"], "bizLocation": {"id": "` + loc + `"}}`
	}
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/nu11/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-20T00:00:00Z",
	"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
		{"id": "urn:nu11:site:mv", "attributes": [{"id": "ex:cert", "attribute": "ISO9001"}, {"id": "ex:cert", "attribute": "ISO14001"}]},
		{"id": "urn:nu11:site:arr", "attributes": [{"id": "ex:cert", "attribute": "ISO9001"}, {"id": "ex:cert", "attribute": 45001}, {"id": "ex:cert", "attribute": "ISO9001"}]},
		{"id": "urn:nu11:site:lit", "attributes": [{"id": "ex:cert", "attribute": "[\"ISO9001\"]"}]}
	]}]}},
	"epcisBody": {"eventList": [`+ev("1", "urn:nu11:site:mv")+`, `+ev("2", "urn:nu11:site:arr")+`, `+ev("3", "urn:nu11:site:lit")+`, `+ev("4", "urn:epc:id:sgln:0037000.00729.0")+`]}}`)
	xml, err := os.ReadFile(filepath.Join(TestdataDir, "epcis", "xml", "XML", "WithFullCombinationOfFields", "masterdata_all_possible_fields.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: xml, XML: true}); err != nil {
		t.Fatalf("capture %s: %v", "masterdata_all_possible_fields.xml", err)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		// Site mv has cert ISO9001 and ISO14001 (repeated id); site arr
		// ISO9001 (twice) and the number 45001; site lit the one string
		// `["ISO9001"]`, which is not a list.
		{"EQ_ATTR_bizLocation_ex:cert=ISO9001", []string{"1", "2"}},
		{"EQ_ATTR_bizLocation_ex:cert=ISO14001", []string{"1"}},
		{"EQ_ATTR_bizLocation_https://example.org/nu11/cert=45001", []string{"2"}},
		{`EQ_ATTR_bizLocation_ex:cert=["ISO9001"]`, []string{"3"}},
		{"EQ_ATTR_bizLocation_ex:cert=ISO", []string{}},
		{"HASATTR_bizLocation=ex:cert", []string{"1", "2", "3"}},
		// GS1's XML example gives the sgln two http://example.com/ext1#array
		// attributes, string1InArray and string2InArray.
		{"EQ_ATTR_bizLocation_http://example.com/ext1%23array=string1InArray", []string{"4"}},
		{"EQ_ATTR_bizLocation_http://example.com/ext1%23array=string2InArray", []string{"4"}},
		{"EQ_ATTR_bizLocation_http://example.com/ext1%23array=string3InArray", []string{}},
		{"EQ_ATTR_bizLocation_http://example.com/ext1%23string=stringValue", []string{"4"}},
	} {
		if got := findIDs(t, s, c.query); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: events %v, want %v", c.query, got, c.want)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after multi-valued master data: %+v %+v", rep.Problem, rep.Difference)
	}
}
