package storetest

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
)

// classPagesFinder is the store method custody's capture-time checks use
// to read the events of many lots at once (sqldb.DB.FindEventsOfEachClass).
type classPagesFinder interface {
	FindEventsOfEachClass(ctx context.Context, f critmin.EventFilter, roles []string, ids []string, fn func(id string, page *critmin.EventPage) error) error
}

// testFindEventsOfEachClass: for each lot asked, in the order asked,
// FindEventsOfEachClass gives the page FindEvents gives for the lot alone
// — the same events in the same order, and a cursor where it gives one.
//
//	C1 (2025-10-01) ObjectEvent ADD  quantityList [L1, L2]
//	C2 (2025-10-02) TransformationEvent input [L1] output [L3]
//	C3 (2025-10-03) ObjectEvent OBSERVE quantityList [L1]
//	C4 (2025-10-04) AggregationEvent ADD childQuantityList [L2]
//
// Roles epc, input, output, latest first: L1 → C3, C2, C1; L2 → C1 (C4
// names it as a child, not asked); L3 → C2; L4 → none. With a page of 2:
// L1 → C3, C2 and a cursor (C1 follows), read on its own (3 events name
// it, more than the page holds); L2 → C1; L3 → C2.
func testFindEventsOfEachClass(t *testing.T, open Opener) {
	s := open(t)
	finder, ok := s.(classPagesFinder)
	if !ok {
		t.Fatalf("store %T has no FindEventsOfEachClass", s)
	}
	qty := func(id string) string { return `{"epcClass": "urn:t:lot:` + id + `", "quantity": 1, "uom": "TNE"}` }
	head := func(typ, id, day string) string {
		return `"type": "` + typ + `", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00"`
	}
	MustCapture(t, service(s), docOf(
		`{`+head("ObjectEvent", "C1", "1")+`, "action": "ADD", "quantityList": [`+qty("L1")+`, `+qty("L2")+`]}`,
		`{`+head("TransformationEvent", "C2", "2")+`, "inputQuantityList": [`+qty("L1")+`], "outputQuantityList": [`+qty("L3")+`]}`,
		`{`+head("ObjectEvent", "C3", "3")+`, "action": "OBSERVE", "quantityList": [`+qty("L1")+`]}`,
		`{`+head("AggregationEvent", "C4", "4")+`, "action": "ADD", "parentID": "urn:t:c:P", "childQuantityList": [`+qty("L2")+`]}`))
	ctx := context.Background()
	roles := []string{critmin.RoleEPC, critmin.RoleInput, critmin.RoleOutput}
	ids := []string{"urn:t:lot:L1", "urn:t:lot:L2", "urn:t:lot:L3", "urn:t:lot:L4", "urn:t:lot:L1"}
	for _, c := range []struct {
		limit int
		want  [][]string // the eventIDs' last part, for each id
		next  []bool
	}{
		{10000, [][]string{{"C3", "C2", "C1"}, {"C1"}, {"C2"}, nil, {"C3", "C2", "C1"}}, []bool{false, false, false, false, false}},
		{2, [][]string{{"C3", "C2"}, {"C1"}, {"C2"}, nil, {"C3", "C2"}}, []bool{true, false, false, false, true}},
	} {
		f := critmin.EventFilter{OrderBy: "eventTime", Limit: c.limit}
		var got []string
		k := 0
		err := finder.FindEventsOfEachClass(ctx, f, roles, ids, func(id string, page *critmin.EventPage) error {
			got = append(got, id)
			if k >= len(ids) || id != ids[k] {
				t.Errorf("limit %d: call %d for %s, want the ids in order %v", c.limit, k, id, ids)
				return nil
			}
			g := f
			g.ClassMatches = []critmin.EPCMatch{{Roles: roles, Patterns: []string{id}, Exact: true}}
			alone, err := s.FindEvents(ctx, g)
			if err != nil {
				return err
			}
			var each, one, want []string
			for _, e := range page.Events {
				each = append(each, e.EventID)
			}
			for _, e := range alone.Events {
				one = append(one, e.EventID)
			}
			for _, w := range c.want[k] {
				want = append(want, "urn:t:ev:"+w)
			}
			if !equalStrings(each, one) || !equalStrings(each, want) {
				t.Errorf("limit %d, %s: FindEventsOfEachClass %v, FindEvents %v; want both %v", c.limit, id, each, one, want)
			}
			if (page.Next != nil) != c.next[k] || (alone.Next != nil) != c.next[k] || page.Next != nil && *page.Next != *alone.Next {
				t.Errorf("limit %d, %s: cursor %v, FindEvents's %v; want one: %v", c.limit, id, page.Next, alone.Next, c.next[k])
			}
			k++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ids) {
			t.Errorf("limit %d: called for %v, want %v", c.limit, got, ids)
		}
	}
}
