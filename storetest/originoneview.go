package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testOriginOneView (issue 9 §5 and §2, fixKk): a country stated for a
// lot that master data of its place contradicts is refused at capture,
// whichever way it is stated, and the genealogy trace gives each lot the
// origin function's country and flags, never the stored, stated one.
//
// Sites: cn, a mine in China (countryCode CN); pk, a mine in Pakistan
// (cm:country PAK); cnw, a warehouse in China.
//
// Refused at capture (EINVALID naming the field, both countries and the
// site; nothing stored), the rule the cm:originMine check already held:
//   - R1 states cm:originCountry PAK and is commissioned at mine cn;
//   - R2 states cm:originMine pk (Pakistan by master data) and is
//     commissioned at mine cn (bizLocation only).
//
// Accepted: A states PAK at the Chinese warehouse cnw (nothing is mined
// there: read as stated, flagged commissioning_country_differs); M
// states only cm:originMine pk (stored country "", origin Pakistan);
// X, stored before this check (MustStoreUnchecked), states PAK at mine
// cn: origin_conflict, origin country unknown. Run R blends A, M and X
// (10 t each) into P. P's backward trace gives each lot node:
//
//	A  PAK      flags [commissioning_country_differs]
//	M  PAK      (was "": the stored, stated country)
//	X  unknown  flags [origin_conflict]  (was PAK)
//	P  ""       a blend of three: PAK 20 / 30 t, unknown 10 / 30 t;
//	            flags [origin_conflict commissioning_country_differs]
func testOriginOneView(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	sites := scSite("cn", "mine", [2]string{scCode, "CN"}) + "," + scSite("pk", "mine", [2]string{scCountry, "PAK"}) + "," + scSite("cnw", "warehouse", [2]string{scCode, "CN"})
	MustCapture(t, svc, siteConflictDoc(sites))
	for _, c := range []struct {
		name, lot, site, ilmd, field string
		wants                        []string
	}{
		{"cm:originCountry at a mine of another country", "R1", "cn", scStatePAK, "/ilmd/cm:originCountry",
			[]string{"cm:originCountry PAK", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn"}},
		{"cm:originMine at a mine of another country", "R2", "cn", `"cm:originMine": "urn:t:site:pk",`, "/ilmd/cm:originMine",
			[]string{"cm:originMine urn:t:site:pk", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn"}},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(siteConflictDoc(sites, [3]string{c.lot, c.site, c.ilmd}))})
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) != 1 || !strings.HasSuffix(fs[0].Pointer, c.field) {
			t.Errorf("%s: capture %v %+v, want one EINVALID field at %s", c.name, err, fs, c.field)
		} else {
			for _, w := range c.wants {
				if !strings.Contains(fs[0].Reason, w) {
					t.Errorf("%s: %q does not name %q", c.name, fs[0].Reason, w)
				}
			}
		}
		if _, err := s.FindLot(ctx, "urn:t:lot:SC"+c.lot); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: refused capture stored lot %s (%v)", c.name, c.lot, err)
		}
	}
	MustStoreUnchecked(t, s, siteConflictDoc(sites, [3]string{"X", "cn", scStatePAK}))
	MustCapture(t, svc, siteConflictDoc(sites, [3]string{"A", "cnw", scStatePAK}, [3]string{"M", "pk", `"cm:originMine": "urn:t:site:pk",`}))
	MustCapture(t, svc, migrationDoc(`{"type": "TransformationEvent", "eventID": "urn:t:sc:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:SCA", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:SCM", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:SCX", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:SCP", "quantity": 30, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cnw"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`))

	tr, err := custody.TraceLot(ctx, s.(custody.Store), "urn:t:lot:SCP", custody.Backward, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		country string
		flags   []string
	}{
		"urn:t:lot:SCA": {"PAK", []string{"commissioning_country_differs"}},
		"urn:t:lot:SCM": {"PAK", nil},
		"urn:t:lot:SCX": {custody.Unknown, []string{"origin_conflict"}},
		"urn:t:lot:SCP": {"", []string{"origin_conflict", "commissioning_country_differs"}},
	}
	seen := 0
	for _, n := range tr.Nodes {
		w, ok := want[n.ID]
		if !ok {
			continue
		}
		seen++
		if n.Country != w.country || !slices.Equal(n.Flags, w.flags) {
			t.Errorf("trace node %s: country %q flags %v, want %q %v", n.ID, n.Country, n.Flags, w.country, w.flags)
		}
		c, err := custody.OriginOf(ctx, s, n.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if c.Country() != n.Country {
			t.Errorf("trace node %s: country %q, the origin function's %q", n.ID, n.Country, c.Country())
		}
	}
	if seen != len(want) {
		t.Errorf("trace %+v: %d of the %d lots", tr.Nodes, seen, len(want))
	}
}
