package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

func verdicts(t *testing.T, lot string, pack *custody.Pack) map[string]custody.Verdict {
	t.Helper()
	db := demoStore(t)
	vs, err := custody.Evaluate(context.Background(), db, lot, pack)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]custody.Verdict{}
	for _, v := range vs {
		out[v.Rule] = v
	}
	return out
}

// TestDefaultPackOnDemo evaluates the built-in pack on demo lots: the NdPr
// oxide passes all four rules; the copper concentrate's Port Qasim
// shipment lacks an assay certificate and Saindak has no audit on record.
func TestDefaultPackOnDemo(t *testing.T) {
	nd := verdicts(t, "urn:critmin:demo:lot:NDPR-2025-001", custody.DefaultPack())
	for _, id := range []string{"dfars-covered-countries", "export-shipment-documents", "site-certification", "custody-continuity"} {
		if v := nd[id]; v.Status != custody.Pass || len(v.Evidence) == 0 {
			t.Errorf("NdPr %s: %+v", id, v)
		}
	}
	if !strings.Contains(strings.Join(nd["export-shipment-documents"].Evidence, ","), "urn:critmin:demo:event:014") {
		t.Errorf("export evidence %v should name the Karachi shipment", nd["export-shipment-documents"].Evidence)
	}
	cu := verdicts(t, "https://id.gs1.org/01/09520123456788/10/CU2025001", custody.DefaultPack())
	if v := cu["export-shipment-documents"]; v.Status != custody.Fail || !strings.Contains(v.Detail, "assayCertificate") {
		t.Errorf("copper shipment documents: %+v", v)
	}
	if v := cu["site-certification"]; v.Status != custody.Fail || !strings.Contains(v.Detail, "saindak") {
		t.Errorf("copper site certification: %+v", v)
	}
}

func TestExcludedCountriesPack(t *testing.T) {
	pack, err := custody.ParsePack([]byte(`{"id": "t", "title": "t", "rules": [
	 {"id": "no-pak", "kind": "excluded_countries", "countries": ["PAK"], "stages": ["mining"]},
	 {"id": "no-us-processing", "kind": "excluded_countries", "countries": ["USA"], "stages": ["processing"]},
	 {"id": "no-chn", "kind": "excluded_countries", "countries": ["CHN", "RUS"], "stages": ["mining", "processing", "handling"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	v := verdicts(t, "urn:critmin:demo:lot:NDPR-2025-001", pack)
	if v["no-pak"].Status != custody.Fail || !strings.Contains(v["no-pak"].Detail, "Pakistan (100.0 % of dry mass, physical origin)") {
		t.Errorf("mining in an excluded country: %+v", v["no-pak"])
	}
	if v["no-us-processing"].Status != custody.Fail || !strings.Contains(strings.Join(v["no-us-processing"].Evidence, ","), "urn:critmin:demo:event:023") {
		t.Errorf("processing in an excluded country: %+v", v["no-us-processing"])
	}
	if v["no-chn"].Status != custody.Pass {
		t.Errorf("clean lot: %+v", v["no-chn"])
	}
}

func TestParsePackRejects(t *testing.T) {
	cases := map[string]string{
		`{"id": "p", "rules": [{"id": "a", "kind": "vibes"}]}`:                                                     "/rules/0/kind",
		`{"id": "p", "rules": [{"id": "a", "kind": "excluded_countries", "countries": ["XXX"]}]}`:                  "/rules/0/countries",
		`{"id": "p", "rules": [{"id": "a", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["x"]}]}`: "/rules/0/stages",
		`{"id": "p", "rules": [{"id": "a", "kind": "shipment_documents"}]}`:                                        "/rules/0/bizSteps",
		`{"id": "p", "rules": []}`: "/rules",
		`{"id": "p", "rules": [{"id": "a", "kind": "custody_continuity", "colour": "red"}]}`: "/rules/0/colour",
	}
	for in, ptr := range cases {
		_, err := custody.ParsePack([]byte(in))
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) == 0 || fs[0].Pointer != ptr {
			t.Errorf("%s: %v; want an error at %q", in, err, ptr)
		}
	}
}

// TestExcludedCountriesUnknownElementShares: lot U is made at a
// controlled-blending site from P (Pakistan, 10 t at 5 % Nd) without an
// assay of its own: its Nd share is unknown (grade not measured), but
// every tonne of it came from P, so no listed country can be in it. The
// mining-stage rule passes and says why; with a Chinese feed beside P it
// fails on the dry-mass view, assayed or not.
func TestExcludedCountriesUnknownElementShares(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, feed("P", "ree_concentrate", "PAK", 10, "Nd:5"), feed("C", "ree_concentrate", "CHN", 10, "Ce:5"),
		runOf("R", "cb", "2025-10-05T00:00:00Z", []string{"P:10"}, product{lot: "U", commodity: "ndpr_oxide", t: 0.4}),
		runOf("R2", "cb", "2025-10-06T00:00:00Z", []string{"C:10"}, product{lot: "V", commodity: "ndpr_oxide", t: 0.4, assays: []string{"Nd:40"}})))
	pack, err := custody.ParsePack([]byte(`{"id": "t", "title": "t", "rules": [{"id": "no-chn", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["mining"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := custody.Evaluate(context.Background(), db, "urn:t:lot:U", pack)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Status != custody.Pass || !strings.Contains(vs[0].Detail, "grade not measured for Nd") || !strings.Contains(vs[0].Detail, "every feed's country is") {
		t.Errorf("U, Nd share unknown, all feeds Pakistani: %+v, want pass saying why", vs)
	}
	vs, err = custody.Evaluate(context.Background(), db, "urn:t:lot:V", pack)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Status != custody.Fail || !strings.Contains(vs[0].Detail, "China") {
		t.Errorf("V from an unassayed Chinese feed: %+v, want fail", vs)
	}
}

// TestPackReadsMessage: a wrong `reads` is refused with the reason of
// the rule's own kind, not another kind's.
func TestPackReadsMessage(t *testing.T) {
	for in, want := range map[string]string{
		`{"id": "p", "rules": [{"id": "a", "kind": "mass_balance_claim", "reads": "physical_origin"}]}`:                      "mass-balance claim rule reads the claimed origin",
		`{"id": "p", "rules": [{"id": "a", "kind": "excluded_countries", "countries": ["CHN"], "reads": "claimed_origin"}]}`: "covered-country rules read physical origin only",
	} {
		_, err := custody.ParsePack([]byte(in))
		fs := critmin.ErrorFields(err)
		if len(fs) == 0 || fs[0].Pointer != "/rules/0/reads" || !strings.Contains(fs[0].Reason, want) {
			t.Errorf("%s: %v, want /rules/0/reads saying %q", in, err, want)
		}
		if strings.Contains(in, "mass_balance_claim") && strings.Contains(fs[0].Reason, "covered-country") {
			t.Errorf("mass_balance_claim message speaks of covered-country rules: %s", fs[0].Reason)
		}
	}
}

// TestCoveredCountryOneFeedOfThreeNotMeasured: at mass-balance site mb3,
// run X3 blends three dry REE feeds, 10 t each at 4 % Nd + 1 % Pr —
// P3 Pakistan, M3 Myanmar, C3 China — into U3, 0.5 t of NdPr oxide with
// no assay of its own, claiming 100 % Pakistan. U3's element shares are
// unknown (grade not measured), so the covered-country rule cannot read
// them; but its dry-mass view is 10/30 = 1/3 China, and a feed of a
// listed country is in it, so DFARS 252.225-7052 fails — an unknown share
// passes only when every feed is known and unlisted (rule-packs.md). The
// claim is refused (U3 has no assay of Nd+Pr, so the claim cannot be
// measured) and the certificate shows both origins, labelled: China,
// Myanmar and Pakistan in the physical one, and the claimed 100 %
// Pakistan, refused, in the claimed one (a claim refused as unmeasured
// used to list no country at all).
func TestCoveredCountryOneFeedOfThreeNotMeasured(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb3": "mass_balance"},
		feed("P3", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("M3", "ree_concentrate", "MMR", 10, "Nd:4", "Pr:1"),
		feed("C3", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		runOf("X3", "mb3", "2025-10-05T00:00:00Z", []string{"P3:10", "M3:10", "C3:10"}, product{lot: "U3", commodity: "ndpr_oxide", t: 0.5, extra: claimPAK})))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb3"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	vs, err := custody.Evaluate(ctx, db, "urn:t:lot:U3", custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]custody.Verdict{}
	for _, v := range vs {
		got[v.Rule] = v
	}
	if v := got["dfars-covered-countries"]; v.Status != custody.Fail || v.Reads != custody.ReadsPhysical || !strings.Contains(v.Detail, "China") {
		t.Errorf("covered-country rule on U3 (one Chinese feed of three, grade not measured): %+v, want fail naming China", v)
	}
	if v := got["mass-balance-claim"]; v.Status != custody.Fail || !strings.Contains(v.Detail, "no assay of Nd+Pr") {
		t.Errorf("claim rule on U3: %+v, want fail: the claim cannot be measured", v)
	}
	comp, err := custody.OriginOf(ctx, db, "urn:t:lot:U3", false)
	if err != nil {
		t.Fatal(err)
	}
	if s := share(comp.Mass.ByCountry, "CHN"); math.Abs(s.Share-1.0/3) > 1e-9 {
		t.Errorf("U3 dry-mass China share %v, want 10/30 = 1/3", s.Share)
	}
	cert := string(issue(t, db, "urn:t:lot:U3"))
	// The claim is refused: it attributes nothing, so it is no provenance
	// line and no cm:claimedOrigin, only cm:refusedClaim with its reason.
	for _, want := range []string{`"cm:refusedClaim":{`, `"cm:physicalOrigin":{`, `"originCountry":"CHN"`, `"originCountry":"PAK"`, `"originCountry":"MMR"`, `no assay of Nd+Pr`} {
		if !strings.Contains(cert, want) {
			t.Errorf("certificate lacks %s", want)
		}
	}
	for _, not := range []string{`"cm:claimedOrigin":{`, `"cm:originBasis":"claimed_origin"`} {
		if strings.Contains(cert, not) {
			t.Errorf("certificate states %s for a refused claim", not)
		}
	}
}
