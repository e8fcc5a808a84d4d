package epcis_test

import (
	"testing"

	"github.com/critmin/critmin/epcis"
)

// A store made before capture refused extension keys that are no XML
// name ("ex:1st", "ex:a b": EPCIS 2.0 §11 binds every key to an XML
// element) may hold them in an event its chain seals. Reading such a
// record back — the rebuild of `critmin verify`, a query — must give the
// event as stored: the rule judges captures, not the record (verify
// lists these keys as a warning, docs/verify.md). Decoding it failed,
// so verify reported an intact store as broken.
func TestDecodeStoredKeepsLegacyNonXMLNameKeys(t *testing.T) {
	raw := []byte(`{"type":"ObjectEvent","eventID":"urn:uuid:0c000000-0000-4000-8000-000000000001","eventTime":"2025-10-01T00:00:00Z","eventTimeZoneOffset":"+00:00",` +
		`"recordTime":"2025-10-01T00:00:01Z","action":"OBSERVE","epcList":["urn:epc:id:sgtin:0614141.107346.1"],"ex:1st":"a","ex:a b":{"ex:ok":"b"}}`)
	ctx := []byte(`["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"ex":"https://example.org/ex/"}]`)
	ev, err := epcis.DecodeStored(raw, ctx)
	if err != nil {
		t.Fatalf("DecodeStored of a legacy record with keys that are no XML name: %v; want the event as stored", err)
	}
	if ev.EventID != "urn:uuid:0c000000-0000-4000-8000-000000000001" || len(ev.EPCs) != 1 {
		t.Errorf("decoded %q with %d EPCs; want the stored event with its one EPC", ev.EventID, len(ev.EPCs))
	}
}
