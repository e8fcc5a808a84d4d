package storetest

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// siteConflictDoc is a document whose master data describes sites and
// whose events commission 10 t lots (moisture 0, Nd 4 % dry: 0.4 t of Nd)
// at them, each "id@site" stating origin (its ILMD's origin terms).
func siteConflictDoc(sites string, lots ...[3]string) string {
	var evs []string
	for _, l := range lots {
		evs = append(evs, `{"type": "ObjectEvent", "eventID": "urn:t:sc:`+l[0]+`", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		 "quantityList": [{"epcClass": "urn:t:lot:SC`+l[0]+`", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:`+l[1]+`"}, "bizLocation": {"id": "urn:t:site:`+l[1]+`"},
		 "ilmd": {"cm:commodity": "ree_concentrate", `+l[2]+` "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + sites + `]}]}},
	 "epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`
}

// scSite is a site's master-data element: kind and country attributes.
func scSite(id, kind string, attrs ...[2]string) string {
	s := `{"id": "urn:t:site:` + id + `", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "` + kind + `"}`
	for _, a := range attrs {
		s += `, {"id": "` + a[0] + `", "attribute": "` + a[1] + `"}`
	}
	return s + `]}`
}

const (
	scCountry  = "https://ns.critmin.org/mineral/v1/country"
	scCode     = "urn:epcglobal:cbv:mda#countryCode"
	scLocode   = "https://ns.critmin.org/mineral/v1/unLocode"
	scStatePAK = `"cm:originCountry": "PAK",`
)

// testSiteCountryConflict (issue 9 §5, fixBb): a site whose master data
// gives two countries — a mine with cm:country PAK and countryCode CN —
// is read as in neither, never as the friendlier one.
//
// Capture refuses such master data (EINVALID naming both attributes and
// values) and stores nothing of the document, for cm:country against
// countryCode and countryCode against the UN/LOCODE's country (CN beside
// PKKHI).
//
// Stored before the check (MustStoreUnchecked), mine mx (cm:country PAK,
// countryCode CN) has no country and its conflict named. Every lot is
// 10 t dry at Nd 4 % (0.4 t of Nd):
//   - X, stated PAK, commissioned at mx: unknown 10 t / 10 t = 100 % by
//     dry mass and 0.4 / 0.4 t = 100 % of its Nd, origin_conflict naming
//     X, mx, both attributes and the event; DFARS fails; the one origin
//     country every view prints is "unknown", the headline flagged
//     origin_conflict (it read Pakistan 100 %, DFARS passing);
//   - U, stating nothing, commissioned at mx: unknown 100 %, flagged;
//   - W, stated PAK, commissioned at cnw (a warehouse in China): Pakistan
//     100 %, flagged commissioning_country_differs, CommissionedIn CHN;
//   - D, stated PAK at the Pakistani mine pk: Pakistan 100 %, no flag;
//   - P, run R's blend of X and D, 20 t: unknown 10 / 20 t = 50 % and
//     Pakistan 50 %, read from the mix kept at capture and on demand
//     alike, flagged origin_conflict; its origin country is "" (a blend
//     of two: the headline gives the shares).
func testSiteCountryConflict(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	for _, c := range []struct {
		name  string
		attrs [][2]string
		wants []string
	}{
		{"country and countryCode", [][2]string{{scCountry, "PAK"}, {scCode, "CN"}}, []string{"cm:country PAK", "countryCode CN (CHN)", "urn:t:site:mr"}},
		{"countryCode and UN/LOCODE", [][2]string{{scCode, "CN"}, {scLocode, "PKKHI"}}, []string{"countryCode CN (CHN)", "cm:unLocode PKKHI (PAK)", "urn:t:site:mr"}},
	} {
		doc := siteConflictDoc(scSite("mr", "mine", c.attrs...), [3]string{"R0", "mr", scStatePAK})
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) != 1 {
			t.Errorf("%s: capture %v %+v, want one EINVALID field", c.name, err, fs)
		} else {
			for _, w := range c.wants {
				if !strings.Contains(fs[0].Reason, w) {
					t.Errorf("%s: %q does not name %q", c.name, fs[0].Reason, w)
				}
			}
		}
		if _, err := s.FindLot(ctx, "urn:t:lot:SCR0"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: refused capture stored lot R0 (%v)", c.name, err)
		}
		sites, err := s.SiteDetails(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range sites {
			if st.ID == "urn:t:site:mr" {
				t.Errorf("%s: refused capture stored the site's master data %+v", c.name, st)
			}
		}
	}
	// Agreeing attributes pass: cm:country PAK beside countryCode PK.
	MustCapture(t, svc, siteConflictDoc(scSite("ok", "mine", [2]string{scCountry, "PAK"}, [2]string{scCode, "PK"}, [2]string{scLocode, "PKKHI"})))

	MustStoreUnchecked(t, s, siteConflictDoc(scSite("mx", "mine", [2]string{scCountry, "PAK"}, [2]string{scCode, "CN"}), [3]string{"X", "mx", scStatePAK}))
	MustCapture(t, svc, siteConflictDoc(scSite("cnw", "warehouse", [2]string{scCode, "CN"})+","+scSite("pk", "mine", [2]string{scCode, "PK"}),
		[3]string{"U", "mx", ""}, [3]string{"W", "cnw", scStatePAK}, [3]string{"D", "pk", scStatePAK}))
	MustCapture(t, svc, migrationDoc(`{"type": "TransformationEvent", "eventID": "urn:t:sc:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:SCX", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:SCD", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:SCP", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`))

	sites, err := s.SiteDetails(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, st := range sites {
		if st.ID == "urn:t:site:mx" {
			found = true
			if st.Country != "" || !strings.Contains(st.CountryConflict, "cm:country PAK") || !strings.Contains(st.CountryConflict, "countryCode CN") {
				t.Errorf("mx: country %q, conflict %q; want none, the conflict naming both attributes", st.Country, st.CountryConflict)
			}
		}
	}
	if !found {
		t.Fatal("mx: stored master data not read")
	}

	shareOf := func(list []custody.Share, key string) float64 {
		for _, sh := range list {
			if sh.Key == key {
				return sh.Share
			}
		}
		return 0
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	type want struct {
		lot             string
		unknown, pak    float64 // share by dry mass and of Nd
		country         string  // Composition.Country
		flags           []string
		conflictNames   []string
		commissionedIn  []string
		dfarsPassesWant bool
	}
	var lots []*critmin.Lot
	wants := []want{
		{"X", 1, 0, custody.Unknown, []string{"origin_conflict"}, []string{"urn:t:lot:SCX", "urn:t:site:mx", "cm:country PAK", "countryCode CN", "urn:t:sc:X"}, nil, false},
		{"U", 1, 0, custody.Unknown, []string{"origin_conflict"}, []string{"urn:t:lot:SCU", "urn:t:site:mx", "cm:country PAK", "countryCode CN", "urn:t:sc:U"}, nil, false},
		{"W", 0, 1, "PAK", []string{"commissioning_country_differs"}, nil, []string{"CHN"}, false},
		{"D", 0, 1, "PAK", nil, nil, nil, true},
		{"P", 0.5, 0.5, "", []string{"origin_conflict"}, []string{"urn:t:lot:SCX", "urn:t:site:mx"}, nil, false},
	}
	for _, w := range wants {
		id := "urn:t:lot:SC" + w.lot
		l, err := s.FindLot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		lots = append(lots, l)
		for _, evidence := range []bool{false, true} { // false reads P's kept mix
			o, err := custody.OriginOf(ctx, s, id, evidence)
			if err != nil {
				t.Fatal(err)
			}
			if !near(shareOf(o.Mass.ByCountry, custody.Unknown), w.unknown) || !near(shareOf(o.Mass.ByCountry, "PAK"), w.pak) ||
				!near(shareOf(o.Elements["Nd"].ByCountry, custody.Unknown), w.unknown) || !near(shareOf(o.Elements["Nd"].ByCountry, "PAK"), w.pak) {
				t.Errorf("%s (evidence %v): mass %+v, Nd %+v; want unknown %v, Pakistan %v", w.lot, evidence, o.Mass.ByCountry, o.Elements["Nd"].ByCountry, w.unknown, w.pak)
			}
			if got := o.Country(); got != w.country {
				t.Errorf("%s (evidence %v): origin country %q, want %q", w.lot, evidence, got, w.country)
			}
			h := o.Headline()
			if !slices.Equal(h.Flags, w.flags) {
				t.Errorf("%s (evidence %v): headline flags %v, want %v (%q)", w.lot, evidence, h.Flags, w.flags, h.Text)
			}
			for _, f := range w.flags {
				if !strings.Contains(h.Text, strings.ReplaceAll(f, "_", " ")) {
					t.Errorf("%s (evidence %v): headline %q does not say %q", w.lot, evidence, h.Text, f)
				}
			}
			if !slices.Equal(o.CommissionedIn, w.commissionedIn) {
				t.Errorf("%s (evidence %v): commissioned in %v, want %v", w.lot, evidence, o.CommissionedIn, w.commissionedIn)
			}
			if w.conflictNames != nil {
				ok := false
				for _, a := range o.Anomalies {
					if a.Kind != "origin_conflict" {
						continue
					}
					all := true
					for _, n := range w.conflictNames {
						all = all && strings.Contains(a.Detail, n)
					}
					ok = ok || all
				}
				if !ok {
					t.Errorf("%s (evidence %v): anomalies %+v, want origin_conflict naming %v", w.lot, evidence, o.Anomalies, w.conflictNames)
				}
			}
		}
		vs, err := custody.Evaluate(ctx, s.(custody.RuleStore), id, custody.DefaultPack())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Rule == "dfars-covered-countries" && (v.Status == custody.Pass) != w.dfarsPassesWant {
				t.Errorf("%s: DFARS %s (%s), want pass %v", w.lot, v.Status, v.Detail, w.dfarsPassesWant)
			}
		}
	}
	// The lists read the same origin function (custody.Origins).
	all, err := custody.Origins(ctx, s, lots)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wants {
		c := all["urn:t:lot:SC"+w.lot]
		if c == nil || c.Country() != w.country || !slices.Equal(c.Headline().Flags, w.flags) {
			t.Errorf("%s in a list: %+v, want country %q, flags %v", w.lot, c, w.country, w.flags)
		}
	}
}
