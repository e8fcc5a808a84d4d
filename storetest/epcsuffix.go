package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/critmin/critmin"
)

// testEPCSuffixMatch (issue 15, fixPh): EPCMatch.Suffix finds the events
// naming an identifier that ends with a suffix, as captured and in its
// case, on every backend — the forms' look-up of a container typed as
// its ISO 6346 number, whatever URN it was recorded under. Lot S is
// packed into urn:critmin:demo:container:MSKU1234565 (event p1) and
// urn:epc:id:bic:MSCU1234566 (p2), and into urn:t:box:XMSKU1234565
// (p3, whose tail only ends with the number) and
// urn:t:container:msku1234565 (p4, another case):
//   - ":MSKU1234565" matches p1 alone (not p3: no colon before the
//     number; not p4: the case differs, on SQLite, whose LIKE ignores
//     ASCII case, as on PostgreSQL);
//   - ":MSCU1234566" and ":MSKU1234565" together match p1 and p2;
//   - ":MSKU123456_" matches nothing: "_" is a character, not a LIKE
//     wildcard;
//   - as a parent (RoleParent) p2 is found; as an epcList entry
//     (RoleEPC) it is not.
func testEPCSuffixMatch(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	const lot = "urn:t:lot:S"
	pack := func(id, parent string) string {
		return `{"type": "AggregationEvent", "eventID": "` + id + `", "eventTime": "2025-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		 "action": "ADD", "bizStep": "packing", "parentID": "` + parent + `", "childQuantityList": [{"epcClass": "` + lot + `", "quantity": 1000, "uom": "KGM"}]}`
	}
	MustCapture(t, svc, docOf(
		commissionEv("urn:t:ev:s0", "2025-11-01T08:00:00Z", lot, "20000", "ree_concentrate", "PAK"),
		pack("urn:t:ev:p1", "urn:critmin:demo:container:MSKU1234565"),
		pack("urn:t:ev:p2", "urn:epc:id:bic:MSCU1234566"),
		pack("urn:t:ev:p3", "urn:t:box:XMSKU1234565"),
		pack("urn:t:ev:p4", "urn:t:container:msku1234565")))
	found := func(roles []string, suffixes ...string) []string {
		t.Helper()
		page, err := s.FindEvents(ctx, critmin.EventFilter{EPCMatches: []critmin.EPCMatch{{Roles: roles, Patterns: suffixes, Suffix: true}}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range page.Events {
			ids = append(ids, e.EventID)
		}
		slices.Sort(ids)
		return ids
	}
	any3 := []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleParent}
	for _, c := range []struct {
		roles    []string
		suffixes []string
		want     []string
	}{
		{any3, []string{":MSKU1234565"}, []string{"urn:t:ev:p1"}},
		{any3, []string{":MSCU1234566", ":MSKU1234565"}, []string{"urn:t:ev:p1", "urn:t:ev:p2"}},
		{any3, []string{":MSKU123456_"}, nil},
		{[]string{critmin.RoleParent}, []string{":MSCU1234566"}, []string{"urn:t:ev:p2"}},
		{[]string{critmin.RoleEPC}, []string{":MSCU1234566"}, nil},
	} {
		if got := found(c.roles, c.suffixes...); !slices.Equal(got, c.want) {
			t.Errorf("suffixes %q in roles %v: events %v; want %v", c.suffixes, c.roles, got, c.want)
		}
	}
}
