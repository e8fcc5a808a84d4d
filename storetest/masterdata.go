package storetest

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// masterDoc is a document whose header carries a site hierarchy, region →
// mine → (pit, weighbridge), with attributes, and whose events happen at
// each place. The weighbridge is named in master data by its SGLN URN and
// in the event by the GS1 Digital Link URI of the same GLN, so that WD_
// must match identifiers in their canonical form.
func masterDoc(region, mineName string, withChildren bool) string {
	mineChildren := `"children": ["urn:critmin:site:pit-1", "urn:epc:id:sgln:0614141.00777.0"],`
	if !withChildren {
		mineChildren = ""
	}
	ev := func(n int, loc string) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:uuid:7a000000-0000-4000-8000-00000000000%d", "eventTime": "2025-09-2%dT08:00:00Z", "eventTimeZoneOffset": "+05:00",
			"action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"], "bizStep": "inspecting", "readPoint": {"id": "%s"}, "bizLocation": {"id": "%s"}}`, n, n, n, loc, loc)
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://critmin.example/md/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-20T00:00:00Z",
	"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
		{"id": "` + region + `", "attributes": [{"id": "cbvmda:name", "attribute": "Region"}], "children": ["urn:critmin:site:mine-1"]},
		{"id": "urn:critmin:site:mine-1", ` + mineChildren + ` "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "` + mineName + `"}, {"id": "cm:siteKind", "attribute": "mine"}, {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}]},
		{"id": "urn:critmin:site:pit-1", "attributes": [{"id": "cm:siteKind", "attribute": "pit"}]},
		{"id": "urn:epc:id:sgln:0614141.00777.0", "attributes": [{"id": "cm:siteKind", "attribute": "weighbridge"}]},
		{"id": "urn:critmin:site:port", "attributes": [{"id": "https://critmin.example/md/siteKind", "attribute": "port"}, {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}]}
	]}]}},
	"epcisBody": {"eventList": [` + strings.Join([]string{
		ev(1, "urn:critmin:site:mine-1"), ev(2, "urn:critmin:site:pit-1"), ev(3, "https://id.gs1.org/414/0614141007776"), ev(4, "urn:critmin:site:port"), ev(5, "urn:critmin:site:elsewhere"),
	}, ", ") + `]}}`
}

// findIDs runs a query and returns the last digit of each eventID, sorted.
func findIDs(t *testing.T, s critmin.Store, query string) []string {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	f, err := epcis.ParseQueryWith(q, func() (map[string][]string, error) { return s.DeclaredPrefixes(context.Background()) })
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	page, err := s.FindEvents(context.Background(), f)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out := []string{}
	for _, ev := range page.Events {
		out = append(out, ev.EventID[len(ev.EventID)-1:])
	}
	sort.Strings(out)
	return out
}

// testMasterDataQueries checks WD_readPoint, WD_bizLocation, HASATTR_ and
// EQ_ATTR_ (EPCIS 2.0 §8.2.7.1) against events that should and should not
// match, then that verify rebuilds the master-data tables.
func testMasterDataQueries(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, masterDoc("urn:critmin:site:region", "Mine One", true))
	cases := []struct {
		query string
		want  []string
	}{
		// Region → mine-1 → pit-1 and the weighbridge (SGLN in master data,
		// Digital Link in the event); the port and "elsewhere" are outside.
		{"WD_bizLocation=urn:critmin:site:region", []string{"1", "2", "3"}},
		{"WD_readPoint=urn:critmin:site:region", []string{"1", "2", "3"}},
		{"WD_bizLocation=urn:critmin:site:mine-1", []string{"1", "2", "3"}},
		{"WD_bizLocation=urn:critmin:site:pit-1", []string{"2"}},
		// The value itself matches even with no master data.
		{"WD_bizLocation=urn:critmin:site:elsewhere", []string{"5"}},
		{"WD_bizLocation=urn:critmin:site:pit-1|urn:critmin:site:port", []string{"2", "4"}},
		// The weighbridge asked for by its Digital Link URI.
		{"WD_readPoint=https://id.gs1.org/414/0614141007776", []string{"3"}},
		// HASATTR_: any element with a siteKind (not "elsewhere", not the
		// region, which has only a name).
		{"HASATTR_bizLocation=cm:siteKind", []string{"1", "2", "3", "4"}},
		{"HASATTR_readPoint=urn:epcglobal:cbv:mda:countryCode", []string{"1", "4"}},
		// cbvmda:, urn:…mda# and urn:…mda: spellings are one attribute.
		{"HASATTR_bizLocation=cbvmda:countryCode", []string{"1", "4"}},
		{"EQ_ATTR_bizLocation_cm:siteKind=pit|weighbridge", []string{"2", "3"}},
		{"EQ_ATTR_bizLocation_urn:epcglobal:cbv:mda:countryCode=PK", []string{"1", "4"}},
		{"EQ_ATTR_readPoint_cbvmda:name=Mine One", []string{"1"}},
		{"EQ_ATTR_bizLocation_cm:siteKind=refinery", []string{}},
		// Attribute names compare as IRIs (EPCIS 2.0 §7.2): the port's
		// siteKind was captured as the full IRI, the others as the CURIE
		// cm:siteKind with "cm" = https://critmin.example/md/; either
		// spelling in the query finds both.
		{"EQ_ATTR_bizLocation_cm:siteKind=port", []string{"4"}},
		{"EQ_ATTR_bizLocation_https://critmin.example/md/siteKind=pit|port", []string{"2", "4"}},
		{"HASATTR_bizLocation=https://critmin.example/md/siteKind", []string{"1", "2", "3", "4"}},
		// Combined with another condition (AND).
		{"WD_bizLocation=urn:critmin:site:mine-1&EQ_ATTR_bizLocation_cm:siteKind=weighbridge", []string{"3"}},
	}
	for _, c := range cases {
		if got := findIDs(t, s, c.query); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: events %v, want %v", c.query, got, c.want)
		}
	}
	// An unknown prefix in an attribute name is refused, naming the
	// parameter, not a silent empty result.
	for _, bad := range []string{"WD_bizStep=shipping", "HASATTR_epc=x", "EQ_ATTR_bizLocation=x", "EQ_ATTR_parentID_name=x",
		"HASATTR_bizLocation=zz:siteKind", "EQ_ATTR_bizLocation_zz:siteKind=port"} {
		q, _ := url.ParseQuery(bad)
		_, err := epcis.ParseQueryWith(q, func() (map[string][]string, error) { return s.DeclaredPrefixes(context.Background()) })
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", bad, err)
		}
		if name, _, _ := strings.Cut(bad, "="); err != nil && !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name %s", bad, err, name)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after master data: %+v %+v", rep.Problem, rep.Difference)
	}
}

// testMasterDataVersions captures an element twice: the second capture's
// version replaces the first from its record time on (attributes and
// children as a whole), both versions are kept with their record times,
// the WD_ hierarchy and the site view follow the current version, and
// verify rebuilds every version.
func testMasterDataVersions(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	t1 := time.Date(2025, 9, 30, 10, 0, 0, 123456789, time.UTC)
	t2 := time.Date(2025, 10, 1, 11, 30, 0, 0, time.UTC)
	now := t1
	svc.Now = func() time.Time { return now }
	MustCapture(t, svc, masterDoc("urn:critmin:site:region", "Mine One", true))
	now = t2
	// The same events again (duplicates, skipped) with new master data:
	// mine-1 renamed and without children.
	MustCapture(t, svc, masterDoc("urn:critmin:site:region", "Mine One (renamed)", false))

	h, err := s.MasterDataHistory(context.Background(), "urn:epcglobal:epcis:vtype:BusinessLocation", "urn:critmin:site:mine-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 {
		t.Fatalf("%d versions of mine-1, want 2: %+v", len(h), h)
	}
	// Record times are the captures' to the millisecond: 10:00:00.123.
	if !h[0].RecordTime.Equal(t1.Truncate(time.Millisecond)) || !h[1].RecordTime.Equal(t2) {
		t.Errorf("version times %v, %v; want %v, %v", h[0].RecordTime, h[1].RecordTime, t1.Truncate(time.Millisecond), t2)
	}
	if got := h[0].Attributes["urn:epcglobal:cbv:mda#name"]; got != "Mine One" {
		t.Errorf("first version name %q", got)
	}
	if got := h[1].Attributes["urn:epcglobal:cbv:mda#name"]; got != "Mine One (renamed)" {
		t.Errorf("second version name %q", got)
	}
	if want := []string{"urn:critmin:site:pit-1", "urn:epc:id:sgln:0614141.00777.0"}; !reflect.DeepEqual(h[0].Children, want) || h[1].Children != nil {
		t.Errorf("children %v then %v; want %v then none", h[0].Children, h[1].Children, want)
	}
	if _, err := s.MasterDataHistory(context.Background(), "urn:epcglobal:epcis:vtype:BusinessLocation", "urn:critmin:site:nowhere"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("history of an unknown element: %v, want ENOTFOUND", err)
	}
	// The current version drives queries: mine-1 has no children now, the
	// region still has mine-1.
	if got := findIDs(t, s, "WD_bizLocation=urn:critmin:site:region"); !reflect.DeepEqual(got, []string{"1"}) {
		t.Errorf("WD_ after the hierarchy changed: %v, want [1]", got)
	}
	if got := findIDs(t, s, "EQ_ATTR_bizLocation_cbvmda:name=Mine One"); len(got) != 0 {
		t.Errorf("the old name still matches: %v", got)
	}
	if got := findIDs(t, s, "EQ_ATTR_bizLocation_cbvmda:name=Mine One (renamed)"); !reflect.DeepEqual(got, []string{"1"}) {
		t.Errorf("the new name: %v, want [1]", got)
	}
	sites, err := s.FindSites(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, site := range sites {
		if site.ID == "urn:critmin:site:mine-1" {
			found = true
			if site.Name != "Mine One (renamed)" || site.Country != "PAK" || site.Kind != "mine" {
				t.Errorf("site view of mine-1: %+v", site)
			}
		}
	}
	if !found {
		t.Error("mine-1 not among the sites")
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after two versions: %+v %+v", rep.Problem, rep.Difference)
	}
}
