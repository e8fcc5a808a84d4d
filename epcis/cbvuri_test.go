package epcis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// TestCBVURIReadable: a CBV value written as its CBV 1.x URN where the
// EPCIS 2.0 JSON schema wants it bare is refused with a reason that names
// the bare value, not the schema's regular expression.
func TestCBVURIReadable(t *testing.T) {
	b := []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-01-01T00:00:00Z","epcisBody":{"eventList":[
	 {"type":"ObjectEvent","eventTime":"2026-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE","epcList":["urn:epc:id:sgtin:0614141.107346.2018"],
	  "errorDeclaration":{"declarationTime":"2026-01-02T00:00:00Z","reason":"urn:epcglobal:cbv:er:incorrect_data"}}]}}`)
	d, err := epcis.ParseDocument(b, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Decode(0, time.Now())
	f := critmin.ErrorFields(err)
	if len(f) == 0 || f[0].Pointer != "/epcisBody/eventList/0/errorDeclaration/reason" || !strings.Contains(f[0].Reason, `is a CBV URI: the EPCIS 2.0 JSON binding writes CBV values bare — use "incorrect_data"`) || strings.Contains(err.Error(), "pattern") {
		t.Errorf("error %v; want a readable reason naming incorrect_data", err)
	}
}
