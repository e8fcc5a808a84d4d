package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// sitesWithCountry is master data for sites pk (Pakistan) and cn (China),
// both controlled blending.
const sitesWithCountry = `{"id": "urn:t:site:pk", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]},
 {"id": "urn:t:site:cn", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "CHN"}]}`

// TestDFARSProcessingFollowsGenealogy (issue 9, leftover of origin9): the
// covered-country rule's processing stage reads the runs of the lot's
// genealogy, not every event naming an upstream lot. Feed A (Pakistan,
// 100 t) is split: R1 at pk (Pakistan) takes 50 t and makes P; R2 at cn
// (China) takes the other 50 t and makes X. P's material never passed
// through R2: "no Chinese processing" passes for P and fails for X.
//
// And a share too small for one decimal prints "< 0.1 %", never 0.0 %:
// Q blends T (Pakistan, 10 000 t) with K (China, 0.001 t = 1 kg); China's
// dry-mass share is 0.001 / 10 000.001 = 0.00001 % → "mined in China
// (< 0.1 % of dry mass".
func TestDFARSProcessingFollowsGenealogy(t *testing.T) {
	ctx := context.Background()
	d := doc(map[string]string{}, feed("A", "ree_concentrate", "PAK", 100, "Nd:4"), feed("T", "ree_concentrate", "PAK", 10000, "Nd:4"), feed("K", "ree_concentrate", "CHN", 0.001, "Nd:4"),
		runOf("R1", "pk", "2025-10-05T00:00:00Z", []string{"A:50"}, product{lot: "P", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60"}}),
		runOf("R2", "cn", "2025-10-06T00:00:00Z", []string{"A:50"}, product{lot: "X", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60"}}),
		runOf("R3", "pk", "2025-10-07T00:00:00Z", []string{"T:10000", "K:0.001"}, product{lot: "Q", commodity: "ree_concentrate", t: 10000, assays: []string{"Nd:4"}}))
	d = strings.Replace(d, `"vocabularyElementList": [`, `"vocabularyElementList": [`+sitesWithCountry, 1)
	db := store(t, d)
	pack, err := custody.ParsePack([]byte(`{"id": "t", "title": "t", "rules": [
	 {"id": "no-chn-processing", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["processing"]},
	 {"id": "no-chn-mining", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["mining"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	eval := func(lot string) map[string]custody.Verdict {
		vs, err := custody.Evaluate(ctx, db, "urn:t:lot:"+lot, pack)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]custody.Verdict{}
		for _, v := range vs {
			out[v.Rule] = v
		}
		return out
	}
	if v := eval("P")["no-chn-processing"]; v.Status != custody.Pass {
		t.Errorf("P, made at pk only: %+v, want pass (R2 at cn made X, not P)", v)
	}
	if v := eval("X")["no-chn-processing"]; v.Status != custody.Fail || !strings.Contains(v.Detail, "processed at urn:t:site:cn in China") {
		t.Errorf("X, made at cn: %+v, want fail", v)
	}
	if v := eval("Q")["no-chn-mining"]; v.Status != custody.Fail || !strings.Contains(v.Detail, "mined in China (< 0.1 % of dry mass, physical origin)") {
		t.Errorf("Q with 1 kg of Chinese feed in 10 000 t: %+v, want \"mined in China (< 0.1 %% of dry mass\"", v)
	}
}

// TestPercent: shares print with one decimal, never a false 0.0 % or
// 100.0 %: 1e-7 → "< 0.1 %"; 0.0005 (0.05 %) → "0.1 %" (rounds up);
// 0.0004 → "< 0.1 %"; 0 → "0.0 %"; 0.9999 → "> 99.9 %"; 1 → "100.0 %";
// 0.123 → "12.3 %". Half-way shares round away from zero, as by hand
// (issue 15, fix15m): 0.0025 → 0.25 % → "0.3 %" (%.1f said "0.2 %",
// rounding the binary 0.25 to even); 0.1225 → 12.25 % → "12.3 %";
// 0.00125 → 0.125 % → "0.1 %"; 0.0005 → 0.05 % → "0.1 %"; 0.9995 →
// 99.95 % rounds to 100.0, so "> 99.9 %".
func TestPercent(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{{1e-7, "< 0.1 %"}, {0.0004, "< 0.1 %"}, {0.0006, "0.1 %"}, {0, "0.0 %"}, {0.9999, "> 99.9 %"}, {1, "100.0 %"}, {0.123, "12.3 %"},
		{0.0025, "0.3 %"}, {0.1225, "12.3 %"}, {0.00125, "0.1 %"}, {0.0005, "0.1 %"}, {0.9995, "> 99.9 %"}} {
		if got := custody.Percent(c.f); got != c.want {
			t.Errorf("Percent(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

// TestDFARSProcessingReadsReadPoint (issue 9, check nu9i): a run observed
// at a Chinese read point is processing in China whatever business
// location it names. R1 names bizLocation pk (Pakistan) and readPoint cn
// (China): "no Chinese processing" fails for its product P, naming cn. R2
// at pk with a read point that has no country of its own (a line inside
// the site) passes: the site's country places it.
func TestDFARSProcessingReadsReadPoint(t *testing.T) {
	ctx := context.Background()
	r1 := runOf("R1", "pk", "2025-10-05T00:00:00Z", []string{"A:50"}, product{lot: "P", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60"}})
	r1 = strings.Replace(r1, `"bizLocation": {"id": "urn:t:site:pk"}}`, `"bizLocation": {"id": "urn:t:site:pk"}, "readPoint": {"id": "urn:t:site:cn"}}`, 1)
	r2 := runOf("R2", "pk", "2025-10-06T00:00:00Z", []string{"A:50"}, product{lot: "Q", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60"}})
	r2 = strings.Replace(r2, `"bizLocation": {"id": "urn:t:site:pk"}}`, `"bizLocation": {"id": "urn:t:site:pk"}, "readPoint": {"id": "urn:t:site:pk-line-3"}}`, 1)
	if !strings.Contains(r1, `"readPoint"`) || !strings.Contains(r2, `"readPoint"`) {
		t.Fatal("test set-up: read point not written")
	}
	d := doc(map[string]string{}, feed("A", "ree_concentrate", "PAK", 100, "Nd:4"), r1, r2)
	d = strings.Replace(d, `"vocabularyElementList": [`, `"vocabularyElementList": [`+sitesWithCountry, 1)
	db := store(t, d)
	pack, err := custody.ParsePack([]byte(`{"id": "t", "title": "t", "rules": [
	 {"id": "no-chn-processing", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["processing"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	verdict := func(lot string) custody.Verdict {
		vs, err := custody.Evaluate(ctx, db, "urn:t:lot:"+lot, pack)
		if err != nil {
			t.Fatal(err)
		}
		return vs[0]
	}
	if v := verdict("P"); v.Status != custody.Fail || !strings.Contains(v.Detail, "processed at urn:t:site:cn in China") {
		t.Errorf("P, run read at cn: %+v, want fail naming cn", v)
	}
	if v := verdict("Q"); v.Status != custody.Pass {
		t.Errorf("Q, run at pk read on a line with no country: %+v, want pass", v)
	}
}
