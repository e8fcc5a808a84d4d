package epcis_test

import (
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

// The tests of this file work out pre-hash strings by hand from the rules
// of CBV 2.0 §8.9 ("EPCIS Event Hash ID"), one rule at a time, and check
// that JSON-LD and XML serialisations of one event give the same string.

// TestHashCases checks the field cases 09, 10 and 11 as their .expect.md
// files state them.
func TestHashCases(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		// certificationInfo right after eventTimeZoneOffset.
		{"09-hash-certificationinfo.jsonld", []string{"ni:///sha-256;8309d38b3bfa4a879762a93cd0acb9a243dbbff876082d830f6fde0fbeddceab?ver=CBV2.0"}},
		// errorDeclaration is not hashed: both events share one ID.
		{"10-hash-errordeclaration.jsonld", []string{
			"ni:///sha-256;5233bf732ac8b71aa6c2aab7470dbe65357f9987b768e3dbfb3f833c60a3317c?ver=CBV2.0",
			"ni:///sha-256;5233bf732ac8b71aa6c2aab7470dbe65357f9987b768e3dbfb3f833c60a3317c?ver=CBV2.0"}},
		// "epcList": [] adds nothing.
		{"11-hash-empty-epclist.jsonld", []string{
			"ni:///sha-256;a1186f4da7c2472acc47741bb9d7e23f73330c1f99b13000dc02e6f80f672696?ver=CBV2.0",
			"ni:///sha-256;a1186f4da7c2472acc47741bb9d7e23f73330c1f99b13000dc02e6f80f672696?ver=CBV2.0"}},
	}
	for _, c := range cases {
		body, err := os.ReadFile("../testdata/cases/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		_, hashes, err := epcis.HashDocument(body)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(hashes, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: hashes\n%s\nwant\n%s", c.file, strings.Join(hashes, "\n"), strings.Join(c.want, "\n"))
		}
	}
	body, _ := os.ReadFile("../testdata/cases/09-hash-certificationinfo.jsonld")
	pre, _, _ := epcis.HashDocument(body)
	want := "eventType=ObjectEventeventTime=2025-03-01T10:00:00.000ZeventTimeZoneOffset=+00:00certificationInfo=https://cert.example.org/certificate/C-001epcListepc=https://id.gs1.org/01/04012345111118/21/1006action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-inspecting"
	if pre[0] != want {
		t.Errorf("case 09 pre-hash\n got %s\nwant %s", pre[0], want)
	}
}

func jsonDoc(events ...string) []byte {
	return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"example": "http://ns.example.com/epcis/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
}

func xmlDoc(events ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:example="http://ns.example.com/epcis/"
  xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  schemaVersion="2.0" creationDate="2025-01-01T00:00:00Z"><EPCISBody><EventList>` + strings.Join(events, "") + `</EventList></EPCISBody></epcis:EPCISDocument>`)
}

func mustPreHash(t *testing.T, doc []byte) []string {
	t.Helper()
	pre, _, err := epcis.HashDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	return pre
}

// TestHashRules runs one hand-worked event per rule, in JSON-LD and in
// XML; each serialisation must give exactly the pre-hash written out.
func TestHashRules(t *testing.T) {
	const head = "eventType=ObjectEventeventTime=2025-03-01T10:00:00.000ZeventTimeZoneOffset=+00:00"
	cases := []struct {
		name      string
		json, xml string
		want      string
	}{{
		// Rule: errorDeclaration, recordTime, eventID and comments are not
		// hashed, wherever the comment stands.
		name: "excluded fields",
		json: `{"type": "ObjectEvent", "eventID": "urn:uuid:11111111-1111-4111-8111-111111111111", "recordTime": "2025-03-05T00:00:00Z",
  "eventTime": "2025-03-01T11:00:00+01:00", "eventTimeZoneOffset": "+00:00", "epcList": ["urn:epc:id:sscc:4012345.0000000333"], "action": "OBSERVE",
  "rdfs:comment": "seen at the gate",
  "errorDeclaration": {"declarationTime": "2025-03-04T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:uuid:22222222-2222-4222-8222-222222222222"]},
  "example:note": {"rdfs:comment": "inner", "example:code": "A1"}}`,
		xml: `<ObjectEvent><eventTime>2025-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
  <recordTime>2025-03-05T00:00:00Z</recordTime><eventID>urn:uuid:11111111-1111-4111-8111-111111111111</eventID>
  <errorDeclaration><declarationTime>2025-03-04T00:00:00Z</declarationTime><reason>urn:epcglobal:cbv:er:incorrect_data</reason>
  <correctiveEventIDs><correctiveEventID>urn:uuid:22222222-2222-4222-8222-222222222222</correctiveEventID></correctiveEventIDs></errorDeclaration>
  <epcList><epc>https://id.gs1.org/00/040123450000003338</epc></epcList><action>OBSERVE</action>
  <!-- an XML comment --><rdfs:comment>seen at the gate</rdfs:comment>
  <example:note><rdfs:comment>inner</rdfs:comment><example:code>A1</example:code></example:note></ObjectEvent>`,
		// SSCC 4012345.0000000333: extension digit 0, raw 04012345000000033,
		// check digit 8 (GS1 mod 10) → /00/040123450000003338.
		want: head + "epcListepc=https://id.gs1.org/00/040123450000003338action=OBSERVE" +
			"{http://ns.example.com/epcis/}note{http://ns.example.com/epcis/}code=A1",
	}, {
		// Rule: absent, empty and empty-list fields add nothing, not even
		// their name; an extension element without content is dropped.
		name: "empty elements",
		json: `{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "epcList": [],
  "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.LOT-E", "quantity": 250.0, "uom": "KGM"}],
  "action": "OBSERVE", "bizTransactionList": [], "sourceList": [], "ilmd": {}, "readPoint": {},
  "example:empty": "", "example:none": {}, "example:list": []}`,
		xml: `<ObjectEvent><eventTime>2025-03-01T10:00:00.000Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList/>
  <quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.011111.LOT-E</epcClass><quantity>250</quantity><uom>KGM</uom></quantityElement></quantityList>
  <action>OBSERVE</action><bizTransactionList/><sourceList></sourceList><ilmd/><readPoint/><example:empty/><example:none></example:none></ObjectEvent>`,
		// LGTIN 4012345.011111: GTIN digits 0 4012345 11111, check 8.
		want: head + "quantityListquantityElementepcClass=https://id.gs1.org/01/04012345111118/10/LOT-Equantity=250uom=KGMaction=OBSERVE",
	}, {
		// Rule: numbers lose trailing zeros; a string that looks numeric is
		// kept exactly as written (a lot number "007.50" is not 7.5); a CBV
		// URN in an extension becomes its Web URI.
		name: "numeric strings",
		json: `{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "quantityList": [{"epcClass": "urn:epc:idpat:sgtin:4012345.011111.*", "quantity": 1.50}],
  "example:lot": "007.50", "example:moisture": 8.250, "example:typed": {"@value": "12.0", "@type": "xsd:decimal"},
  "example:step": "urn:epcglobal:cbv:bizstep:sampling"}`,
		xml: `<ObjectEvent><eventTime>2025-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>OBSERVE</action>
  <quantityList><quantityElement><epcClass>urn:epc:idpat:sgtin:4012345.011111.*</epcClass><quantity>1.500</quantity></quantityElement></quantityList>
  <example:lot>007.50</example:lot><example:moisture xsi:type="xsd:double">8.25</example:moisture><example:typed xsi:type="xsd:decimal">12</example:typed>
  <example:step>https://ref.gs1.org/cbv/BizStep-sampling</example:step></ObjectEvent>`,
		// The pattern of every serial of GTIN 04012345111118 becomes that GTIN.
		want: head + "quantityListquantityElementepcClass=https://id.gs1.org/01/04012345111118quantity=1.5action=OBSERVE" +
			"{http://ns.example.com/epcis/}lot=007.50{http://ns.example.com/epcis/}moisture=8.25" +
			"{http://ns.example.com/epcis/}step=https://ref.gs1.org/cbv/BizStep-sampling{http://ns.example.com/epcis/}typed=12",
	}, {
		// Rule: user extensions nest; children are sorted below their
		// parent, repeated elements each give one part, and identifiers
		// inside extensions are converted like any other.
		name: "nested extensions",
		json: `{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "example:assay": {"example:element": [{"example:symbol": "Sb", "example:grade": 61.5}, {"example:symbol": "As", "example:grade": 0.2}],
    "example:lab": "urn:epc:id:pgln:4012345.00000"},
  "example:b": "x"}`,
		xml: `<ObjectEvent><eventTime>2025-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>OBSERVE</action>
  <example:b>x</example:b>
  <example:assay><example:lab>https://id.gs1.org/417/4012345000009</example:lab>
    <example:element><example:grade xsi:type="xsd:decimal">0.20</example:grade><example:symbol>As</example:symbol></example:element>
    <example:element><example:symbol>Sb</example:symbol><example:grade xsi:type="xsd:double">61.50</example:grade></example:element>
  </example:assay></ObjectEvent>`,
		// PGLN 4012345.00000: digits 401234500000, check 9.
		want: head + "action=OBSERVE" +
			"{http://ns.example.com/epcis/}assay" +
			"{http://ns.example.com/epcis/}element{http://ns.example.com/epcis/}grade=0.2{http://ns.example.com/epcis/}symbol=As" +
			"{http://ns.example.com/epcis/}element{http://ns.example.com/epcis/}grade=61.5{http://ns.example.com/epcis/}symbol=Sb" +
			"{http://ns.example.com/epcis/}lab=https://id.gs1.org/417/4012345000009" +
			"{http://ns.example.com/epcis/}b=x",
	}, {
		// Rule: certificationInfo stands after eventTimeZoneOffset in XML
		// as in JSON-LD; source and destination lists sort as wholes after
		// the ordered fields.
		name: "certificationInfo and lists",
		json: `{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "certificationInfo": "https://cert.example.org/C-9", "bizStep": "shipping",
  "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00000"}],
  "destinationList": [{"type": "location", "destination": "urn:epc:id:sgln:4012345.00011.987"}]}`,
		xml: `<ObjectEvent><eventTime>2025-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
  <certificationInfo>https://cert.example.org/C-9</certificationInfo><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
  <sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:4012345.00000</source></sourceList>
  <destinationList><destination type="urn:epcglobal:cbv:sdt:location">urn:epc:id:sgln:4012345.00011.987</destination></destinationList></ObjectEvent>`,
		// SGLN 4012345.00011: digits 401234500011, check 5; extension 987.
		want: head + "certificationInfo=https://cert.example.org/C-9action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shipping" +
			"destinationListtype=https://ref.gs1.org/cbv/SDT-locationdestination=https://id.gs1.org/414/4012345000115/254/987" +
			"sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345000009",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for form, doc := range map[string][]byte{"json": jsonDoc(c.json), "xml": xmlDoc(c.xml)} {
				pre := mustPreHash(t, doc)
				if len(pre) != 1 || pre[0] != c.want {
					t.Errorf("%s pre-hash\n got %v\nwant %s", form, pre, c.want)
				}
			}
		})
	}
}

// TestHashDeclarationKeepsID: an event without eventID re-sent with an
// errorDeclaration is given the ID of the event it declares in error, in
// XML as in JSON-LD.
func TestHashDeclarationKeepsID(t *testing.T) {
	x := xmlDoc(`<ObjectEvent><eventTime>2025-03-01T10:00:00.000Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
  <epcList><epc>urn:epc:id:sgtin:4012345.011111.1007</epc></epcList><action>OBSERVE</action><bizStep>inspecting</bizStep>
  <errorDeclaration><declarationTime>2025-03-02T10:00:00.000Z</declarationTime><reason>incorrect_data</reason></errorDeclaration></ObjectEvent>`)
	_, hashes, err := epcis.HashDocument(x)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ni:///sha-256;5233bf732ac8b71aa6c2aab7470dbe65357f9987b768e3dbfb3f833c60a3317c?ver=CBV2.0"; hashes[0] != want {
		t.Errorf("XML declaration hash %s, want %s (case 10)", hashes[0], want)
	}
}
