package custody_test

import (
	"context"
	"strings"
	"testing"

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
		`{"id": "p", "rules": [{"id": "a", "kind": "custody_continuity", "colour": "red"}]}`: "",
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
