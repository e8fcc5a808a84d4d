package epcis_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// FuzzStreamXML checks the streamed XML reader against the whole-tree
// mapping: for any document both accept, StreamXML passes the same events
// (decoded to the same stored JSON, or both invalid) and the same master
// data as FromXML followed by ParseXMLDocument; whatever StreamXML refuses,
// it refuses as EINVALID, never a panic. Its seed corpus (every GS1 XML
// example) runs with the ordinary tests.
func FuzzStreamXML(f *testing.F) {
	seedDocuments(f, "../testdata/epcis/xml/XML/*.xml", "../testdata/epcis/xml/XML/*/*.xml", "../testdata/epcis/xml/XSL/1.2/XML/*.xml", "../testdata/epcis/hash-examples/*.xml")
	f.Add([]byte(`<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"><EPCISBody><EventList><ObjectEvent><eventTime>2025-01-01T00:00:00Z</eventTime></ObjectEvent><Bogus/></EventList></EPCISBody></epcis:EPCISDocument>`))
	// What QueryDocumentXML writes for a lossless round trip: a sensor
	// type QName, typed and nil extension values, a repeated
	// certificationInfo, an escaped name, a standard prefix.
	f.Add([]byte(`<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:cbvmda="urn:epcglobal:cbv:mda:" xmlns:ex="https://example.org/ex/" xmlns:gs1="https://gs1.org/voc/" schemaVersion="2.0" creationDate="2025-01-01T00:00:00Z"><EPCISBody><epcisq:QueryResults><queryName>SimpleEventQuery</queryName><resultsBody><EventList><ObjectEvent><eventTime>2025-01-01T00:00:00+02:00</eventTime><eventTimeZoneOffset>+02:00</eventTimeZoneOffset><certificationInfo>https://c.example/a</certificationInfo><certificationInfo>https://c.example/b</certificationInfo><epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList><action>OBSERVE</action><sensorElementList><sensorElement><sensorReport type="gs1:Temperature" value="26.0" uom="CEL"/></sensorElement></sensorElementList><ex:when xsi:type="xsd:date">2026-01-01</ex:when><ex:none xsi:nil="true"/><ex:a_x005F_x0041_>a</ex:a_x005F_x0041_><cbvmda:lotNumber>L1</cbvmda:lotNumber></ObjectEvent></EventList></resultsBody></epcisq:QueryResults></EPCISBody></epcisq:EPCISQueryDocument>`))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		var streamed []string
		doc, err := epcis.StreamXML(bytes.NewReader(body), func(d *epcis.Document, e epcis.StreamEvent) error {
			ev, verr := d.DecodeRaw(e, now)
			if verr != nil {
				streamed = append(streamed, "invalid")
			} else {
				streamed = append(streamed, string(ev.Raw))
			}
			return nil
		})
		if err != nil && critmin.ErrorCode(err) != critmin.EINVALID {
			t.Fatalf("refusal is not EINVALID: %v", err)
		}
		x, xerr := epcis.FromXML(body, false)
		if err != nil || xerr != nil {
			return
		}
		parsed, perr := epcis.ParseXMLDocument(x.JSON, false)
		if perr != nil {
			return
		}
		if len(parsed.Events) != len(streamed) || len(doc.Master) != len(parsed.Master) {
			t.Fatalf("streamed %d events and %d master data elements, whole %d and %d", len(streamed), len(doc.Master), len(parsed.Events), len(parsed.Master))
		}
		for i := range parsed.Events {
			ev, verr := parsed.Decode(i, now)
			got := "invalid"
			if verr == nil {
				got = string(ev.Raw)
			}
			if got != streamed[i] {
				t.Fatalf("event %d: streamed %s, whole %s", i, streamed[i], got)
			}
		}
	})
}
