package ledger_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestNumbersUnderflowAndNegativeZero: a non-zero numeral that a 64-bit
// float holds as 0 (1e-400: the smallest float64 is about 4.9e-324, so
// 1e-400 rounds to 0 while its text says "not zero") is refused with a 400
// naming its field and "underflows to 0" — a quantity, a sensor value, an
// assay's cm:value and cm:moisture, in JSON and in XML; nothing is stored.
// "-0" is zero (EPCIS 2.0's xsd:double admits it): a lot commissioned with
// quantity -0 KGM, moisture -0 and an assay of -0 % is stored, and reads 0
// t, moisture 0 and Nd2O3 0 %, none of them a negative zero (math.Signbit
// false), so nothing shows or sums "-0". "0e-400" is zero too, not an
// underflow (its digits are all 0).
func TestNumbersUnderflowAndNegativeZero(t *testing.T) {
	ctx := context.Background()
	jsonDoc := func(qty, moisture, assay, sensor string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T08:00:00Z", "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:U", "quantity": ` + qty + `, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mine"},
   "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": ` + sensor + `, "uom": "CEL"}]}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": ` + moisture + `,
            "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": ` + assay + `, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	}
	const ev = "/epcisBody/eventList/0"
	for _, c := range []struct{ name, body, pointer string }{
		{"quantity", jsonDoc("1e-400", "0.1", "4", "20"), ev + "/quantityList/0/quantity"},
		{"sensor value", jsonDoc("1000", "0.1", "4", "-1e-400"), ev + "/sensorElementList/0/sensorReport/0/value"},
		{"moisture", jsonDoc("1000", "1e-400", "4", "20"), ev + "/ilmd/cm:moisture"},
		{"assay value", jsonDoc("1000", "0.1", "0.5e-330", "20"), ev + "/ilmd/cm:assay/0/cm:value"},
	} {
		db := openStore(t)
		_, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(c.body)})
		found := false
		for _, f := range critmin.ErrorFields(err) {
			found = found || f.Pointer == c.pointer && strings.Contains(f.Reason, "underflows to 0")
		}
		if critmin.ErrorCode(err) != critmin.EINVALID || !found {
			t.Errorf("JSON %s underflowing: %v; want invalid naming %s: underflows to 0", c.name, err, c.pointer)
		}
		if n, _ := db.CountEvents(ctx); n != 0 {
			t.Errorf("JSON %s underflowing: %d events stored, want 0", c.name, n)
		}
	}
	const head = `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cm="https://ns.critmin.org/mineral/v1/" schemaVersion="2.0" creationDate="2025-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>OBSERVE</action>`
	const tail = `</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	quantity := func(q string) string {
		return `<quantityList><quantityElement><epcClass>urn:t:lot:Q</epcClass><quantity>` + q + `</quantity><uom>TNE</uom></quantityElement></quantityList>`
	}
	const obj = "/EPCISDocument/EPCISBody/EventList/ObjectEvent"
	for _, c := range []struct{ name, body, path string }{
		{"quantity", quantity("1e-400"), obj + "/quantityList/quantityElement/quantity"},
		{"quantity +.1e-400", quantity("+.1e-400"), obj + "/quantityList/quantityElement/quantity"},
		{"sensor value", quantity("1") + `<sensorElementList><sensorElement><sensorMetadata time="2025-10-01T08:00:00Z"/><sensorReport type="gs1:Temperature" value="1e-400" uom="CEL"/></sensorElement></sensorElementList>`, obj + "/sensorElementList/sensorElement/sensorReport/@value"},
		{"extension double", quantity("1") + `<cm:extra xsi:type="xsd:double">-2E-999</cm:extra>`, obj + "/cm:extra"},
	} {
		db := openStore(t)
		_, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(head + c.body + tail), XML: true})
		found := false
		for _, f := range critmin.ErrorFields(err) {
			found = found || f.Pointer == c.path && strings.Contains(f.Reason, "underflows to 0")
		}
		if critmin.ErrorCode(err) != critmin.EINVALID || !found {
			t.Errorf("XML %s underflowing: %v; want invalid naming %s: underflows to 0", c.name, err, c.path)
		}
		if n, _ := db.CountEvents(ctx); n != 0 {
			t.Errorf("XML %s underflowing: %d events stored, want 0", c.name, n)
		}
	}
	// Negative zero is zero.
	db := openStore(t)
	job, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(jsonDoc("-0", "-0.0", "-0", "0e-400"))})
	if err != nil || job.Stored != 1 {
		t.Fatalf("-0 quantity, moisture and assay: %v %+v; want stored", err, job)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:U")
	if err != nil {
		t.Fatal(err)
	}
	if l.WetTonnes != 0 || math.Signbit(l.WetTonnes) {
		t.Errorf("wet tonnes %v (signbit %v); want 0, not -0", l.WetTonnes, math.Signbit(l.WetTonnes))
	}
	if l.Moisture == nil || *l.Moisture != 0 || math.Signbit(*l.Moisture) {
		t.Errorf("moisture %v; want 0, not -0", l.Moisture)
	}
	if len(l.Assays) != 1 || l.Assays[0].Value != 0 || math.Signbit(l.Assays[0].Value) {
		t.Errorf("assays %+v; want Nd2O3 0 %%, not -0", l.Assays)
	}
	page, err := db.FindEvents(ctx, critmin.EventFilter{Limit: 10})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("stored events: %v %v; want 1", page, err)
	}
	stored, err := ledger.DecodeStored(page.Events[0].Raw, page.Events[0].Context)
	if err != nil {
		t.Fatal(err)
	}
	if q := stored.Quantities; len(q) != 1 || q[0].Quantity == nil || *q[0].Quantity != 0 || math.Signbit(*q[0].Quantity) {
		t.Errorf("stored event's quantity: %+v; want 0, not -0", q)
	}
	// An XML quantity of -0 is zero as well.
	db = openStore(t)
	if job, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(head + quantity("-0") + tail), XML: true}); err != nil || job.Stored != 1 {
		t.Errorf("XML quantity -0: %v; want stored", err)
	}
	// XML mineral values (typed numeric, as the XML binding needs them):
	// moisture and an assay value of 1e-400 are refused naming their
	// elements; -0 is 0.
	commission := func(moisture, value string) []byte {
		return []byte(`<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cm="https://ns.critmin.org/mineral/v1/" schemaVersion="2.0" creationDate="2025-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList/><action>ADD</action><bizStep>commissioning</bizStep><bizLocation><id>urn:t:site:m</id></bizLocation><extension><quantityList><quantityElement><epcClass>urn:t:lot:X</epcClass><quantity>5</quantity><uom>TNE</uom></quantityElement></quantityList><ilmd><cm:commodity>ree_concentrate</cm:commodity><cm:originCountry>PAK</cm:originCountry><cm:moisture xsi:type="xsd:decimal">` + moisture + `</cm:moisture><cm:assay><cm:analyte>Nd2O3</cm:analyte><cm:value xsi:type="xsd:double">` + value + `</cm:value><cm:unit>%</cm:unit><cm:basis>dry</cm:basis></cm:assay></ilmd></extension></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`)
	}
	const ilmd = obj + "/extension/ilmd"
	for _, c := range []struct{ name, moisture, value, path string }{
		{"moisture", "1e-400", "4", ilmd + "/cm:moisture"},
		{"assay value", "0.1", "3E-999", ilmd + "/cm:assay/cm:value"},
	} {
		db := openStore(t)
		_, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: commission(c.moisture, c.value), XML: true})
		found := false
		for _, f := range critmin.ErrorFields(err) {
			found = found || f.Pointer == c.path && strings.Contains(f.Reason, "underflows to 0")
		}
		if !found {
			t.Errorf("XML %s underflowing: %v; want invalid naming %s: underflows to 0", c.name, err, c.path)
		}
	}
	db = openStore(t)
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: commission("-0", "-0.0"), XML: true}); err != nil {
		t.Fatalf("XML moisture and assay -0: %v; want stored", err)
	}
	if l, err := db.FindLot(ctx, "urn:t:lot:X"); err != nil || l.Moisture == nil || *l.Moisture != 0 || math.Signbit(*l.Moisture) || len(l.Assays) != 1 || math.Signbit(l.Assays[0].Value) {
		t.Errorf("XML -0 moisture and assay: %v %+v; want 0, not -0", err, l)
	}
}
