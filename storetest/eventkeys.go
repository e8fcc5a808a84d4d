package storetest

import (
	"context"
	"sort"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// eventKeysNamer is the store method custody's capture-time check uses to
// split one FindEvents answer by identifier (sqldb.DB.EventKeysNaming).
type eventKeysNamer interface {
	EventKeysNaming(ctx context.Context, role string, ids []string) (map[string]map[int64]bool, error)
}

// testEventKeysNaming: for each identifier, EventKeysNaming gives the
// keys of exactly the events FindEvents selects for an exact EPCMatch of
// it in the role. Container A is an SSCC, spelt as an EPC URN or as its
// Digital Link:
//
//	K1 ObjectEvent epcList [A (URN), B]   K2 ObjectEvent epcList [A (Digital Link)]
//	K3 AggregationEvent parent B, childEPCs [A (URN)]   K4 ObjectEvent epcList [C]
//
// role epc:    A → K1, K2 (either spelling asked); B → K1; D → none
// role parent: B → K3;  role child: A → K3.
func testEventKeysNaming(t *testing.T, open Opener) {
	s := open(t)
	namer, ok := s.(eventKeysNamer)
	if !ok {
		t.Fatalf("store %T has no EventKeysNaming", s)
	}
	const a = "urn:epc:id:sscc:0614141.1234567890"
	aDL := epcis.Canonical(a)
	obj := func(id string, epcs string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": [` + epcs + `]}`
	}
	MustCapture(t, service(s), docOf(
		obj("K1", `"`+a+`", "urn:t:c:B"`),
		obj("K2", `"`+aDL+`"`),
		`{"type": "AggregationEvent", "eventID": "urn:t:ev:K3", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "parentID": "urn:t:c:B", "childEPCs": ["`+a+`"]}`,
		obj("K4", `"urn:t:c:C"`)))
	ctx := context.Background()
	for _, c := range []struct {
		role string
		ids  []string
		want map[string][]string // canonical identifier → eventIDs
	}{
		{critmin.RoleEPC, []string{aDL, "urn:t:c:B", "urn:t:c:D"}, map[string][]string{aDL: {"urn:t:ev:K1", "urn:t:ev:K2"}, "urn:t:c:B": {"urn:t:ev:K1"}}},
		{critmin.RoleEPC, []string{a}, map[string][]string{aDL: {"urn:t:ev:K1", "urn:t:ev:K2"}}},
		{critmin.RoleParent, []string{"urn:t:c:B", a}, map[string][]string{"urn:t:c:B": {"urn:t:ev:K3"}}},
		{critmin.RoleChild, []string{a}, map[string][]string{aDL: {"urn:t:ev:K3"}}},
	} {
		keys, err := namer.EventKeysNaming(ctx, c.role, c.ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range c.ids {
			page, err := s.FindEvents(ctx, critmin.EventFilter{EPCMatches: []critmin.EPCMatch{{Roles: []string{c.role}, Patterns: []string{id}, Exact: true}}, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var found, named []string
			for _, e := range page.Events {
				found = append(found, e.EventID)
				if keys[epcis.Canonical(id)][e.PK] {
					named = append(named, e.EventID)
				}
			}
			sort.Strings(found)
			sort.Strings(named)
			want := c.want[epcis.Canonical(id)]
			if len(keys[epcis.Canonical(id)]) != len(found) || !equalStrings(named, found) || !equalStrings(found, want) {
				t.Errorf("role %s, %s: FindEvents %v, EventKeysNaming %d keys naming %v; want both %v", c.role, id, found, len(keys[epcis.Canonical(id)]), named, want)
			}
		}
	}
}
