package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// barrierSites is a store whose first two SiteDetails calls each wait
// (up to 5 s) until both are made: two captures then both read the
// stored sites before either writes — the race a check made only before
// the capture transaction loses.
type barrierSites struct {
	critmin.Store
	mu    sync.Mutex
	n     int
	ready chan struct{}
}

func (b *barrierSites) SiteDetails(ctx context.Context) ([]*critmin.Site, error) {
	b.mu.Lock()
	b.n++
	n := b.n
	if n == 2 {
		close(b.ready)
	}
	b.mu.Unlock()
	if n <= 2 {
		select {
		case <-b.ready:
		case <-time.After(5 * time.Second):
		}
	}
	return b.Store.SiteDetails(ctx)
}

// testSiteFixedInTransaction (mdcountry, leftovers 3 and 4): the check
// that a site does not move (ledger.checkSiteFixed) runs in the capture
// transaction, and the preview applies it.
//
// Site bare (a warehouse of no country) holds lot B's commissioning. Two
// captures at once, each of master data only, give bare countryCode CN
// and countryCode US: each is allowed alone (setting a country the site
// never had), but not both — the second would move bare with B recorded
// there. Both read the stored sites before either writes (barrierSites);
// exactly one is stored, the other refused 409 (ECONFLICT) naming bare
// and B; bare has two versions (none, then the winner's country) and
// verify finds nothing wrong. The same for a streamed capture (Reader).
//
// Validate (the operator forms' and CSV import's dry run) of master data
// moving refinery cn (CN, run R recorded there) to US is refused as the
// capture is: 409 naming cn, CHN, USA and R; nothing stored.
func testSiteFixedInTransaction(t *testing.T, open Opener) {
	ctx := context.Background()
	for _, streamed := range []bool{false, true} {
		s := open(t)
		MustCapture(t, service(s), siteConflictDoc(scSite("pk", "mine", [2]string{scCode, "PK"})+","+scSite("bare", "warehouse"),
			[3]string{"B", "bare", scStatePAK}))
		b := &barrierSites{Store: s, ready: make(chan struct{})}
		svc := ledger.NewService(b)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, code := range []string{"CN", "US"} {
			wg.Add(1)
			go func(i int, code string) {
				defer wg.Done()
				body := siteConflictDoc(scSite("bare", "warehouse", [2]string{scCode, code}))
				req := ledger.CaptureRequest{Body: []byte(body)}
				if streamed {
					req = ledger.CaptureRequest{Reader: strings.NewReader(body)}
				}
				_, errs[i] = svc.Capture(ctx, req)
			}(i, code)
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:site:bare") || !strings.Contains(err.Error(), "urn:t:sc:B"):
				t.Errorf("streamed %v: capture %d: %v; want stored, or ECONFLICT (409) naming bare and event B", streamed, i, err)
			}
		}
		if won != 1 {
			t.Errorf("streamed %v: %d captures stored (%v), want exactly 1", streamed, won, errs)
		}
		h, err := s.MasterDataHistory(ctx, "urn:epcglobal:epcis:vtype:BusinessLocation", "urn:t:site:bare")
		if err != nil || len(h) != 2 {
			t.Errorf("streamed %v: bare has %d versions (%v), want 2: none, then one country", streamed, len(h), err)
		}
		if rep := verifyFull(t, s, nil, false); !rep.OK() {
			t.Errorf("streamed %v: verify: %+v %q", streamed, rep.Problem, rep.SiteProblem)
		}
	}

	s := open(t)
	svc := service(s)
	MustCapture(t, svc, siteConflictDoc(scSite("pk", "mine", [2]string{scCode, "PK"})+","+scSite("cn", "refinery", [2]string{scCode, "CN"}),
		[3]string{"A", "pk", scStatePAK}))
	MustCapture(t, svc, sfRun("R", "cn", "A", "OC"))
	_, err := svc.Validate(ctx, []byte(siteConflictDoc(scSite("cn", "refinery", [2]string{scCode, "US"}))))
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("validate: %v, want ECONFLICT (409)", err)
	}
	for _, w := range []string{"urn:t:site:cn", "CHN", "USA", "urn:t:sf:R"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("validate: %q does not name %q", err.Error(), w)
		}
	}
	// The same document without the change previews valid.
	if errs, err := svc.Validate(ctx, []byte(siteConflictDoc(scSite("cn", "refinery", [2]string{scCode, "CN"})))); err != nil || !allNil(errs) {
		t.Errorf("validate of the unchanged site: %v %v, want valid", errs, err)
	}
	if h, err := s.MasterDataHistory(ctx, "urn:epcglobal:epcis:vtype:BusinessLocation", "urn:t:site:cn"); err != nil || len(h) != 1 {
		t.Errorf("cn: %d versions (%v) after the previews, want 1", len(h), err)
	}
}

func allNil(errs [][]critmin.FieldError) bool {
	for _, e := range errs {
		if e != nil {
			return false
		}
	}
	return true
}

// scCert is a site's master-data element with a certification valid
// from to until (dates, inclusive).
func scCert(id, kind, code, cert, from, until string) string {
	return scSite(id, kind, [2]string{scCode, code}, [2]string{"https://ns.critmin.org/mineral/v1/certification", cert},
		[2]string{"https://ns.critmin.org/mineral/v1/certificationValidFrom", from}, [2]string{"https://ns.critmin.org/mineral/v1/certificationValidUntil", until})
}

// verdictOf is lot id's verdict of rule (the default pack).
func verdictOf(t *testing.T, s critmin.Store, id, rule string) custody.Verdict {
	t.Helper()
	vs, err := custody.Evaluate(context.Background(), s.(custody.RuleStore), id, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == rule {
			return v
		}
	}
	t.Fatalf("%s: no %s verdict", id, rule)
	return custody.Verdict{}
}

// testSiteKindConservative (mdcountry, leftover 1): a site-kind change a
// store holds from before capture refused it (MustStoreUnchecked) is read
// the covered way: a site ever recorded as a mine or a refinery counts
// as one where that makes a rule fail, and as no mine where it would
// give an origin. Lots are 10 t dry, Nd 4 %.
//
//   - site-certification (default pack: kinds mine and refinery): lot A,
//     commissioned at mine pk (PK, certified RMAP-1 for 2025) and run by
//     R at refinery cn (CN, no certification) into OC, fails naming cn.
//     cn relabelled warehouse: before, only the certified mine was
//     checked and OC passed; it still fails naming cn.
//   - mine mk (AU) with lot K stating PAK commissioned there (stored
//     unchecked: capture refuses it): origin unknown, origin_conflict (a
//     mine in Australia contradicts PAK).
//     mk relabelled warehouse: before, K read Pakistan 100 % (flagged
//     only commissioning_country_differs); still origin_conflict,
//     unknown 100 % (10 t of 10 t).
//     A new lot K2 stating PAK commissioned at mk is refused (400), as
//     at a mine (it was stored).
//   - warehouse wu (AU), lot U stating nothing commissioned there, then
//     wu relabelled mine: U's origin stays unknown (commissioned_not_at_
//     mine), never Australia 100 % from a site that was a warehouse when
//     U was recorded there.
//
// verify reports the three sites (SiteProblem).
func testSiteKindConservative(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, siteConflictDoc(scCert("pk", "mine", "PK", "RMAP-1", "2025-01-01", "2025-12-31")+","+scSite("cn", "refinery", [2]string{scCode, "CN"})+","+
		scSite("wu", "warehouse", [2]string{scCode, "AU"}),
		[3]string{"A", "pk", scStatePAK}, [3]string{"U", "wu", ""}))
	// Capture refuses a lot stating PAK first recorded at a mine in
	// Australia (custody firstrecordorigin): stored as a record from
	// before that check.
	MustStoreUnchecked(t, s, siteConflictDoc(scSite("mk", "mine", [2]string{scCode, "AU"}), [3]string{"K", "mk", scStatePAK}))
	MustCapture(t, svc, sfRun("R", "cn", "A", "OC"))
	if v := verdictOf(t, s, "urn:t:lot:SCOC", "site-certification"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:cn") {
		t.Fatalf("OC before: site-certification %s (%s), want fail naming cn", v.Status, v.Detail)
	}
	MustStoreUnchecked(t, s, siteConflictDoc(scSite("cn", "warehouse", [2]string{scCode, "CN"})+","+scSite("mk", "warehouse", [2]string{scCode, "AU"})+","+
		scSite("wu", "mine", [2]string{scCode, "AU"})))
	if v := verdictOf(t, s, "urn:t:lot:SCOC", "site-certification"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:cn") {
		t.Errorf("OC: site-certification %s (%s), want fail naming cn (a refinery relabelled warehouse)", v.Status, v.Detail)
	}
	for _, evidence := range []bool{false, true} {
		o, err := custody.OriginOf(ctx, s, "urn:t:lot:SCK", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Country(); got != custody.Unknown {
			t.Errorf("K (evidence %v): origin country %q, want unknown (stated PAK, first recorded at a mine in Australia)", evidence, got)
		}
		ok := false
		for _, a := range o.Anomalies {
			ok = ok || a.Kind == "origin_conflict" && strings.Contains(a.Detail, "urn:t:site:mk")
		}
		if !ok {
			t.Errorf("K (evidence %v): anomalies %+v, want origin_conflict naming mk", evidence, o.Anomalies)
		}
		u, err := custody.OriginOf(ctx, s, "urn:t:lot:SCU", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Country(); got != custody.Unknown {
			t.Errorf("U (evidence %v): origin country %q, want unknown (wu was a warehouse when U was recorded)", evidence, got)
		}
	}
	// A new lot stating PAK first recorded at mk is refused as at the
	// mine mk was (400 at its cm:originCountry, naming mk).
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(siteConflictDoc(scSite("pk", "mine", [2]string{scCode, "PK"}), [3]string{"K2", "mk", scStatePAK}))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "urn:t:site:mk") || !strings.Contains(err.Error(), "cm:originCountry") {
		t.Errorf("K2 stating PAK at mk: %v, want EINVALID (400) naming mk and cm:originCountry", err)
	}
	if v := sfDFARS(t, s, "urn:t:lot:SCK"); v.Status != custody.Fail {
		t.Errorf("K: DFARS %s (%s), want fail (origin unknown)", v.Status, v.Detail)
	}
	rep := verifyFull(t, s, nil, false)
	for _, w := range []string{"urn:t:site:cn", "urn:t:site:mk", "urn:t:site:wu"} {
		if !strings.Contains(rep.SiteProblem, w) {
			t.Errorf("verify: SiteProblem %q does not name %s", rep.SiteProblem, w)
		}
	}
}

// sfBlend is run id at site on date (2025-10-DD): lots SC<a> and SC<b>
// (10 t each) blended into SC<out> (20 t).
func sfBlend(id, site, day, a, b, out string) string {
	return migrationDoc(`{"type": "TransformationEvent", "eventID": "urn:t:sf:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:SC` + a + `", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:SC` + b + `", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:SC` + out + `", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:` + site + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`)
}

// sfModel is refinery id (countryCode CN) under custody model m.
func sfModel(id, m string) string {
	return scSite(id, "refinery", [2]string{scCode, "CN"}, [2]string{"https://ns.critmin.org/mineral/v1/custodyModel", m})
}

// modelOf is the custody model the origin of lot id applied at site
// (with evidence: the mix kept at capture lists none), and whether its
// anomalies hold custody_model at that site.
func modelOf(t *testing.T, s critmin.Store, id, site string, evidence bool) (string, bool) {
	t.Helper()
	o, err := custody.OriginOf(context.Background(), s, id, evidence)
	if err != nil {
		t.Fatal(err)
	}
	model := ""
	for _, m := range o.Models {
		if strings.Contains(m.Site, site) && m.Output == id {
			model = m.Model
		}
	}
	flagged := false
	for _, a := range o.Anomalies {
		flagged = flagged || a.Kind == "custody_model" && strings.Contains(a.Detail, site)
	}
	return model, flagged
}

// testSiteVersionsByTime (mdcountry, leftover 2): a site's custody model
// and certification may change over time (ISO 22095 lets a site change
// its chain-of-custody model; a certification is valid from one date to
// another), so each event is read under the master-data version in
// force when it was recorded, as cm:elementTolerance is — a later
// version never rewrites how an earlier run or handling reads.
//
// Lots are 10 t dry, Nd 4 %: A (stated PAK at mine pk), B (stated AUS at
// mine au), C (PAK at pk), D (AUS at au); pk and au certified RMAP for
// 2025.
//
//   - Refinery sg is segregated; run R1 (Oct 5) blends A and B into S1
//     (20 t: Pakistan 50 %, Australia 50 %): custody_model "runs
//     segregated but mixes origins". sg then becomes controlled_blending:
//     S1 still reads segregated, flagged (it read controlled_blending and
//     lost the flag). Run R2 (Oct 6) blends C and D into S2 after the
//     change: controlled_blending, no flag.
//   - Refinery nc has no certification when run R3 (Oct 5) makes N3 of
//     its lot; a version recorded later certifies nc for 2025-01-01 to
//     2025-12-31: N3's site-certification still fails naming nc (it
//     passed: the certification added later covered Oct 5 by its dates).
//     Run R4 (Oct 6) at nc after the certification: its product passes.
func testSiteVersionsByTime(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, siteConflictDoc(scCert("pk", "mine", "PK", "RMAP-1", "2025-01-01", "2025-12-31")+","+scCert("au", "mine", "AU", "RMAP-2", "2025-01-01", "2025-12-31")+","+
		sfModel("sg", "segregated")+","+scSite("nc", "refinery", [2]string{scCode, "CN"}),
		[3]string{"A", "pk", scStatePAK}, [3]string{"B", "au", `"cm:originCountry": "AUS",`}, [3]string{"C", "pk", scStatePAK}, [3]string{"D", "au", `"cm:originCountry": "AUS",`},
		[3]string{"E", "pk", scStatePAK}, [3]string{"F", "pk", scStatePAK}))
	MustCapture(t, svc, sfBlend("R1", "sg", "05", "A", "B", "S1"))
	MustCapture(t, svc, sfRun("R3", "nc", "E", "N3"))
	for _, ev := range []bool{false, true} {
		if m, flagged := modelOf(t, s, "urn:t:lot:SCS1", "sg", ev); ev && m != custody.Segregated || !flagged {
			t.Fatalf("S1 before (evidence %v): model %q, flagged %v; want segregated, flagged", ev, m, flagged)
		}
	}
	if v := verdictOf(t, s, "urn:t:lot:SCN3", "site-certification"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:nc") {
		t.Fatalf("N3 before: site-certification %s (%s), want fail naming nc", v.Status, v.Detail)
	}
	time.Sleep(2 * time.Millisecond) // the next versions are recorded after the runs
	MustCapture(t, svc, siteConflictDoc(sfModel("sg", "controlled_blending")+","+scCert("nc", "refinery", "CN", "RMAP-3", "2025-01-01", "2025-12-31")))
	time.Sleep(2 * time.Millisecond)
	MustCapture(t, svc, sfBlend("R2", "sg", "06", "C", "D", "S2"))
	MustCapture(t, svc, strings.Replace(sfRun("R4", "nc", "F", "N4"), "2025-10-05", "2025-10-06", 1))
	for _, ev := range []bool{false, true} {
		if m, flagged := modelOf(t, s, "urn:t:lot:SCS1", "sg", ev); ev && m != custody.Segregated || !flagged {
			t.Errorf("S1 after the change (evidence %v): model %q, flagged %v; want segregated, flagged (R1 was recorded under it)", ev, m, flagged)
		}
		if m, flagged := modelOf(t, s, "urn:t:lot:SCS2", "sg", ev); ev && m != custody.ControlledBlending || flagged {
			t.Errorf("S2 (evidence %v): model %q, flagged %v; want controlled_blending, no flag", ev, m, flagged)
		}
	}
	if v := verdictOf(t, s, "urn:t:lot:SCN3", "site-certification"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:nc") {
		t.Errorf("N3: site-certification %s (%s), want fail naming nc (certified by a version recorded after R3)", v.Status, v.Detail)
	}
	if v := verdictOf(t, s, "urn:t:lot:SCN4", "site-certification"); v.Status != custody.Pass {
		t.Errorf("N4: site-certification %s (%s), want pass", v.Status, v.Detail)
	}
}
