package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// sfRun is run R<id> at site: lot SC<in> (10 t) made into lot SC<out>.
func sfRun(id, site, in, out string) string {
	return migrationDoc(`{"type": "TransformationEvent", "eventID": "urn:t:sf:` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:SC` + in + `", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:SC` + out + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:` + site + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`)
}

// sfDFARS is lot id's dfars-covered-countries verdict.
func sfDFARS(t *testing.T, s critmin.Store, id string) custody.Verdict {
	t.Helper()
	vs, err := custody.Evaluate(context.Background(), s.(custody.RuleStore), id, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == "dfars-covered-countries" {
			return v
		}
	}
	t.Fatalf("%s: no dfars-covered-countries verdict", id)
	return custody.Verdict{}
}

// testSiteCountryFixed: a site does not move (DFARS 252.225-7052 reads
// where material was mined and processed, a physical fact; EPCIS 2.0 §8
// master data describes the location, it does not relocate what was
// recorded there). Lots are 10 t dry, Nd 4 % (0.4 t of Nd).
//
// Capture: pk is a mine in Pakistan, cn a refinery in China (countryCode
// CN). Lot A (stated PAK) commissioned at pk is run at cn (event
// urn:t:sf:R) into OC: DFARS fails (processed at cn in China). A
// document with no events, only master data giving cn countryCode US, is
// refused 409 naming cn, countryCode, CHN and USA and the event R;
// nothing is stored (cn keeps one version, CHN; OC still fails). The
// same for siteKind refinery -> warehouse at cn, and for mine mx
// (countryCode CN, lot M commissioned there stating nothing) resent as
// PK. Allowed: changing the country of site free, at which no event is
// recorded; setting the country of site bare, where an event is recorded
// but no country was.
//
// Stored before the rule (MustStoreUnchecked): cn2 CN -> US after run R2
// made OC2, mx2 CN -> PK after lot M2 was commissioned there. OC2's DFARS
// fails naming cn2, China and the change; M2's origin is unknown 100 %
// with origin_conflict naming mx2 and the change, and DFARS fails;
// verify reports both sites (SiteProblem).
func testSiteCountryFixed(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, siteConflictDoc(scSite("pk", "mine", [2]string{scCode, "PK"})+","+scSite("cn", "refinery", [2]string{scCode, "CN"})+","+
		scSite("mx", "mine", [2]string{scCode, "CN"})+","+scSite("free", "warehouse", [2]string{scCode, "CN"})+","+scSite("bare", "warehouse"),
		[3]string{"A", "pk", scStatePAK}, [3]string{"M", "mx", ""}, [3]string{"B", "bare", scStatePAK}))
	MustCapture(t, svc, sfRun("R", "cn", "A", "OC"))
	if v := sfDFARS(t, s, "urn:t:lot:SCOC"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:cn") {
		t.Fatalf("OC before: DFARS %s (%s), want fail at cn", v.Status, v.Detail)
	}
	for _, c := range []struct {
		name, site string
		wants      []string
	}{
		{"refinery country", scSite("cn", "refinery", [2]string{scCode, "US"}), []string{"urn:t:site:cn", "countryCode", "CHN", "USA", "urn:t:sf:R"}},
		{"refinery kind", scSite("cn", "warehouse", [2]string{scCode, "CN"}), []string{"urn:t:site:cn", "siteKind", "refinery", "warehouse", "urn:t:sf:R"}},
		{"mine country", scSite("mx", "mine", [2]string{scCode, "PK"}), []string{"urn:t:site:mx", "countryCode", "CHN", "PAK", "urn:t:sc:M"}},
		{"mine country removed", scSite("mx", "mine"), []string{"urn:t:site:mx", "countryCode", "CHN", "urn:t:sc:M"}},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(siteConflictDoc(c.site))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("%s: capture %v, want ECONFLICT (409)", c.name, err)
			continue
		}
		// The advice is one that works: declaring the events in error
		// does not free the site (nu12), a new location identifier does.
		for _, w := range append(c.wants, "new location identifier") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not name %q", c.name, err.Error(), w)
			}
		}
	}
	// Nothing of the refused documents was stored.
	for _, id := range []string{"cn", "mx"} {
		h, err := s.MasterDataHistory(ctx, "urn:epcglobal:epcis:vtype:BusinessLocation", "urn:t:site:"+id)
		if err != nil || len(h) != 1 {
			t.Errorf("%s: %d versions (%v), want the one captured", id, len(h), err)
		}
	}
	if v := sfDFARS(t, s, "urn:t:lot:SCOC"); v.Status != custody.Fail {
		t.Errorf("OC after the refusals: DFARS %s (%s), want fail", v.Status, v.Detail)
	}
	// Allowed: a site no event references changes; a site gains the
	// country it never had.
	MustCapture(t, svc, siteConflictDoc(scSite("free", "warehouse", [2]string{scCode, "US"})+","+scSite("bare", "warehouse", [2]string{scCode, "PK"})))
	// The same description again is no change.
	MustCapture(t, svc, siteConflictDoc(scSite("cn", "refinery", [2]string{scCode, "CN"})))

	// Stored before the rule.
	s2 := open(t)
	svc2 := service(s2)
	MustCapture(t, svc2, siteConflictDoc(scSite("pk", "mine", [2]string{scCode, "PK"})+","+scSite("cn2", "refinery", [2]string{scCode, "CN"})+","+scSite("mx2", "mine", [2]string{scCode, "CN"}),
		[3]string{"A", "pk", scStatePAK}, [3]string{"M2", "mx2", ""}))
	MustCapture(t, svc2, sfRun("R2", "cn2", "A", "OC2"))
	MustStoreUnchecked(t, s2, siteConflictDoc(scSite("cn2", "refinery", [2]string{scCode, "US"})+","+scSite("mx2", "mine", [2]string{scCode, "PK"})))
	if v := sfDFARS(t, s2, "urn:t:lot:SCOC2"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:cn2") || !strings.Contains(v.Detail, "China") || !strings.Contains(v.Detail, "USA") {
		t.Errorf("OC2: DFARS %s (%s), want fail naming cn2 in China and the change to USA", v.Status, v.Detail)
	}
	if v := sfDFARS(t, s2, "urn:t:lot:SCM2"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:mx2") || !strings.Contains(v.Detail, "CHN") || !strings.Contains(v.Detail, "PAK") {
		t.Errorf("M2: DFARS %s (%s), want fail naming mx2 and the change CHN -> PAK", v.Status, v.Detail)
	}
	for _, evidence := range []bool{false, true} {
		o, err := custody.OriginOf(ctx, s2, "urn:t:lot:SCM2", evidence)
		if err != nil {
			t.Fatal(err)
		}
		// 10 t of 10 t unknown: 100 %.
		if got := o.Country(); got != custody.Unknown {
			t.Errorf("M2 (evidence %v): origin country %q, want unknown", evidence, got)
		}
		ok := false
		for _, a := range o.Anomalies {
			ok = ok || a.Kind == "origin_conflict" && strings.Contains(a.Detail, "urn:t:site:mx2") && strings.Contains(a.Detail, "CHN") && strings.Contains(a.Detail, "PAK")
		}
		if !ok {
			t.Errorf("M2 (evidence %v): anomalies %+v, want origin_conflict naming mx2 and its change", evidence, o.Anomalies)
		}
	}
	for _, full := range []bool{false, true} {
		rep := verifyFull(t, s2, nil, full)
		if rep.OK() || !strings.Contains(rep.SiteProblem, "urn:t:site:cn2") || !strings.Contains(rep.SiteProblem, "urn:t:site:mx2") {
			t.Errorf("verify (rebuild %v): %+v; want SiteProblem naming cn2 and mx2", full, rep.SiteProblem)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("verify of the checked store: %+v %+v %q", rep.Problem, rep.Difference, rep.SiteProblem)
	}
}
