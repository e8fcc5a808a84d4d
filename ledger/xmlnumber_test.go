package ledger_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestXMLNonFiniteNumbersRefused: a quantity, a sensor value or an
// extension typed xsd:double whose text is INF, -INF, NaN (valid xsd:double
// literals) or 1e400 (beyond float64's ±1.8e308) is refused with a 400
// naming its element, as the JSON binding refuses 1e400; nothing is stored.
// 1.7e308 is finite: in an extension it is a number like any other, and in
// a quantity it is over the mass limit (units.MaxMassKg), as in JSON.
func TestXMLNonFiniteNumbersRefused(t *testing.T) {
	const head = `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cm="https://ns.critmin.org/mineral/v1/" schemaVersion="2.0" creationDate="2025-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>OBSERVE</action>`
	const tail = `</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	quantity := func(q string) string {
		return `<quantityList><quantityElement><epcClass>urn:t:lot:Q</epcClass><quantity>` + q + `</quantity><uom>TNE</uom></quantityElement></quantityList>`
	}
	const obj = "/EPCISDocument/EPCISBody/EventList/ObjectEvent"
	for _, c := range []struct {
		name, body, path, reason string
	}{
		{"quantity 1e400", quantity("1e400"), obj + "/quantityList/quantityElement/quantity", "1e400 is not a finite number"},
		{"quantity INF", quantity("INF"), obj + "/quantityList/quantityElement/quantity", "INF is not a finite number"},
		{"quantity -INF", quantity("-INF"), obj + "/quantityList/quantityElement/quantity", "-INF is not a finite number"},
		{"quantity NaN", quantity("NaN"), obj + "/quantityList/quantityElement/quantity", "NaN is not a finite number"},
		{"quantity 1.7e308", quantity("1.7e308"), obj + "/quantityList/quantityElement/quantity", "1.7e308 TNE is over the mass limit of 1,000,000,000,000 kg"},
		{"extension double INF", quantity("1") + `<cm:extra xsi:type="xsd:double">INF</cm:extra>`, obj + "/cm:extra", "INF is not a finite number"},
		{"extension decimal 1e400", quantity("1") + `<cm:extra xsi:type="xsd:decimal">1e400</cm:extra>`, obj + "/cm:extra", "1e400 is not a finite number"},
		{"sensor value NaN", quantity("1") + `<sensorElementList><sensorElement><sensorMetadata time="2025-10-01T08:00:00Z"/><sensorReport type="gs1:Temperature" value="NaN" uom="CEL"/></sensorElement></sensorElementList>`, obj + "/sensorElementList/sensorElement/sensorReport/@value", "NaN is not a finite number"},
		// Finite but beyond ±10^12, as in JSON (epcis.MaxSensorValue; issue 8 §5, fixIi).
		{"sensor value 1e308", quantity("1") + `<sensorElementList><sensorElement><sensorMetadata time="2025-10-01T08:00:00Z"/><sensorReport type="gs1:Temperature" value="1e308" uom="CEL"/></sensorElement></sensorElementList>`, obj + "/sensorElementList/sensorElement/sensorReport/@value", "1e308 is beyond the limit of ±1,000,000,000,000 for a sensor value"},
		{"sensor sDev 1e308", quantity("1") + `<sensorElementList><sensorElement><sensorMetadata time="2025-10-01T08:00:00Z"/><sensorReport type="gs1:Temperature" value="5" sDev="1e308" uom="CEL"/></sensorElement></sensorElementList>`, obj + "/sensorElementList/sensorElement/sensorReport/@sDev", "1e308 is beyond the limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openStore(t)
			svc := ledger.NewService(db)
			_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(head + c.body + tail), XML: true})
			if critmin.ErrorCode(err) != critmin.EINVALID {
				t.Fatalf("%s: %v; want refused (invalid)", c.name, err)
			}
			found := false
			for _, f := range critmin.ErrorFields(err) {
				found = found || f.Pointer == c.path && strings.Contains(f.Reason, c.reason)
			}
			if !found {
				t.Errorf("%s: fields %+v; want %s: %s…", c.name, critmin.ErrorFields(err), c.path, c.reason)
			}
			if n, err := db.CountEvents(context.Background()); err != nil || n != 0 {
				t.Errorf("%s: %d events stored (%v); want none", c.name, n, err)
			}
		})
	}
	// A finite xsd:double in an extension is kept, as the same number in
	// JSON is.
	db := openStore(t)
	job, err := ledger.NewService(db).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(head + quantity("1") + `<cm:extra xsi:type="xsd:double">1.7e308</cm:extra>` + tail), XML: true})
	if err != nil || job.Stored != 1 {
		t.Errorf("extension 1.7e308: %v %+v; want stored", err, job)
	}
}

// TestXMLSensorRangesRefused: the XML binding refuses what JSON does
// (issue 8 §5, nu34-8): a minValue above the maxValue and a percRank
// outside 0 to 100, at the attribute's XML path; minValue 20 with
// maxValue 20 and percRank 100 are kept.
func TestXMLSensorRangesRefused(t *testing.T) {
	const head = `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>urn:t:bag:1</epc></epcList><action>OBSERVE</action>`
	const tail = `</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	report := func(attrs string) string {
		return `<sensorElementList><sensorElement><sensorMetadata time="2025-10-01T08:00:00Z"/><sensorReport type="gs1:Temperature" uom="CEL" ` + attrs + `/></sensorElement></sensorElementList>`
	}
	const at = "/EPCISDocument/EPCISBody/EventList/ObjectEvent/sensorElementList/sensorElement/sensorReport/"
	for _, c := range []struct{ attrs, path, reason string }{
		{`minValue="30" maxValue="20"`, at + "@minValue", "minValue 30 is more than maxValue 20"},
		{`percRank="101"`, at + "@percRank", "percRank is a percentile rank and must lie in [0, 100], got 101"},
		{`percRank="-0.5"`, at + "@percRank", "got -0.5"},
		{`minValue="20" maxValue="20" percRank="100" percValue="20"`, "", ""},
	} {
		db := openStore(t)
		_, err := ledger.NewService(db).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(head + report(c.attrs) + tail), XML: true})
		if c.path == "" {
			if err != nil {
				t.Errorf("%s: %v; want stored", c.attrs, err)
			}
			continue
		}
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: %v; want refused (invalid)", c.attrs, err)
			continue
		}
		found := false
		for _, f := range critmin.ErrorFields(err) {
			found = found || f.Pointer == c.path && strings.Contains(f.Reason, c.reason)
		}
		if !found {
			t.Errorf("%s: fields %+v; want %s: %s…", c.attrs, critmin.ErrorFields(err), c.path, c.reason)
		}
	}
}
