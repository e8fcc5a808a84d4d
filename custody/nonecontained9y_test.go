package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestZeroElementNoneContained (issue 9, fix9y item 4): an element of
// which a lot contains 0 t has no origin share — there is nothing to
// share — so it is "none contained", never 100 % of a country.
//
//	P, Pakistan, 100 t at Nd 4 % + Pr 0 %: Nd 4 t (PAK 100 %), Pr 100 × 0 = 0 t
//	N: P 100 t → U 5 t at Nd 60 % + Pr 0 %: Nd 3 t (PAK 100 %), Pr 5 × 0 = 0 t
//
// Pr on both: tonnes 0, noneContained, no byCountry/byMine/bySupplier
// share (before: P's Pr read Pakistan 100 %, U's unknown 100 %); U's
// overall origin is Pakistan 100 % with no 0 % "unknown" line; the
// certificate lists Pr under cm:physicalOrigin noneContained and gives it
// no provenance line.
func TestZeroElementNoneContained(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:0"),
		runOf("N", "cb", "2025-10-10T00:00:00Z", []string{"P:100"}, product{lot: "U", commodity: "ndpr_oxide", t: 5, assays: []string{"Nd:60", "Pr:0"}}),
	))
	for _, id := range []string{"urn:t:lot:P", "urn:t:lot:U"} {
		o, err := custody.Origin(context.Background(), db, id)
		if err != nil {
			t.Fatal(err)
		}
		pr, nd := o.Elements["Pr"], o.Elements["Nd"]
		if pr.Tonnes != 0 || !pr.NoneContained || len(pr.ByCountry)+len(pr.ByMine)+len(pr.BySupplier) != 0 {
			t.Errorf("%s Pr %+v, want 0 t, none contained, no share", id, pr)
		}
		if nd.NoneContained || len(nd.ByCountry) != 1 || nd.ByCountry[0].Key != "PAK" || nd.ByCountry[0].Share != 1 {
			t.Errorf("%s Nd %+v, want Pakistan 100 %%", id, nd)
		}
		if len(o.Overall.ByCountry) != 1 || o.Overall.ByCountry[0].Key != "PAK" {
			t.Errorf("%s overall %+v, want Pakistan alone", id, o.Overall.ByCountry)
		}
		b, err := json.Marshal(pr)
		if err != nil || strings.Contains(string(b), `"share"`) || !strings.Contains(string(b), `"noneContained":true`) {
			t.Errorf("%s Pr JSON %s: want noneContained and no share figure", id, b)
		}
	}
	var cert struct {
		Subject struct {
			Physical   map[string]json.RawMessage `json:"cm:physicalOrigin"`
			Provenance []custody.Provenance       `json:"materialsProvenance"`
		} `json:"credentialSubject"`
	}
	raw := issue(t, db, "urn:t:lot:U")
	if err := json.Unmarshal(raw, &cert); err != nil {
		t.Fatal(err)
	}
	if string(cert.Subject.Physical["noneContained"]) != `["Pr"]` {
		t.Errorf("certificate noneContained %s, want [\"Pr\"]:\n%s", cert.Subject.Physical["noneContained"], raw)
	}
	for _, p := range cert.Subject.Provenance {
		if strings.HasPrefix(p.Name, "Pr ") {
			t.Errorf("certificate states a share of Pr, of which U contains none: %+v", p)
		}
	}
}
