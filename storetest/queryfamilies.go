package storetest

import (
	"context"
	"net/url"
	"reflect"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// familiesDoc holds events that differ in exactly the fields the
// SimpleEventQuery pattern families compare (EPCIS 2.0 §8.2.7.1): event
// 1 and 2 carry extensions, ILMD, sensor data and persistentDisposition
// with different values, event 3 carries none, event 4 declares event 3
// in error with an extension in its errorDeclaration.
const familiesDoc = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/ns/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-01T08:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000001",
     "eventTime": "2025-03-01T10:00:00.000Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
     "epcList": ["urn:epc:id:sgtin:0614141.107346.1"],
     "readPoint": {"id": "urn:critmin:site:dock-1", "ex:dock": "D1"},
     "persistentDisposition": {"set": ["completeness_verified"], "unset": ["needs_replacement"]},
     "ex:grade": 12.5,
     "ex:shipment": {"ex:carrier": "ACME", "ex:sealed": "2025-01-02T00:00:00Z", "ex:legs": [{"ex:port": "PKKHI"}]},
     "sensorElementList": [{
       "sensorMetadata": {"time": "2025-03-01T09:00:00Z", "startTime": "2025-03-01T08:00:00Z", "endTime": "2025-03-01T09:00:00Z",
         "deviceID": "urn:critmin:device:1", "bizRules": "https://example.org/rules/1", "dataProcessingMethod": "https://example.org/dpm/1", "deviceMetadata": "https://example.org/dm/1", "ex:firmware": "1.2"},
       "sensorReport": [{"type": "Temperature", "value": 26.0, "uom": "CEL", "minValue": 20, "maxValue": 30, "meanValue": 25, "sDev": 1.5,
         "percRank": 50, "percValue": 25.5, "rawData": "https://example.org/raw/1", "ex:probe": {"ex:serial": "P-1"}}],
       "ex:note": "n1"}]},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000002",
     "eventTime": "2025-03-02T10:00:00.000Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
     "epcList": ["urn:epc:id:sgtin:0614141.107346.2"],
     "persistentDisposition": {"set": ["needs_replacement"]},
     "ex:grade": 8,
     "ilmd": {"ex:lot": "L2", "ex:purity": 95, "ex:cert": {"ex:issuer": "SGS", "ex:issued": "2025-02-01T00:00:00Z"}},
     "sensorElementList": [{
       "sensorMetadata": {"time": "2025-03-02T09:00:00Z"},
       "sensorReport": [{"type": "Temperature", "value": 80, "uom": "FAH", "deviceID": "urn:critmin:device:2"},
         {"type": "gs1:Humidity", "stringValue": "ok", "booleanValue": true, "hexBinaryValue": "0a1b",
          "uriValue": "https://example.org/u/1", "chemicalSubstance": "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N",
          "microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/1126011"}]}]},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000003",
     "eventTime": "2025-03-03T10:00:00.000Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
     "epcList": ["urn:epc:id:sgtin:0614141.107346.3"]},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000003",
     "eventTime": "2025-03-03T10:00:00.000Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
     "epcList": ["urn:epc:id:sgtin:0614141.107346.3"],
     "errorDeclaration": {"declarationTime": "2025-04-01T00:00:00Z", "reason": "incorrect_data", "ex:ticket": "T-9"}}
  ]}}`

// familiesDoc2 binds another prefix to the namespace of familiesDoc's
// "ex", and "ex" to nothing: a CURIE in a query names a field by its
// namespace, whatever prefix the capture used.
const familiesDoc2 = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"q": "https://example.org/ns/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-05T08:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000005",
     "eventTime": "2025-03-05T10:00:00.000Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
     "epcList": ["urn:epc:id:sgtin:0614141.107346.5"], "q:grade": 15},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000006",
     "eventTime": "2025-03-06T10:00:00.000Z", "eventTimeZoneOffset": "+00:00", "action": "DELETE",
     "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.L6", "quantity": 200, "uom": "KGM"}],
     "sensorElementList": [{"sensorMetadata": {"deviceID": "https://id.gs1.org/8004/4000001222"},
       "sensorReport": [{"type": "gs1:Speed", "value": 1, "uom": "KMH"}]}]}
  ]}}`

func testQueryFamilies(t *testing.T, open Opener) {
	s := open(t)
	MustCapture(t, service(s), familiesDoc)
	MustCapture(t, service(s), familiesDoc2)
	ctx := context.Background()
	prefixes := func() (map[string][]string, error) { return s.DeclaredPrefixes(ctx) }
	cases := []struct {
		query string
		want  []string // event number suffixes, in eventTime order (3 twice: the event and its declaration)
	}{
		// Extension fields at the top level, by either captured prefix.
		{"EQ_ex:grade=12.5", []string{"1"}},
		{"EQ_ex:grade=8|15", []string{"2", "5"}},
		{"GT_ex:grade=10", []string{"1", "5"}},
		{"GE_q:grade=12.5", []string{"1", "5"}},
		{"LT_ex:grade=12.5", []string{"2"}},
		{"LE_https://example.org/ns/grade=12.5", []string{"1", "2"}},
		{"EXISTS_ex:grade", []string{"1", "2", "5"}},
		{"EXISTS_ex:shipment", []string{"1"}},
		{"EXISTS_ex:carrier", nil}, // nested, not top-level
		// Nested extension elements (INNER), any depth.
		{"EQ_INNER_ex:carrier=ACME", []string{"1"}},
		{"EQ_INNER_ex:carrier=OTHER", nil},
		{"EQ_INNER_ex:port=PKKHI", []string{"1"}},
		{"GE_INNER_ex:sealed=2025-01-01T00:00:00Z", []string{"1"}},
		{"LT_INNER_ex:sealed=2025-01-01T00:00:00Z", nil},
		{"EXISTS_INNER_ex:port", []string{"1"}},
		// ILMD, top level and nested.
		{"EQ_ILMD_ex:lot=L2", []string{"2"}},
		{"EQ_ILMD_ex:lot=L1", nil},
		{"GT_ILMD_ex:purity=90", []string{"2"}},
		{"LT_ILMD_ex:purity=90", nil},
		{"EXISTS_ILMD_ex:cert", []string{"2"}},
		{"EQ_INNER_ILMD_ex:issuer=SGS", []string{"2"}},
		{"GE_INNER_ILMD_ex:issued=2025-02-01T00:00:00Z", []string{"2"}},
		{"EXISTS_INNER_ILMD_ex:issuer", []string{"2"}},
		// readPoint extensions.
		{"EQ_readPoint_ex:dock=D1", []string{"1"}},
		{"EQ_readPoint_ex:dock=D2", nil},
		// Error declaration fields.
		{"EQ_ERROR_DECLARATION_ex:ticket=T-9", []string{"3"}},
		{"EXISTS_ERROR_DECLARATION_ex:ticket", []string{"3"}},
		{"GE_errorDeclarationTime=2025-03-31T00:00:00Z", []string{"3"}},
		{"LT_errorDeclarationTime=2025-03-31T00:00:00Z", nil},
		// EXISTS_ on standard fields.
		{"EXISTS_bizStep", []string{"1", "2"}},
		{"EXISTS_sensorElementList", []string{"1", "2", "6"}},
		{"EXISTS_ilmd", []string{"2"}},
		// Sensor element, metadata and report extensions.
		{"EQ_SENSORELEMENT_ex:note=n1", []string{"1"}},
		{"EQ_SENSORMETADATA_ex:firmware=1.2", []string{"1"}},
		{"EXISTS_SENSORREPORT_ex:probe", []string{"1"}},
		{"EQ_INNER_SENSORREPORT_ex:serial=P-1", []string{"1"}},
		{"EXISTS_SENSORMETADATA_ex:firmware", []string{"1"}},
		// Standard sensor attributes.
		{"EQ_type=Temperature", []string{"1", "2"}},
		{"EQ_type=Humidity", []string{"2"}},
		{"EQ_type=https://gs1.org/voc/Humidity", []string{"2"}},
		{"EQ_deviceID=urn:critmin:device:1", []string{"1"}}, // metadata
		{"EQ_deviceID=urn:critmin:device:2", []string{"2"}}, // report
		// A device's GS1 key in either spelling (event 6 writes the
		// Digital Link of GIAI 4000001 222).
		{"EQ_deviceID=urn:epc:id:giai:4000001.222", []string{"6"}},
		{"EQ_deviceID=https://id.gs1.org/8004/4000001222", []string{"6"}},
		{"EQ_deviceID=https://example.com/8004/4000001222", []string{"6"}},
		{"EQ_deviceID=urn:epc:id:giai:4000001.223", nil},
		{"EQ_dataProcessingMethod=https://example.org/dpm/1", []string{"1"}},
		{"EQ_bizRules=https://example.org/rules/1", []string{"1"}},
		{"EQ_bizRules=https://example.org/rules/2", nil},
		{"EQ_deviceMetadata=https://example.org/dm/1", []string{"1"}},
		{"EQ_deviceMetadata=https://example.org/dm/2", nil},
		{"EQ_rawData=https://example.org/raw/1", []string{"1"}},
		{"EQ_microorganism=https://www.ncbi.nlm.nih.gov/taxonomy/1126011", []string{"2"}},
		{"EQ_chemicalSubstance=https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N", []string{"2"}},
		{"EQ_stringValue=ok", []string{"2"}},
		{"EQ_stringValue=bad", nil},
		{"EQ_booleanValue=true", []string{"2"}},
		{"EQ_booleanValue=false", nil},
		{"EQ_hexBinaryValue=0A1B", []string{"2"}},
		{"EQ_uriValue=https://example.org/u/1", []string{"2"}},
		{"GE_time=2025-03-02T00:00:00Z", []string{"2"}},
		{"LT_time=2025-03-02T00:00:00Z", []string{"1"}},
		{"GE_startTime=2025-03-01T08:00:00Z", []string{"1"}},
		{"LT_endTime=2025-03-01T08:30:00Z", nil},
		{"GE_percRank=50", []string{"1"}},
		{"GT_percRank=50", nil},
		// Values in a unit: 80 FAH = (80 − 32) × 5/9 = 26.667 CEL, so
		// GT_value_CEL=26.5 keeps event 2 (26.667) and not event 1 (26.0).
		{"GT_value_CEL=26.5", []string{"2"}},
		{"GE_value_CEL=26", []string{"1", "2"}},
		{"LT_value_CEL=26", nil},
		{"EQ_value_CEL=26", []string{"1"}},
		// 26 CEL = 26 × 9/5 + 32 = 78.8 FAH.
		{"EQ_value_FAH=78.8", []string{"1"}},
		{"GE_value_KEL=299.8", []string{"2"}}, // 26.667 + 273.15 = 299.817
		{"GE_value_KGM=0", nil},               // no mass reports
		{"GE_minValue_CEL=20", []string{"1"}},
		{"LT_maxValue_CEL=30", nil},
		{"LE_maxValue_CEL=30", []string{"1"}},
		{"EQ_meanValue_CEL=25", nil}, // EQ_ only on value (query-schema.json)
		{"GT_meanValue_CEL=24", []string{"1"}},
		{"LT_sDev_CEL=2", []string{"1"}},
		// sDev is a spread (EPCIS 2.0 §7.3.7.2): it converts by the
		// scale factor only. 1.5 CEL of spread = 1.5 × 9/5 = 2.7 FAH
		// = 1.5 KEL; as a reading it would wrongly be 1.5 × 9/5 + 32
		// = 34.7 FAH and 1.5 + 273.15 = 274.65 KEL.
		{"GE_sDev_FAH=2.7&LE_sDev_FAH=2.7", []string{"1"}},
		{"LT_sDev_FAH=3", []string{"1"}},
		{"GT_sDev_FAH=30", nil},
		{"GE_sDev_KEL=1.5&LT_sDev_KEL=1.6", []string{"1"}},
		{"GT_sDev_KEL=200", nil},
		// A reading still converts affinely: minValue 20 CEL = 68 FAH.
		{"GE_minValue_FAH=68&LE_minValue_FAH=68", []string{"1"}},
		{"GE_percValue_CEL=25.5", []string{"1"}},
		// Quantities in mass units convert (event 6: 200 KGM = 0.2 TNE
		// = 200,000 GRM = 200 / 0.45359237 = 440.92 LBR).
		{"GT_quantity_TNE=0.1", []string{"6"}},
		{"GT_quantity_TNE=0.2", nil},
		{"EQ_quantity_TNE=0.2", []string{"6"}},
		{"GE_quantity_GRM=200000&LE_quantity_GRM=200000", []string{"6"}},
		{"LT_quantity_LBR=441", []string{"6"}},
		{"LT_quantity_LBR=440.9", nil},
		{"EQ_quantity_KGM=200", []string{"6"}},
		{"EQ_quantity_KGM=100|200", []string{"6"}},
		{"EQ_quantity_TNE=0.1|0.2", []string{"6"}},
		{"EQ_quantity_MTR=200", nil}, // another dimension
		{"GT_quantity=100", []string{"6"}},
		// persistentDisposition.
		{"EQ_persistentDisposition_set=completeness_verified", []string{"1"}},
		{"EQ_persistentDisposition_set=needs_replacement", []string{"2"}},
		{"EQ_persistentDisposition_set=https://ref.gs1.org/cbv/Disp-needs_replacement", []string{"2"}},
		{"EQ_persistentDisposition_unset=needs_replacement", []string{"1"}},
		{"EQ_persistentDisposition_unset=completeness_verified", nil},
		// Families combine with the indexed parameters.
		{"EQ_type=Temperature&EQ_action=ADD", []string{"2"}},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			v, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			v.Set("orderBy", "eventTime")
			v.Set("orderDirection", "ASC")
			f, err := epcis.ParseQueryWith(v, prefixes)
			if c.query == "EQ_meanValue_CEL=25" {
				if err == nil {
					t.Fatal("EQ_meanValue_CEL is no parameter of the query schema, yet it parsed")
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			page, err := s.FindEvents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(page.Events)
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got events %v, want %v", got, c.want)
			}
		})
	}

	// Paging over residual conditions: two per page, nothing lost or
	// repeated.
	var all []string
	v := url.Values{"EXISTS_ex:grade": {""}, "perPage": {"2"}, "orderBy": {"eventTime"}, "orderDirection": {"ASC"}}
	for range 5 {
		f, err := epcis.ParseQueryWith(v, prefixes)
		if err != nil {
			t.Fatal(err)
		}
		page, err := s.FindEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids(page.Events)...)
		if page.Next == nil {
			break
		}
		page.Next.Query = epcis.QueryFingerprint(v)
		v.Set("nextPageToken", epcis.EncodePageToken(page.Next))
	}
	if want := []string{"1", "2", "5"}; !reflect.DeepEqual(all, want) {
		t.Errorf("paged EXISTS_ex:grade: %v, want %v", all, want)
	}

	// A prefix no capture declared is a 400 naming the parameter.
	for _, q := range []string{"EQ_zz:grade=1", "EXISTS_INNER_zz:x", "GT_ILMD_zz:purity=1"} {
		v, _ := url.ParseQuery(q)
		_, err := epcis.ParseQueryWith(v, prefixes)
		fields := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fields) != 1 {
			t.Errorf("%s: got %v, want one EINVALID field error", q, err)
			continue
		}
		for name := range v {
			if fields[0].Pointer != name {
				t.Errorf("%s: error names %q, want %q", q, fields[0].Pointer, name)
			}
		}
	}

	// maxEventCount: more matches than allowed is EQUERYTOOLARGE; as many
	// as allowed answers. eventCountLimit keeps the first N.
	for _, c := range []struct {
		query string
		code  string
		n     int
	}{
		{"EXISTS_ex:grade&maxEventCount=2", critmin.EQUERYTOOLARGE, 0},
		{"EXISTS_ex:grade&maxEventCount=3", "", 3},
		{"EQ_action=OBSERVE&maxEventCount=3", critmin.EQUERYTOOLARGE, 0}, // 1, 3, 3 (declaration), 5
		{"EQ_action=OBSERVE&maxEventCount=4", "", 4},
		{"eventCountLimit=1&maxEventCount=4&orderBy=eventTime", critmin.EINVALID, 0},
		{"eventCountLimit=1", critmin.EINVALID, 0}, // needs orderBy
	} {
		v, _ := url.ParseQuery(c.query)
		f, err := epcis.ParseQueryWith(v, prefixes)
		if err == nil {
			var page *critmin.EventPage
			page, err = s.FindEvents(ctx, f)
			if err == nil && len(page.Events) != c.n {
				t.Errorf("%s: %d events, want %d", c.query, len(page.Events), c.n)
			}
		}
		if got := critmin.ErrorCode(err); got != c.code {
			t.Errorf("%s: error code %q (%v), want %q", c.query, got, err, c.code)
		}
	}
}
