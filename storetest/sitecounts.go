package storetest

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// testSiteCountsSkipLotsAtSea (issue 15, fix15f item 2): a lot in transit
// is at no site. Lots X and Y are commissioned at s1 on 1 Oct; X is
// shipped from s1 to s2 on 2 Oct (not received). Then:
//   - FindSites: s1 has 1 lot (2 commissioned − 1 at sea = 1: Y), s2
//     has 0 (X has not arrived);
//   - FindLots location=s1: [Y] (before: [X Y], X by the port it left);
//   - FindLots last_location=s1: [X Y] (X's latest bizLocation is s1).
func testSiteCountsSkipLotsAtSea(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	const s1, s2 = "urn:t:site:s1", "urn:t:site:s2"
	for _, id := range []string{"X", "Y"} {
		MustCapture(t, svc, docOf(strings.Replace(commissionEv("urn:t:ev:C"+id, "2025-10-01T00:00:00Z", "urn:t:lot:"+id, "30000", "ree_concentrate", "PAK"), "urn:critmin:site:mine-b", s1, 1)))
	}
	MustCapture(t, svc, docOf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:SX", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:X", "quantity": 30000, "uom": "KGM"}],
	 "readPoint": {"id": "`+s1+`"}, "bizLocation": {"id": "`+s1+`"}, "destinationList": [{"type": "location", "destination": "`+s2+`"}]}`))
	sites, err := s.FindSites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, site := range sites {
		counts[site.ID] = site.Lots
	}
	if counts[s1] != 1 || counts[s2] != 0 {
		t.Errorf("site counts with X at sea: s1 %d, s2 %d; want 1 (Y) and 0", counts[s1], counts[s2])
	}
	ids := func(f critmin.LotFilter) []string {
		t.Helper()
		ls, _, err := s.FindLots(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		sort.Strings(out)
		return out
	}
	if got := ids(critmin.LotFilter{Location: s1}); strings.Join(got, " ") != "urn:t:lot:Y" {
		t.Errorf("lots at s1: %v; want [urn:t:lot:Y] (X is at sea)", got)
	}
	if got := ids(critmin.LotFilter{LastLocation: s1}); strings.Join(got, " ") != "urn:t:lot:X urn:t:lot:Y" {
		t.Errorf("lots last at s1: %v; want X and Y", got)
	}
}
