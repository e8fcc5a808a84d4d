package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestCertificateStatesWhyOriginUnknown (fixQj, issue 9): a
// materialsProvenance line of unknown origin has no originCountry (no ISO
// 3166 code: a reader sees null) and must say why it is unknown, as the
// lot page does ("of which origin unknown (from no recorded input: a
// run's products held more Pr than its inputs put in — element_gain)").
//
//	PK, Pakistan, 1 t at Nd 4 % + Pr 1 %: Nd 0.04 t, Pr 0.01 t in.
//	R (Oct 5): PK 1 t → G, 0.05 t at Nd 60 % + Pr 40 %: Nd 0.03 t ≤ 0.04;
//	  Pr 0.05 × 0.4 = 0.02 t > 0.01 × 1.005 + 10⁻⁶ = 0.01005 t: gain.
//	G's Pr: 0.01 t Pakistan (50 %), 0.02 − 0.01 = 0.01 t of no recorded
//	  input (50 %, countryName "unknown").
//
// Lot U (no country, no mine): its dry-mass line is unknown because no
// origin country is recorded. A certificate issued before, without the
// new member, still stands (a form change is not a restatement).
func TestCertificateStatesWhyOriginUnknown(t *testing.T) {
	ctx := context.Background()
	unknown := strings.Replace(strings.Replace(feed("U", "ree_concentrate", "PAK", 10, "Nd:4"), `"cm:originCountry": "PAK", `, "", 1), `"cm:originMine": "urn:t:site:mine-PAK", `, "", 1)
	db := store(t, doc(map[string]string{"mb": "controlled_blending"},
		feed("PK", "ree_concentrate", "PAK", 1, "Nd:4", "Pr:1"),
		elRun("R", "R", "2025-10-05T00:00:00Z", []string{"PK:1"}, "G", 0.05, "60", "40", ""),
		unknown,
	))
	for _, c := range []struct{ lot, name, want string }{
		{"G", "Pr (physical origin, contained element)", "from no recorded input: a run's products held more Pr than its inputs put in (element_gain)"},
		{"U", "total dry mass (physical origin, dry-mass view)", "no origin country is recorded"},
	} {
		b := issue(t, db, "urn:t:lot:"+c.lot)
		var cert map[string]any
		if err := json.Unmarshal(b, &cert); err != nil {
			t.Fatal(err)
		}
		prov := cert["credentialSubject"].(map[string]any)["materialsProvenance"].([]any)
		found := false
		for _, p := range prov {
			line := p.(map[string]any)
			if line["name"] != c.name || line["countryName"] != "unknown" {
				continue
			}
			found = true
			if _, has := line["originCountry"]; has {
				t.Errorf("%s: unknown line has originCountry %v", c.lot, line["originCountry"])
			}
			if w, _ := line["cm:originUnknown"].(string); !strings.Contains(w, c.want) {
				t.Errorf("%s: unknown line %v: cm:originUnknown %q lacks %q", c.lot, line, w, c.want)
			}
			if c.lot == "G" && !near(num(line["massFraction"]), 0.5) {
				t.Errorf("G: unknown Pr share %v, want 0.5", line["massFraction"])
			}
		}
		if !found {
			t.Errorf("%s: no unknown line %q in %v", c.lot, c.name, prov)
		}
		// Issued before this member: the same certificate without it stands.
		for _, p := range prov {
			delete(p.(map[string]any), "cm:originUnknown")
		}
		if msg, err := custody.RestatedChanged(ctx, db, custody.Certificate(cert)); err != nil || msg != "" {
			t.Errorf("%s: certificate without cm:originUnknown reads as restated: %q %v", c.lot, msg, err)
		}
	}
}

func num(v any) float64 { f, _ := v.(float64); return f }
