package storetest

import (
	"context"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/sqldb"
)

// testXMLNameLegacyKeys: a store made before capture refused extension
// keys that are no XML name may hold "ex:1st" and "ex:a b" (simulated by
// rewriting the raw JSON of a captured event, as the old version stored
// it). NonXMLNameKeys (a warning of `critmin verify`) lists that event
// with both keys and no other event; the event is served in XML as
// well-formed XML with the names escaped, and reads back with its keys
// as stored.
func testXMLNameLegacyKeys(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	doc := func(id, keys string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/ex/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], ` + keys + `}]}}`
	}
	const legacy = "urn:uuid:0c000000-0000-4000-8000-000000000001"
	MustCapture(t, svc, doc(legacy, `"ex:first": "a", "ex:aXb": {"ex:ok": "b"}`))
	MustCapture(t, svc, doc("urn:uuid:0c000000-0000-4000-8000-000000000002", `"ex:fine": "c", "ex:wörd": "d"`))
	tamper(t, s, `UPDATE events SET raw = REPLACE(REPLACE(raw, '"ex:first"', '"ex:1st"'), '"ex:aXb"', '"ex:a b"') WHERE event_id = '`+legacy+`'`)
	db := s.(*sqldb.DB)
	got, more, err := db.NonXMLNameKeys(ctx)
	if want := []string{legacy + ": ex:1st, ex:a b"}; err != nil || more != 0 || !slices.Equal(got, want) {
		t.Fatalf("NonXMLNameKeys %q (+%d, %v); want %q", got, more, err, want)
	}
	// Verify reports the same warning (its own read of the events: the
	// edit broke the chain, so the rebuild, which would find them in its
	// read of the records, does not run).
	rep := verifyFull(t, s, nil, true)
	if want := []string{legacy + ": ex:1st, ex:a b"}; rep.XMLNameKeysMore != 0 || !slices.Equal(rep.XMLNameKeys, want) || rep.Problem == nil {
		t.Fatalf("verify warns of %q (+%d), problem %v; want %q and the broken chain", rep.XMLNameKeys, rep.XMLNameKeysMore, rep.Problem, want)
	}
	evs, err := s.FindEventsByID(ctx, legacy)
	if err != nil || len(evs) != 1 {
		t.Fatalf("find: %v", err)
	}
	out, err := epcis.QueryDocumentXML([]*critmin.Event{evs[0]}, "SimpleEventQuery", time.Now(), epcis.CBVNoPreference)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(string(out)))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("XML of the stored event is not well-formed: %v\n%s", err, out)
		}
	}
	x, err := epcis.FromXML(out, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"ex:1st":"a"`, `"ex:a b":{"ex:ok":"b"}`} {
		if !strings.Contains(string(x.JSON), k) {
			t.Errorf("read back from XML without %s: %s", k, x.JSON)
		}
	}
}
