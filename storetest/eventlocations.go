package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// testSitesFromEventLocations: FindSites lists every bizLocation and
// readPoint of the events once, found by a loose index scan (fix14c: the
// list scanned every event per request). 12 events: bizLocations
// loc:b, loc:a, loc:c in turn (each 4 times) and readPoints rp:z, loc:a
// in turn (6 each; loc:a is also a bizLocation), so the distinct
// locations are loc:a, loc:b, loc:c and rp:z — 4 sites, none from
// master data.
func testSitesFromEventLocations(t *testing.T, open Opener) {
	s := open(t)
	var evs []string
	biz := []string{"urn:t:loc:b", "urn:t:loc:a", "urn:t:loc:c"}
	rps := []string{"urn:t:rp:z", "urn:t:loc:a"}
	for i := range 12 {
		evs = append(evs, fmt.Sprintf(`{"type": "ObjectEvent", "eventTime": "2025-10-01T00:00:%02dZ", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		  "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"], "bizLocation": {"id": %q}, "readPoint": {"id": %q}}`, i, i, biz[i%3], rps[i%2]))
	}
	MustCapture(t, service(s), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", "epcisBody": {"eventList": [`+strings.Join(evs, ",")+`]}}`)
	sites, err := s.FindSites(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range sites {
		ids = append(ids, st.ID)
	}
	sort.Strings(ids)
	if got, want := strings.Join(ids, " "), "urn:t:loc:a urn:t:loc:b urn:t:loc:c urn:t:rp:z"; got != want {
		t.Errorf("sites %q, want %q", got, want)
	}
}
