package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// fix9avStore is the store for fix9av: master data gives cn a mine in
// China, pk a mine in Pakistan and cnw a warehouse in China. Every lot is
// 10 t at moisture 0 and Nd 4 % dry (0.4 t of Nd):
//   - A states cm:originCountry PAK, no mine, commissioned at cn;
//   - B names mine pk (Pakistan), no country, commissioned at cn;
//   - C states PAK and names mine pk, commissioned at pk (consistent);
//   - D states PAK, commissioned at pk (the clean lot);
//   - W states PAK, commissioned at cnw (a warehouse in China);
//   - run R blends A and D, 10 t each, into P, 20 t at Nd 4 %
//     (0.8 t of Nd: 0.4 from A + 0.4 from D).
//
// A and B contradict master data of the mine they were commissioned at:
// capture refuses them since fixKk (ledger: a stated origin against the
// event's own mine), so they are stored as a store written before that
// check holds them (storetest.MustStoreUnchecked): such stored lots stay
// readable, read as in conflict.
func fix9avStore(t *testing.T, legacy, more []string) *sqldb.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.MustStoreUnchecked(t, db, fix9avDocOf(append([]string{fix9avLot("A", "cn", `"cm:originCountry": "PAK",`), fix9avLot("B", "cn", `"cm:originMine": "urn:t:site:pk",`)}, legacy...)...))
	rest := append([]string{fix9avLot("C", "pk", `"cm:originCountry": "PAK", "cm:originMine": "urn:t:site:pk",`),
		fix9avLot("D", "pk", `"cm:originCountry": "PAK",`),
		fix9avLot("W", "cnw", `"cm:originCountry": "PAK",`),
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00",
  "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:D", "quantity": 10, "uom": "TNE"}],
  "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pk"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`}, more...)
	if _, err := ledger.NewService(db).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fix9avDocOf(rest...))}); err != nil {
		t.Fatalf("capture: %v", err)
	}
	return db
}

// fix9avDocOf is a document of events with fix9av's master data.
func fix9avDocOf(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:cn", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]},
   {"id": "urn:t:site:cnw", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "warehouse"}]},
   {"id": "urn:t:site:pk", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}]}]}},
 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// fix9avLot is the commissioning event urn:t:ev:<id> of lot id at site,
// its ILMD stating origin.
func fix9avLot(id, site, origin string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:` + site + `"}, "bizLocation": {"id": "urn:t:site:` + site + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", ` + origin + ` "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// TestStatedOriginAgainstCommissioningMine (fix9av): physical origin is
// never taken from a stated country or mine that master data about the
// commissioning place contradicts (issue 9 §2; DFARS 252.225-7052 reads
// where material was mined).
//   - A (stated PAK, commissioned at the Chinese mine cn): its origin is
//     unknown 100 % by dry mass and by Nd (10 t of 10 t; 0.4 t of 0.4 t),
//     origin_conflict names A, PAK, cn, CHN and event A; DFARS fails
//     naming the same.
//   - B (names Pakistani mine pk, commissioned at cn): the same.
//   - C (stated PAK at mine pk): Pakistan 100 %, DFARS passes.
//   - W (stated PAK, commissioned at the Chinese warehouse cnw): origin
//     stays Pakistan 100 % (nothing is mined at a warehouse), flagged
//     commissioning_country_differs; DFARS fails naming cnw in China.
//   - P, the blend of A and D: unknown 10 t / 20 t = 50 % by dry mass and
//     0.4 t / 0.8 t = 50 % of its Nd, Pakistan 50 %; DFARS fails, read
//     both on demand and from the mix kept at capture.
func TestStatedOriginAgainstCommissioningMine(t *testing.T) {
	ctx := context.Background()
	db := fix9avStore(t, nil, nil)
	for _, c := range []struct {
		lot, stated, site string
	}{{"A", "PAK", "urn:t:site:cn"}, {"B", "urn:t:site:pk", "urn:t:site:cn"}} {
		id := "urn:t:lot:" + c.lot
		o, err := custody.OriginOf(ctx, db, id, true)
		if err != nil {
			t.Fatal(err)
		}
		if share(o.Mass.ByCountry, custody.Unknown).Share != 1 || share(o.Elements["Nd"].ByCountry, custody.Unknown).Share != 1 || share(o.Mass.ByCountry, "PAK").Share != 0 {
			t.Errorf("%s: mass %+v, Nd %+v, want unknown 100 %%", c.lot, o.Mass.ByCountry, o.Elements["Nd"].ByCountry)
		}
		if !anomalyWith(o.Anomalies, "origin_conflict", id, c.stated, c.site, "CHN", "urn:t:ev:"+c.lot) {
			t.Errorf("%s: anomalies %+v, want origin_conflict naming the lot, %s, the site, CHN and the event", c.lot, o.Anomalies, c.stated)
		}
		v := dfarsOf(t, db, id)
		if v.Status != custody.Fail {
			t.Errorf("%s: DFARS %+v, want fail", c.lot, v)
		}
		for _, w := range []string{id, c.stated, c.site, "China", "urn:t:ev:" + c.lot} {
			if !strings.Contains(v.Detail, w) {
				t.Errorf("%s: DFARS detail %q does not name %q", c.lot, v.Detail, w)
			}
		}
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:C", true)
	if err != nil {
		t.Fatal(err)
	}
	if share(o.Mass.ByCountry, "PAK").Share != 1 || anomalyWith(o.Anomalies, "origin_conflict") || anomalyWith(o.Anomalies, "commissioning_country_differs") {
		t.Errorf("C: mass %+v, anomalies %+v, want Pakistan 100 %% and no conflict", o.Mass.ByCountry, o.Anomalies)
	}
	if v := dfarsOf(t, db, "urn:t:lot:C"); v.Status != custody.Pass {
		t.Errorf("C: DFARS %+v, want pass (stated PAK at a Pakistani mine)", v)
	}

	o, err = custody.OriginOf(ctx, db, "urn:t:lot:W", true)
	if err != nil {
		t.Fatal(err)
	}
	if share(o.Mass.ByCountry, "PAK").Share != 1 || !anomalyWith(o.Anomalies, "commissioning_country_differs", "urn:t:lot:W", "PAK", "urn:t:site:cnw", "warehouse", "CHN", "urn:t:ev:W") {
		t.Errorf("W: mass %+v, anomalies %+v, want Pakistan 100 %% flagged commissioning_country_differs", o.Mass.ByCountry, o.Anomalies)
	}
	if v := dfarsOf(t, db, "urn:t:lot:W"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:cnw") || !strings.Contains(v.Detail, "China") || !strings.Contains(v.Detail, "urn:t:ev:W") {
		t.Errorf("W: DFARS %+v, want fail naming cnw in China and event W", v)
	}

	for _, evidence := range []bool{false, true} { // false reads the mix kept at capture
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:P", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if !near(share(o.Mass.ByCountry, custody.Unknown).Share, 0.5) || !near(share(o.Elements["Nd"].ByCountry, custody.Unknown).Share, 0.5) || !near(share(o.Mass.ByCountry, "PAK").Share, 0.5) {
			t.Errorf("P (evidence %v): mass %+v, Nd %+v, want unknown 50 %%, Pakistan 50 %%", evidence, o.Mass.ByCountry, o.Elements["Nd"].ByCountry)
		}
		if !anomalyWith(o.Anomalies, "origin_conflict", "urn:t:lot:A", "PAK", "urn:t:site:cn") {
			t.Errorf("P (evidence %v): anomalies %+v, want A's origin_conflict", evidence, o.Anomalies)
		}
	}
	if v := dfarsOf(t, db, "urn:t:lot:P"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:lot:A") || !strings.Contains(v.Detail, "urn:t:site:cn") {
		t.Errorf("P: DFARS %+v, want fail naming A and cn", v)
	}
}

// TestCertificateStatedOriginAgainstCommissioningMine (fix9av): the
// certificate of A (stated PAK, commissioned at a Chinese mine) and of
// P (A blended with the clean Pakistani D) carries the DFARS claim as
// failing (status fail, conformance false), never as a pass, with A's
// origin_conflict in its origin composition; C's (stated PAK at a
// Pakistani mine) passes.
func TestCertificateStatedOriginAgainstCommissioningMine(t *testing.T) {
	ctx := context.Background()
	db := fix9avStore(t, nil, nil)
	key, _ := custody.LoadPrivateKey(func() string {
		p := filepath.Join(t.TempDir(), "k")
		custody.GenerateKey(p)
		return p
	}())
	for _, c := range []struct {
		lot  string
		pass bool
	}{{"A", false}, {"P", false}, {"C", true}} {
		cert, err := custody.Issue(ctx, db, "urn:t:lot:"+c.lot, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(cert)
		var doc struct {
			Subject struct {
				Comp   custody.Composition `json:"cm:originComposition"`
				Claims []struct {
					ID          string `json:"id"`
					Status      string `json:"status"`
					Conformance *bool  `json:"conformance"`
					Value       string `json:"declaredValue"`
				} `json:"conformityClaim"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, cl := range doc.Subject.Claims {
			if cl.ID != "dfars-covered-countries" {
				continue
			}
			found = true
			if cl.Conformance == nil || *cl.Conformance != c.pass || (cl.Status == custody.Pass) != c.pass {
				t.Errorf("%s certificate: DFARS claim %+v, want pass %v", c.lot, cl, c.pass)
			}
			if !c.pass && !strings.Contains(cl.Value, "urn:t:site:cn") {
				t.Errorf("%s certificate: DFARS value %q does not name the commissioning site", c.lot, cl.Value)
			}
		}
		if !found {
			t.Errorf("%s certificate: no dfars-covered-countries claim in %s", c.lot, b)
		}
		if conflict := anomalyWith(doc.Subject.Comp.Anomalies, "origin_conflict", "urn:t:lot:A"); conflict == c.pass {
			t.Errorf("%s certificate: anomalies %+v, want A's origin_conflict %v", c.lot, doc.Subject.Comp.Anomalies, !c.pass)
		}
	}
}

// TestStatedOriginAgainstFirstRecord (nu30a): a lot first recorded by an
// ADD that states another step than commissioning is checked against
// where it was first recorded as one commissioned there is. Each lot is
// 10 t at Nd 4 % dry, stated cm:originCountry PAK:
//   - RW, first recorded by an ADD bizStep receiving at the Chinese
//     warehouse cnw: stays Pakistan 100 % (nothing is mined at a
//     warehouse), flagged commissioning_country_differs; DFARS fails
//     naming cnw, China and the event (it passed);
//   - RM, first recorded by an ADD bizStep inspecting at the Chinese mine
//     cn: unknown 100 % (origin_conflict); DFARS fails (it passed);
//   - RP, first recorded by an ADD bizStep receiving at the Pakistani
//     mine pk: Pakistan 100 %, DFARS passes (no false failure).
func TestStatedOriginAgainstFirstRecord(t *testing.T) {
	ctx := context.Background()
	lot := func(id, site, step string) string {
		return strings.Replace(fix9avLot(id, site, `"cm:originCountry": "PAK",`), `"bizStep": "commissioning"`, `"bizStep": "`+step+`"`, 1)
	}
	db := fix9avStore(t, []string{lot("RM", "cn", "inspecting")}, []string{lot("RW", "cnw", "receiving"), lot("RP", "pk", "receiving")})
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:RW", true)
	if err != nil {
		t.Fatal(err)
	}
	if share(o.Mass.ByCountry, "PAK").Share != 1 || !anomalyWith(o.Anomalies, "commissioning_country_differs", "urn:t:lot:RW", "PAK", "urn:t:site:cnw", "CHN", "urn:t:ev:RW") {
		t.Errorf("RW: mass %+v, anomalies %+v, want Pakistan 100 %% flagged commissioning_country_differs", o.Mass.ByCountry, o.Anomalies)
	}
	if v := dfarsOf(t, db, "urn:t:lot:RW"); v.Status != custody.Fail || !strings.Contains(v.Detail, "urn:t:site:cnw") || !strings.Contains(v.Detail, "China") || !strings.Contains(v.Detail, "urn:t:ev:RW") {
		t.Errorf("RW: DFARS %+v, want fail naming cnw in China and event RW", v)
	}
	o, err = custody.OriginOf(ctx, db, "urn:t:lot:RM", true)
	if err != nil {
		t.Fatal(err)
	}
	if share(o.Mass.ByCountry, custody.Unknown).Share != 1 || !anomalyWith(o.Anomalies, "origin_conflict", "urn:t:lot:RM", "PAK", "urn:t:site:cn", "CHN", "urn:t:ev:RM") {
		t.Errorf("RM: mass %+v, anomalies %+v, want unknown 100 %% with origin_conflict", o.Mass.ByCountry, o.Anomalies)
	}
	if v := dfarsOf(t, db, "urn:t:lot:RM"); v.Status != custody.Fail {
		t.Errorf("RM: DFARS %+v, want fail", v)
	}
	if v := dfarsOf(t, db, "urn:t:lot:RP"); v.Status != custody.Pass {
		t.Errorf("RP: DFARS %+v, want pass (stated PAK, first recorded at a Pakistani mine)", v)
	}
}
